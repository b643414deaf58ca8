"""Controls for the proof: the attackers really are signed in with their powers, so the
refusals the proof sees come from isolation and scoping, not from a broken sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.telephony.models import Call
from tests.conftest import host_of
from tests.isolation.probe import client_for
from tests.isolation.routes import TENANT_URLCONF
from tests.isolation.world import Attacker, World, session_for


def _signed_in(attacker: Attacker) -> Client:
    client = client_for(host_of(attacker.tenant), "attacker")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_for(
        attacker.user, schema=attacker.tenant.schema_name)
    return client


def test_the_prov_a_attacker_holds_every_role_at_home(world: World, db: None) -> None:
    attacker = world.attacker_a
    client = _signed_in(attacker)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert world.victim_b.markers[0] not in response.content.decode()
    assert set(attacker.roles) == {role.value for role in TenantRole}
    assert client.get("/audit/").status_code == 200


def test_the_hub_operator_sees_institution_x_but_not_y(world: World, db: None) -> None:
    try:
        path_x = reverse("served-institution-detail", urlconf=TENANT_URLCONF,
                         kwargs={"pk": world.institution_x.pk})
        path_y = reverse("served-institution-detail", urlconf=TENANT_URLCONF,
                         kwargs={"pk": world.institution_y.pk})
    except NoReverseMatch:  # the served-institutions pages are not there (yet)
        return
    client = _signed_in(world.operator_x)
    seen = client.get(path_x)
    assert seen.status_code == 200
    assert world.institution_x.name in seen.content.decode()
    assert client.get(path_y).status_code in (403, 404)


def _report_a_call(host: str, key: str, call_id: str) -> HttpResponse:
    event = {"event_id": f"{call_id}.r", "type": "call.ringing", "call_id": call_id,
             "at": timezone.now().isoformat(), "direction": "inbound",
             "from": "060000444", "to": "022900111"}
    client = client_for(host, "pbx")
    return client.post("/api/v1/telephony/events/", {"events": [event]},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Connector {key}")


def test_the_prov_a_connector_key_reports_calls_only_to_prov_a(world: World, db: None) -> None:
    """The control: the attacker's PBX key works at home; the proof: on prov-b's host (and
    the hub's, and the public host) it is refused, nothing is stored there and the refusal
    is on the victim's audit chain."""
    key = world.attacker_a.connector_key
    home = _report_a_call(host_of(world.prov_a), key, "CONTROL-A-1")
    assert home.status_code == 202, home.content
    assert home.json()["results"][0]["status"] == "accepted"
    for tenant in (world.prov_b, world.hub, None):
        refused = _report_a_call(host_of(tenant), key, "CONTROL-A-2")
        assert refused.status_code in (401, 404), refused.content
        if tenant is not None:
            assert (refused.status_code, refused.json()["error"]["code"]) == (
                401, "connector_invalid")
    connection.set_schema_to_public()
    assert not world.snapshot_b.differences(world.victim_b.fingerprint(),
                                            chain=world.victim_b.chain)
    with schema_context(world.prov_b.schema_name):
        assert not Call.objects.filter(pbx_call_id__startswith="CONTROL-").exists()
    assert AuditEvent.objects.filter(action="telephony.connector.authenticate",
                                     outcome=AuditEvent.Outcome.FAILURE,
                                     chain=world.prov_b.schema_name).exists()
