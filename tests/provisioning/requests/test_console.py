"""AGE's console: the list with working days left and colours, the request page, actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.provisioning.requests.services import (
    connection_request_ask_info,
    connection_request_reject,
)
from sgsc.shared_apps.audit.models import AuditEvent
from tests.provisioning.requests.conftest import PDF_BYTES, hub_submission, local, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(signed_in: Callable[..., tuple[Client, Any]]) -> tuple[Client, Any]:
    return signed_in("age_onboarding_officer")


def _row_class(page: str, number: str) -> str:
    match = re.search(rf'<tr class="([^"]+)" data-number="{number}">', page)
    assert match is not None, number
    return match.group(1)


@pytest.fixture
def spread(submit, officer) -> dict[str, ConnectionRequest]:  # type: ignore[no-untyped-def]
    """Requests whose deadlines, seen on Tue 23 June 2026 at 10:00, are in every state."""
    with time_machine.travel(local(2026, 5, 25, 9, 0), tick=False):
        late = submit()  # deadline Tue 9 June (1 June is a holiday)
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        at_risk = submit()  # deadline Wed 24 June: 1 working day left
        paused = submit()
        connection_request_ask_info(connection_request=paused, actor=officer, message="?")
    with time_machine.travel(local(2026, 6, 17, 9, 0), tick=False):
        on_time = submit(institution_name="Inspectoratul Fiscal de test")  # deadline 1 July
        closed = submit()
        connection_request_reject(connection_request=closed, actor=officer, reasons="R",
                                  legal_basis="pct. 10")
    return {"late": late, "at_risk": at_risk, "paused": paused, "on_time": on_time,
            "closed": closed}


def test_list_shows_working_days_left_with_colours(console, spread, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    with time_machine.travel(local(2026, 6, 23, 10, 0), tick=False), assert_max_queries(12):
        response = client.get("/cereri/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/connection_requests/requests.css" in page
    for state, request in spread.items():
        assert _row_class(page, request.number) == f"deadline-{state}"
    assert "depășit cu 10 zile lucrătoare" in page  # 10 June .. 23 June
    assert "1 zi lucrătoare" in page
    assert "6 zile lucrătoare" in page  # 24, 25, 26, 29, 30 June, 1 July
    assert "suspendat (" in page


@pytest.mark.parametrize(("query", "expected"), [
    ("termen=late", {"late"}),
    ("termen=at_risk", {"at_risk"}),
    ("stare=needs_info", {"paused"}),
    ("stare=rejected", {"closed"}),
    ("q=Inspectoratul", {"on_time"}),
])
def test_list_filters(console, spread, query: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    with time_machine.travel(local(2026, 6, 23, 10, 0), tick=False):
        page = client.get(f"/cereri/?{query}").content.decode()
    shown = {state for state, request in spread.items() if request.number in page}
    assert shown == expected


def test_list_search_by_number_and_idno(console, spread) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    target = spread["late"]
    for term in (target.number, target.institution.idno):
        page = client.get("/cereri/", {"q": term}).content.decode()
        assert target.number in page and spread["on_time"].number not in page


def test_list_mode_filter_and_empty_states(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    assert "Nu a fost depusă încă nicio cerere" in client.get("/cereri/").content.decode()
    from sgsc.provisioning.requests.services import connection_request_submit

    hub = connection_request_submit(**hub_submission())
    individual = submit()
    page = client.get("/cereri/?mod=hub").content.decode()
    assert hub.number in page and individual.number not in page
    nothing = client.get("/cereri/?q=nu-exista").content.decode()
    assert "Nicio cerere nu corespunde filtrelor." in nothing


def test_list_paginates_and_keeps_filters(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    for _ in range(26):
        submit()
    first = client.get("/cereri/?stare=submitted").content.decode()
    assert "Pagina 1 din 2" in first
    assert "?stare=submitted&amp;pagina=2" in first
    second = client.get("/cereri/?stare=submitted&pagina=2").content.decode()
    assert second.count('data-number="CR-') == 1


@pytest.mark.parametrize("role", ["chancellery_reviewer", "asp_monitor"])
def test_console_needs_the_onboarding_capability(signed_in, submit, role: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(role)
    created = submit(documents=[("application", pdf())])
    document = created.documents.get()
    for url in ("/cereri/", f"/cereri/{created.pk}/",
                f"/cereri/{created.pk}/documente/{document.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/cereri/{created.pk}/actiuni/start-review/").status_code == 403
    created.refresh_from_db()
    assert created.status == "submitted"


def test_console_redirects_anonymous_to_sign_in(public_client: Client) -> None:
    response = public_client.get("/cereri/")
    assert response.status_code == 302 and "/autentificare/" in response["Location"]


def test_detail_shows_everything_and_downloads_documents(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, user = console
    created = submit(documents=[("application", pdf("cererea semnată.pdf"))])
    page = client.get(f"/cereri/{created.pk}/").content.decode()
    for text in (created.number, created.institution.name, created.institution.idno,
                 created.contact_idnp, "Telefon, E-mail", "Eliberarea certificatelor",
                 "cererea semnată.pdf", created.documents.get().sha256, "Cerere depusă",
                 "Începe examinarea", "Respinge", "Aprobă"):
        assert text in page, text
    document = created.documents.get()
    download = client.get(f"/cereri/{created.pk}/documente/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action="connection_request.document.download",
                                     actor=user).exists()
    assert client.get(f"/cereri/{created.pk}/documente/{document.pk + 999}/").status_code == 404
    assert client.get(f"/cereri/{created.pk + 999}/").status_code == 404


def test_plain_post_actions_walk_the_request_to_approval(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, user = console
    created = submit()
    url = f"/cereri/{created.pk}/actiuni"
    response = client.post(f"{url}/start-review/")
    assert response.status_code == 302 and response["Location"] == f"/cereri/{created.pk}/"
    assert "Examinarea a început." in client.get(response["Location"]).content.decode()
    assert client.post(f"{url}/ask-info/", {"ask_info-message": "Lipsește mandatul."}
                       ).status_code == 302
    assert client.post(f"{url}/info-provided/", {
        "info_provided-note": "Mandatul a sosit prin poștă.",
        "info_provided-document_other": [pdf("mandat.pdf")]}).status_code == 302
    assert client.post(f"{url}/approve/", {"approve-note": "Conform."}).status_code == 302
    created.refresh_from_db()
    assert created.status == "approved" and created.decided_by == user
    assert created.documents.get().original_name == "mandat.pdf"
    contract = Contract.objects.get(request=created)
    page = client.get(f"/cereri/{created.pk}/").content.decode()
    assert f'href="/contracte/{contract.pk}/"' in page
    assert "Începe examinarea</summary>" not in page  # no action left after the decision


def test_reject_without_reasons_shows_the_error_and_changes_nothing(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    created = submit()
    response = client.post(f"/cereri/{created.pk}/actiuni/reject/",
                           {"reject-reasons": "", "reject-legal_basis": "pct. 10"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Motivele respingerii sunt obligatorii." in page
    assert '<details class="action-dialog action-reject" open>' in page
    created.refresh_from_db()
    assert created.status == "submitted"


def test_wrong_transition_is_a_conflict_page(console, submit, officer) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    created = submit()
    connection_request_reject(connection_request=created, actor=officer, reasons="R",
                              legal_basis="pct. 10")
    response = client.post(f"/cereri/{created.pk}/actiuni/approve/")
    assert response.status_code == 409
    assert "acțiunea nu este permisă" in response.content.decode()
    assert client.post(f"/cereri/{created.pk}/actiuni/sterge/").status_code == 404
    assert client.get(f"/cereri/{created.pk}/actiuni/withdraw/").status_code == 405


def test_htmx_actions_answer_with_the_panel(console, submit) -> None:  # type: ignore[no-untyped-def]
    client, _ = console
    created = submit()
    response = client.post(f"/cereri/{created.pk}/actiuni/start-review/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Examinarea a început." in body
    assert "În examinare" in body
    refused = client.post(f"/cereri/{created.pk}/actiuni/reject/", {"reject-reasons": "x"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 200  # htmx swaps only 2xx: the error is in the panel
    assert "Temeiul legal al respingerii este obligatoriu." in refused.content.decode()
