"""Every route, every scenario: see the package docstring for the rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.isolation.probe import REPORT, Scenario, probe_route
from tests.isolation.routes import Route, routes_of
from tests.isolation.world import Snapshot, Victim, World

PUBLIC_ROUTES = routes_of("public")
TENANT_ROUTES = routes_of("tenant")
REPORT.routes.update({"public": len(PUBLIC_ROUTES), "tenant": len(TENANT_ROUTES)})

# Floors: the enumeration must keep finding at least this much (it only grows).
MIN_PUBLIC_ROUTES = 60
MIN_TENANT_ROUTES = 15
MIN_ROUTES_WITH_PARAMETERS = 35

# (scenario, route template) -> why it leaks today. Each is xfail(strict=True): the suite
# stays green until the product is fixed, and then insists the entry be removed.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def _params(scenario: str, routes: list[Route]) -> list[object]:
    return [pytest.param(route, id=route.test_id, marks=[pytest.mark.xfail(
                strict=True, reason=KNOWN_LEAKS[(scenario, route.template)])]
            if (scenario, route.template) in KNOWN_LEAKS else [])
            for route in routes]


def _prove(route: Route, scenario: Scenario, victim: Victim, before: Snapshot) -> None:
    attempts, failures = probe_route(route, scenario)
    changed = before.differences(victim.fingerprint(), chain=victim.chain)
    if changed:
        failures.append(f"{victim.label}'s data changed: {changed}")
    if failures:
        shown = "\n  ".join(failures[:40])
        more = f"\n  … and {len(failures) - 40} more" if len(failures) > 40 else ""
        pytest.fail(f"{scenario.name}: /{route.template} ({route.name}) is not isolated, "
                    f"{len(failures)} of {attempts} attempts:\n  {shown}{more}", pytrace=False)
    assert attempts > 0


ScenarioFactory = Callable[[World], Scenario]

SCENARIOS: dict[str, ScenarioFactory] = {
    "own-host": lambda w: Scenario("prov-a member with every role, on prov-a, asks for "
                                   "prov-b's objects", w.attacker_a, w.prov_a, w.victim_b),
    "victim-host": lambda w: Scenario("prov-a member's session/token on prov-b's host",
                                      w.attacker_a, w.prov_b, w.victim_b),
    "public-host": lambda w: Scenario("prov-a member (no platform role) on the public host",
                                      w.attacker_a, None, w.victim_b),
    "hub-scope": lambda w: Scenario("hub l1_operator limited to X asks for Y's objects",
                                    w.operator_x, w.hub, w.victim_y),
}


@pytest.mark.parametrize("route", _params("own-host", TENANT_ROUTES))
def test_own_host_refuses_other_tenants_objects(route: Route, world: World, db: None) -> None:
    _prove(route, SCENARIOS["own-host"](world), world.victim_b, world.snapshot_b)


@pytest.mark.parametrize("route", _params("victim-host", TENANT_ROUTES))
def test_session_and_token_count_for_nothing_on_another_tenants_host(
        route: Route, world: World, db: None) -> None:
    _prove(route, SCENARIOS["victim-host"](world), world.victim_b, world.snapshot_b)


@pytest.mark.parametrize("route", _params("public-host", PUBLIC_ROUTES))
def test_tenant_member_without_platform_role_is_refused_on_the_public_host(
        route: Route, world: World, db: None) -> None:
    _prove(route, SCENARIOS["public-host"](world), world.victim_b, world.snapshot_b)


@pytest.mark.parametrize("route", _params("hub-scope", TENANT_ROUTES))
def test_hub_operator_limited_to_x_never_reaches_y(route: Route, world: World,
                                                   db: None) -> None:
    _prove(route, SCENARIOS["hub-scope"](world), world.victim_y, world.snapshot_y)


def test_enumeration_finds_every_kind_of_route() -> None:
    """The walk must not silently shrink: floors, and parameters of every converter seen."""
    with_params = [r for r in PUBLIC_ROUTES + TENANT_ROUTES if r.params]
    assert len(PUBLIC_ROUTES) >= MIN_PUBLIC_ROUTES, [r.template for r in PUBLIC_ROUTES]
    assert len(TENANT_ROUTES) >= MIN_TENANT_ROUTES, [r.template for r in TENANT_ROUTES]
    assert len(with_params) >= MIN_ROUTES_WITH_PARAMETERS
    templates = {r.template for r in PUBLIC_ROUTES + TENANT_ROUTES}
    # Routes coming from nested includes, of each converter type, are all there.
    assert {"audit/<int:pk>/", "activare/<str:token>/", "prestatori/<slug:slug>/",
            "cereri/<int:pk>/documente/<int:document_pk>/"} <= templates
    assert {"", "autentificare/", "i18n/setlang/", "api/schema/"} <= {
        r.template for r in TENANT_ROUTES}
