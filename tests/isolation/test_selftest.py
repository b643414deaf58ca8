"""The proof can fail: a route that shows another tenant's member (also written as a
regular expression inside an include, as DRF routers do), and one that writes to it while
answering 404, are all caught."""

from __future__ import annotations

from django.test import override_settings

from tests.isolation.probe import probe_route
from tests.isolation.routes import routes_of
from tests.isolation.test_routes import SCENARIOS
from tests.isolation.world import World

LEAKY_URLCONF = "tests.isolation.leaky_urls"


@override_settings(ROOT_URLCONF=LEAKY_URLCONF)
def test_a_leaking_route_and_a_cross_tenant_write_are_caught(world: World, db: None) -> None:
    routes = {r.template: r for r in routes_of("tenant", LEAKY_URLCONF)}
    scenario = SCENARIOS["own-host"](world)

    _count, failures = probe_route(routes["scurgere/<int:pk>/"], scenario, record=False)
    assert any("B's membership" in f and "shows prov-b's data" in f for f in failures), failures

    _count, failures = probe_route(routes["vechi/membri/(?P<pk>[0-9]+)/$"], scenario,
                                   record=False)
    assert any("B's membership" in f and "shows prov-b's data" in f for f in failures), failures

    _count, failures = probe_route(routes["nota/<int:pk>/"], scenario, record=False)
    assert not failures  # every answer is a 404 without markers...
    changed = world.snapshot_b.differences(world.victim_b.fingerprint(),
                                           chain=world.victim_b.chain)
    assert "identity.Membership.tenant=B" in changed  # ...but prov-b's data changed
