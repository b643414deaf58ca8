"""The phone channel's configuration pages: lines and extensions (the catalogue's sections),
and the PBX connectors, whose key is shown once; refusals keep their codes and are audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.errors import NotAuthenticated
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.telephony.models import Connector, Extension, PhoneLine
from sgsc.tenant_apps.telephony.services import connector_authenticate
from tests.factories import InstitutionFactory
from tests.shared_apps.identity.member_helpers import hub_institutions, refusal
from tests.tenant_apps.telephony.calls import ingest
from tests.tenant_apps.telephony.conftest import call_event
from tests.tenant_apps.tickets.web_helpers import error_code, page

pytestmark = pytest.mark.django_db
LINES = "/configurare/telefonie/linii/"
EXTENSIONS = "/configurare/telefonie/interioare/"
CONNECTORS = "/configurare/telefonie/conectori/"


def _line(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {"number": "022 123 456", "name": "Linia verde",
                               "institution": "", "service": "", "is_active": "on"}
    data.update(fields)
    return data


def test_the_configuration_home_leads_to_the_phone_pages(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    admin, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    home = page(admin.get("/configurare/"))
    for url in (LINES, EXTENSIONS, CONNECTORS):
        assert f'href="{url}"' in home
    operator, _user = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    for url in (LINES, LINES + "nou/", EXTENSIONS, CONNECTORS, CONNECTORS + "nou/"):
        assert operator.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", object_id=CONNECTORS,
                                     details__capability="tickets.configure").exists()


def test_lines_are_added_searched_changed_and_switched_off(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    service = Service.objects.create(code="CERT", name="Certificat de cazier")
    admin, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    assert "Nicio linie telefonică." in page(admin.get(LINES))
    form = page(admin.get(LINES + "nou/"))
    assert 'name="number"' in form and f'<option value="{service.pk}">CERT' in form
    added = admin.post(LINES + "nou/", _line(service=service.pk))
    assert added.status_code == 302 and added["Location"] == LINES
    line = PhoneLine.objects.get()
    assert (line.number, line.name, line.service_id, line.is_active) == (
        "37322123456", "Linia verde", service.pk, True)
    listed = page(admin.get(LINES))
    assert "+37322123456" in listed and "Linia verde" in listed and "CERT" in listed
    # The number is found typed in any form; a name by its words.
    assert "Linia verde" in page(admin.get(LINES, {"q": "022 123"}))
    assert "Linia verde" in page(admin.get(LINES, {"q": "+373 22 12"}))
    assert "Linia verde" in page(admin.get(LINES, {"q": "verde"}))
    assert "Nicio înregistrare nu corespunde" in page(admin.get(LINES, {"q": "079"}))
    changed = admin.post(LINES + f"{line.pk}/", _line(name="Linia fierbinte", service=""))
    assert changed.status_code == 302
    line.refresh_from_db()
    assert (line.name, line.service_id) == ("Linia fierbinte", None)
    assert AuditEvent.objects.filter(action="config.phoneline.update", object_id=str(line.pk),
                                     details__changes__name=["Linia verde",
                                                             "Linia fierbinte"]).exists()
    question = page(admin.get(LINES + f"{line.pk}/activare/"))
    assert "Dezactivați „+37322123456 Linia fierbinte”?" in question
    assert admin.post(LINES + f"{line.pk}/activare/").status_code == 302
    line.refresh_from_db()
    assert line.is_active is False


def test_the_lines_list_has_pages(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    PhoneLine.objects.bulk_create(PhoneLine(number=f"3732200{index:04d}", name=f"Linia {index}")
                                  for index in range(30))
    admin, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    first = page(admin.get(LINES))
    assert "Pagina 1 din 2" in first and "+37322000024" in first and "+37322000025" not in first
    assert "+37322000029" in page(admin.get(LINES, {"pagina": 2}))


def test_bad_lines_are_refused_with_their_codes(signed_in, tenants, in_prov_a, pbx) -> None:  # type: ignore[no-untyped-def]
    admin, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    PhoneLine.objects.create(number="37322123456", name="Existentă")
    for data, code in ((_line(number="12"), "invalid_phone"),
                       (_line(number="+373 22 123 456"), "duplicate_number"),
                       (_line(number="022 999 999", name=""), "required"),
                       (_line(number="022 999 999", service=999_999), "unknown_service")):
        response = admin.post(LINES + "nou/", data)
        assert response.status_code == 400, code
        assert 'class="field-error"' in page(response)
        assert refusal("config.phoneline.create", code) is not None, code
    assert PhoneLine.objects.count() == 1
    # A line that calls came in on is kept: it can be switched off, not deleted.
    connector, _key = pbx
    ingest(connector, [call_event("call.ringing", "c-kept", timezone.now(), to="022123456")])
    line = PhoneLine.objects.get()
    blocked = page(admin.get(LINES + f"{line.pk}/stergere/"))
    assert "nu poate fi șters" in blocked and "Dezactivați-l în schimb" in blocked
    refused = admin.post(LINES + f"{line.pk}/stergere/")
    assert refused.status_code == 409 and PhoneLine.objects.filter(pk=line.pk).exists()
    assert refusal("config.phoneline.delete", "in_use") is not None
    unused = PhoneLine.objects.create(number="37322000000", name="Nefolosită")
    assert admin.post(LINES + f"{unused.pk}/stergere/").status_code == 302
    assert not PhoneLine.objects.filter(pk=unused.pk).exists()


def test_a_hub_line_belongs_to_a_served_institution(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    ours, _theirs = hub_institutions(tenants.hub, 2)
    stranger = InstitutionFactory()  # not a member of the hub
    coordinator, _user = signed_in(TenantRole.COORDINATOR, tenants.hub)
    with schema_context(tenants.hub.schema_name):
        form = page(coordinator.get(LINES + "nou/"))
        offered = form.split('name="institution"', 1)[1].split("</select>", 1)[0]
        assert ours.name in offered and stranger.name not in offered
        forged = coordinator.post(LINES + "nou/", _line(institution=stranger.pk))
        assert forged.status_code == 400 and not PhoneLine.objects.exists()
        assert refusal("config.phoneline.create", "institution_not_allowed") is not None
        assert coordinator.post(LINES + "nou/", _line(institution=ours.pk)).status_code == 302
        assert PhoneLine.objects.get().institution_id == ours.pk


def test_extensions_go_to_people_who_work_tickets(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    admin, _admin = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    _c, operator = signed_in(TenantRole.L1_OPERATOR, tenants.prov_a)
    _c, auditor = signed_in(TenantRole.AUDITOR, tenants.prov_a)
    assert "Niciun interior." in page(admin.get(EXTENSIONS))
    form = page(admin.get(EXTENSIONS + "nou/"))
    offered = form.split('name="user"', 1)[1].split("</select>", 1)[0]
    assert operator.email in offered and auditor.email not in offered
    assert admin.post(EXTENSIONS + "nou/", {"user": operator.pk, "number": "201"}).status_code == 302
    extension = Extension.objects.get()
    assert (extension.user_id, extension.number) == (operator.pk, "201")
    listed = page(admin.get(EXTENSIONS))
    assert "201" in listed and operator.email in listed
    assert "201" in page(admin.get(EXTENSIONS, {"q": operator.email}))
    # Who has one is no longer offered a second; their own form keeps them.
    assert operator.email not in page(admin.get(EXTENSIONS + "nou/")).split(
        'name="user"', 1)[1].split("</select>", 1)[0]
    assert f'value="{operator.pk}" selected' in page(admin.get(EXTENSIONS + f"{extension.pk}/"))
    for data, code in (({"user": auditor.pk, "number": "202"}, "not_an_operator"),
                       ({"user": operator.pk, "number": "203"}, "duplicate_extension"),
                       ({"user": _admin.pk, "number": "201"}, "duplicate_extension"),
                       ({"user": _admin.pk, "number": "2O2"}, "invalid_extension"),
                       ({"user": "", "number": "204"}, "required")):
        response = admin.post(EXTENSIONS + "nou/", data)
        assert response.status_code == 400, code
        assert refusal("config.extension.create", code) is not None, code
    assert Extension.objects.count() == 1
    assert admin.post(EXTENSIONS + f"{extension.pk}/", {"user": operator.pk,
                                                        "number": "299"}).status_code == 302
    extension.refresh_from_db()
    assert extension.number == "299"
    assert "Ștergeți „299”?" in page(admin.get(EXTENSIONS + f"{extension.pk}/stergere/"))
    assert admin.post(EXTENSIONS + f"{extension.pk}/stergere/").status_code == 302
    assert not Extension.objects.exists()


def test_a_connector_key_is_shown_once_and_can_be_revoked(signed_in, tenants, in_prov_a) -> None:  # type: ignore[no-untyped-def]
    admin, user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    assert "Niciun conector." in page(admin.get(CONNECTORS))
    empty = admin.post(CONNECTORS + "nou/", {"name": "  "})
    assert empty.status_code == 400 and error_code(page(empty)) == "required"
    assert not Connector.objects.exists()
    created = admin.post(CONNECTORS + "nou/", {"name": "Asterisk sediu"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    shown = page(created)
    key = re.search(r'id="connector-key"[^>]* value="([^"]+)"', shown)
    assert key is not None
    connector = Connector.objects.get()
    assert connector_authenticate(key=key.group(1)) == connector
    assert (connector.name, connector.created_by_id) == ("Asterisk sediu", user.pk)
    assert "http://prov-a." in shown and "/api/v1/telephony/events/" in shown
    assert "Authorization: Connector" in shown and "telephony-protocol" in shown
    listed = page(admin.get(CONNECTORS))
    assert "Asterisk sediu" in listed and f"{connector.prefix}…" in listed
    assert key.group(1) not in listed and "niciodată" in listed
    question = admin.get(CONNECTORS + f"{connector.pk}/revocare/")
    assert "Revocați conectorul „Asterisk sediu”?" in page(question)
    assert admin.post(CONNECTORS + f"{connector.pk}/revocare/").status_code == 302
    connector.refresh_from_db()
    assert connector.revoked_at is not None
    assert "revocat" in page(admin.get(CONNECTORS))
    with pytest.raises(NotAuthenticated):
        connector_authenticate(key=key.group(1))
    again = admin.post(CONNECTORS + f"{connector.pk}/revocare/")
    assert again.status_code == 409 and error_code(page(again)) == "already_revoked"
    assert refusal("config.connector.revoke", "already_revoked") is not None
    assert admin.get(CONNECTORS + "999999/revocare/").status_code == 404


def test_a_connector_used_recently_shows_when(signed_in, tenants, in_prov_a, pbx) -> None:  # type: ignore[no-untyped-def]
    connector, _key = pbx
    moment = timezone.now() - timedelta(hours=3)
    Connector.objects.filter(pk=connector.pk).update(last_used_at=moment)
    admin, _user = signed_in(TenantRole.TENANT_ADMIN, tenants.prov_a)
    listed = page(admin.get(CONNECTORS))
    assert timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") in listed
