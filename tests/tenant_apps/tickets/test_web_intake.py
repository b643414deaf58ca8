"""Phone intake: registration in a few fields, the live look-up of a known requester, the
service typed by code, written requests entered by hand, and the refusals of bad input."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import TicketInput, ticket_create
from tests.tenant_apps.tickets.conftest import VALID_IDNP
from tests.tenant_apps.tickets.web_helpers import error_code, limited_hub_operator, page, worker

pytestmark = pytest.mark.django_db
URL = "/solicitari/apel/"


def _call(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {"phone": "069 123 456", "name": "", "idnp": "", "idno": "",
                               "email": "", "channel": "phone", "service_code": "",
                               "title": "Nu primesc certificatul", "description": "",
                               "subject": "", "category": "", "impact": 2, "urgency": 2}
    data.update(fields)
    return data


def test_the_form_starts_at_the_phone_and_offers_the_catalogue(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    Service.objects.create(code="CERT", name="Certificat de cazier")
    Service.objects.create(code="VECHI", name="Retras", is_active=False)
    client, _user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    html = page(client.get(URL))
    assert 'type="tel" name="phone"' in html and "autofocus" in html.split('name="phone"')[1][:80]
    assert '<option value="CERT · Certificat de cazier">' in html and "VECHI" not in html
    assert 'list="service-options"' in html and "data-submit-shortcut" in html
    assert '<option value="phone" selected>' in html and 'name="institution"' not in html
    written = page(client.get(URL, {"canal": "email"}))
    assert '<option value="email" selected>' in written and "Solicitare nouă" in written
    # The navigation offers the intake and the queues to those who work tickets.
    assert 'href="/solicitari/apel/"' in page(client.get("/"))
    assert 'href="/solicitari/"' in page(client.get("/"))
    auditor, _ = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    assert auditor.get(URL).status_code == 403 and 'href="/solicitari/"' not in page(auditor.get("/"))


def test_a_call_becomes_a_ticket(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    cert = Service.objects.create(code="CERT", name="Certificat de cazier")
    client, user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    response = client.post(URL, _call(name="Ion Popescu", idnp=VALID_IDNP,
                                      service_code="CERT · Certificat de cazier", urgency=1))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/solicitari/{ticket.pk}/"
    assert (ticket.channel, ticket.service_id, ticket.urgency, ticket.created_by_id) == (
        "phone", cert.pk, 1, user.pk)
    assert (ticket.contact.phone, ticket.contact.idnp, ticket.contact.kind) == (
        "37369123456", VALID_IDNP, "citizen")
    shown = page(client.get(response["Location"]))
    assert f"Solicitarea {ticket.number} a fost înregistrată." in shown
    # The code alone is enough; a written request keeps its channel.
    assert client.post(URL, _call(service_code=" CERT ", channel="email", phone="",
                                  email="ion@example.md")).status_code == 302
    second = Ticket.objects.latest("id")
    assert (second.service_id, second.channel) == (cert.pk, "email")


def test_bad_input_is_refused_with_its_code(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    client, _user, _access = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    unknown = client.post(URL, _call(service_code="NU-EXISTA"))
    assert unknown.status_code == 400 and error_code(page(unknown)) == "unknown_service"
    assert "Serviciul „NU-EXISTA” nu există în catalog." in page(unknown)
    idnp = client.post(URL, _call(idnp="2002001234560"))
    assert idnp.status_code == 400 and error_code(page(idnp)) == "invalid_idnp"
    assert page(idnp).count('class="field-error"') == 1
    nobody = client.post(URL, _call(phone=""))
    assert nobody.status_code == 400 and error_code(page(nobody)) == "requester_required"
    phone = client.post(URL, _call(phone="12"))
    assert phone.status_code == 400 and error_code(page(phone)) == "invalid_phone"
    untitled = client.post(URL, _call(title=""))
    assert untitled.status_code == 400 and "Indicați titlul solicitării." in page(untitled)
    channel = client.post(URL, _call(channel="fax"))
    assert channel.status_code == 400
    empty = client.post(URL, {})
    assert empty.status_code == 400 and "Indicați titlul solicitării." in page(empty)
    assert not Ticket.objects.exists()
    assert AuditEvent.objects.filter(action="ticket.create", outcome="failure",
                                     details__code="invalid_idnp").exists()


def test_live_look_up_of_a_known_requester(signed_in, tenants, in_prov_a, new_ticket) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator = worker(signed_in, TenantRole.L1_OPERATOR, tenants.prov_a)
    open_ticket = new_ticket(operator, requester=Requester(name="Ion Popescu",
                                                           phone="069123456", idnp=VALID_IDNP))
    lookup = "/solicitari/apel/solicitant/"
    found = page(client.get(lookup, {"phone": "+373 69 123 456"}, HTTP_HX_REQUEST="true"))
    assert "Ion Popescu" in found and open_ticket.number in found and "<html" not in found
    assert open_ticket.number in page(client.get(lookup, {"idnp": VALID_IDNP}))
    assert "Solicitant nou" in page(client.get(lookup, {"phone": "079000000"}))
    assert "Solicitant nou" not in page(client.get(lookup, {"phone": "12", "idnp": "123"}))


def test_a_limited_hub_operator_registers_for_their_institution(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user, operator, coordinator, ours, theirs = limited_hub_operator(signed_in,
                                                                       tenants.hub)
    with schema_context(tenants.hub.schema_name):
        theirs_ticket = ticket_create(access=coordinator, data=TicketInput(
            channel="phone", title="A lor", requester=Requester(phone="069555444"),
            institution_id=theirs.pk))
        form = page(client.get(URL))
        offered = form.split('name="institution"', 1)[1].split("</select>", 1)[0]
        assert ours.name in offered and theirs.name not in offered
        assert f'value="{ours.pk}" selected' in offered
        # The requester is known, but the other institution's ticket is not shown.
        found = page(client.get("/solicitari/apel/solicitant/", {"phone": "069555444"}))
        assert theirs_ticket.number not in found and "Nicio solicitare deschisă." in found
        assert client.post(URL, _call(phone="069555444", institution=ours.pk)).status_code == 302
        assert Ticket.objects.latest("id").institution_id == ours.pk
        forged = client.post(URL, _call(institution=theirs.pk))
        assert forged.status_code == 403 and error_code(page(forged)) == "institution_not_served"
    assert operator.institution_scope == frozenset({ours.pk})
