"""Ticket attachments through the pages and the API, with the real clamd."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from sgsc.integrations.clamav.daemon import EICAR
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets.access import ticket_access_for_user
from sgsc.tenant_apps.tickets.models import Attachment, Ticket
from tests.conftest import Tenants
from tests.tenant_apps.tickets.hub_helpers import hub_with_two_institutions
from tests.tenant_apps.tickets.test_attachments import (  # noqa: F401  (fixtures)
    PDF,
    add,
    clamd,
    media,
    scanner_down,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(signed_in: Callable[..., tuple[Client, User]],
             tenants: Tenants) -> tuple[Client, User]:
    return signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)


@pytest.fixture
def ticket(operator: tuple[Client, User], tenants: Tenants,
           new_ticket: Callable[..., Ticket]) -> Ticket:
    with schema_context(tenants.prov_a.schema_name):
        return new_ticket(ticket_access_for_user(user=operator[1], tenant=tenants.prov_a))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def api_url(ticket: Ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/attachments/"


@pytest.mark.usefixtures("clamd")
def test_api_upload_list_and_download(operator, ticket):
    client, _user = operator
    answer = client.post(api_url(ticket), {"file": upload("Cerere țară.pdf", PDF)})
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert (created["name"], created["scan"], created["size"]) == ("Cerere țară.pdf", "clean",
                                                                   len(PDF))

    listed = client.get(api_url(ticket)).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]

    answer = client.get(f"{api_url(ticket)}{created['id']}/download/",
                        HTTP_ACCEPT="application/pdf")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PDF
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Cerere%20%C8%9Bar%C4%83.pdf" in answer["Content-Disposition"]
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.usefixtures("clamd")
def test_api_refusals_have_stable_codes(operator, ticket, settings):
    client, _user = operator
    cases = [("virus.txt", EICAR, "file_infected"), ("gol.pdf", b"", "file_empty"),
             ("program.exe", b"MZ\x90\x00", "file_type_not_allowed")]
    for name, content, code in cases:
        answer = client.post(api_url(ticket), {"file": upload(name, content)})
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == code
    assert client.post(api_url(ticket), {}).json()["error"]["code"] == "invalid_input"
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.usefixtures("scanner_down")
def test_api_quarantined_file_is_not_served(operator, ticket):
    client, _user = operator
    created = client.post(api_url(ticket), {"file": upload("cerere.pdf", PDF)}).json()
    assert created["scan"] == "quarantined"
    answer = client.get(f"{api_url(ticket)}{created['id']}/download/")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "file_quarantined"
    # The page answers the same in Romanian.
    answer = client.get(f"/solicitari/{ticket.pk}/fisiere/{created['id']}/descarcare/")
    assert answer.status_code == 409
    assert "verificarea antivirus" in answer.content.decode()


@pytest.mark.usefixtures("clamd")
def test_page_upload_with_htmx_and_without_javascript(operator, ticket, tenants):
    client, _user = operator
    url = f"/solicitari/{ticket.pk}/fisiere/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="file"' in page.content.decode() and "Nu sunt fișiere atașate" in (
        page.content.decode())

    answer = client.post(url, {"file": upload("cerere.pdf", PDF)}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "ticket-journal-changed" in answer["HX-Trigger"]
    html = answer.content.decode()
    assert 'id="ticket-attachments"' in html and "<html" not in html
    with schema_context(tenants.prov_a.schema_name):
        attachment = Attachment.objects.get(ticket_id=ticket.pk)
    assert f"/solicitari/{ticket.pk}/fisiere/{attachment.pk}/descarcare/" in html
    assert "Fișierul „cerere.pdf” a fost atașat." in html

    answer = client.post(url, {"file": upload("virus.txt", EICAR)}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "HX-Trigger" not in answer
    assert "conține un virus" in answer.content.decode()

    answer = client.post(url, {"file": upload("scrisoare.pdf", PDF)})
    assert answer.status_code == 302 and answer["Location"] == url
    answer = client.post(url, {"file": upload("virus.txt", EICAR)})
    assert answer.status_code == 400 and "conține un virus" in answer.content.decode()

    download = client.get(f"/solicitari/{ticket.pk}/fisiere/{attachment.pk}/descarcare/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    # The ticket page shows the same section.
    page = client.get(f"/solicitari/{ticket.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count(f"/fisiere/{attachment.pk}/descarcare/") == 1


@pytest.mark.usefixtures("clamd")
def test_another_tenant_never_reaches_the_attachment(operator, ticket, tenants, signed_in):
    client, _user = operator
    created = client.post(api_url(ticket), {"file": upload("cerere.pdf", PDF)}).json()
    other, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_b)
    for path in (f"{api_url(ticket)}{created['id']}/download/", api_url(ticket),
                 f"/solicitari/{ticket.pk}/fisiere/{created['id']}/descarcare/"):
        answer = other.get(path)
        assert answer.status_code == 404, path


@pytest.mark.usefixtures("clamd")
def test_another_institution_s_attachment_is_not_found_in_a_hub(tenants, client_for,
                                                                user_with_role):
    hub = hub_with_two_institutions(tenants.hub, user_with_role)
    with schema_context(tenants.hub.schema_name):
        of_y = add(hub.coordinator, hub.ticket_y, PDF, "y.pdf")
    client = client_for(tenants.hub)
    client.force_login(hub.limited.user)
    for path in (f"/api/v1/tickets/{hub.ticket_y.pk}/attachments/{of_y.pk}/download/",
                 f"/solicitari/{hub.ticket_y.pk}/fisiere/{of_y.pk}/descarcare/",
                 f"/api/v1/tickets/{hub.ticket_x.pk}/attachments/{of_y.pk}/download/"):
        assert client.get(path).status_code == 404, path
    answer = client.post(f"/api/v1/tickets/{hub.ticket_y.pk}/attachments/",
                         {"file": upload("y2.pdf", PDF)})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "ticket_not_found"
