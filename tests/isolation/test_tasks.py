"""Celery tasks sent from one tenant's schema with another tenant's ids (invariant 1).

tenant-schemas-celery carries the sender's schema in the ``_schema_name`` header and the
worker switches to it before the task runs. Each of our tasks is classified below; a task
registered without a class fails ``test_every_task_is_classified``. Each class is exercised
with ``task.apply(...)`` (the worker's code path, in process) inside ``schema_context`` of
prov-a, with prov-b's ids where the task takes ids:

- ``PUBLIC_ONLY``: works on platform rows in the public schema whatever the header says
  (AGE's jobs); prov-b's data must come out unchanged.
- ``CURRENT_SCHEMA``: takes no ids and acts on the schema it runs in; sent from prov-a it
  runs in prov-a and touches nothing of prov-b.
- ``FAN_OUT``: a dispatcher; each task it sends carries the schema of the tenant it is for,
  one per tenant (every active one at least, never the template), and none of prov-b's
  identifiers travels in the arguments.
- ``TENANT_SCOPED_BY_IDS``: takes ids of the sender's tenant; given prov-b's ids from prov-a
  it must refuse (a not-found style error) or do nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from celery import Celery
from celery.signals import task_prerun
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django_tenants.utils import schema_context

from sgsc.platform.celery import app
from sgsc.platform.errors import ApplicationError
from sgsc.tenants.selectors import tenant_list_active, tenant_list_real
from tests.isolation.probe import REPORT
from tests.isolation.world import World
from tests.shared_apps.exchange.factories import exchange_make

PUBLIC_ONLY = "PUBLIC_ONLY"
CURRENT_SCHEMA = "CURRENT_SCHEMA"
FAN_OUT = "FAN_OUT"
TENANT_SCOPED_BY_IDS = "TENANT_SCOPED_BY_IDS"
# What "refused" looks like for a task handed ids that are not its tenant's.
NOT_FOUND_ERRORS = (ApplicationError, ObjectDoesNotExist)
METERED_DAY = "2026-01-12"  # the day of prov-b's seeded usage record


@dataclass(frozen=True)
class TaskClass:
    kind: str
    why: str
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


TASKS: dict[str, TaskClass] = {
    "tenants.fan_out": TaskClass(
        FAN_OUT, "beat's dispatcher for jobs about every tenant",
        kwargs=lambda world: {"task_name": "audit.verify_current_chain"}),
    "usage.meter_dispatch": TaskClass(
        FAN_OUT, "sends the nightly metering to every tenant, with the day",
        kwargs=lambda world: {"day": METERED_DAY}),
    "usage.meter_tenant": TaskClass(
        CURRENT_SCHEMA, "meters one day of the tenant whose schema it runs in",
        kwargs=lambda world: {"day": METERED_DAY}),
    "audit.verify_current_chain": TaskClass(
        CURRENT_SCHEMA, "checks the audit chain of the schema it runs in"),
    "onboarding.provision": TaskClass(
        PUBLIC_ONLY, "AGE turns a signed contract into a tenant; runs in public",
        kwargs=lambda world: {"contract_id": world.victim_b.ids["contract"]}),
    "onboarding.deadline_alerts": TaskClass(
        PUBLIC_ONLY, "e-mails AGE staff about onboarding deadlines (platform rows)"),
    "identity.expire_memberships": TaskClass(
        PUBLIC_ONLY, "ends every membership whose end date passed; runs in public"),
    "mlog.drain": TaskClass(PUBLIC_ONLY, "ships the platform's audit outbox to MLog"),
    "sla.monitor": TaskClass(
        CURRENT_SCHEMA, "raises the SLA warnings and breaches due in the schema it runs in"),
    "tickets.housekeeping": TaskClass(
        CURRENT_SCHEMA, "closes and archives the due tickets of the schema it runs in"),
    # The world seeds no exchange and one made now with prov-b would itself change prov-b's
    # fingerprint: the exchanges given are the hub's, with prov-a on the side the task may
    # not act for (a wrong delivery would register a ticket in prov-a and return its number).
    "exchange.deliver": TaskClass(
        TENANT_SCOPED_BY_IDS, "delivers only an exchange the tenant of its schema sent",
        kwargs=lambda world: {"exchange_id": str(exchange_make(
            source=world.hub, target=world.prov_a).pk)}),
    "exchange.relay_answers": TaskClass(
        TENANT_SCOPED_BY_IDS, "relays only the answers of an exchange its tenant received",
        kwargs=lambda world: {"exchange_id": str(exchange_make(
            source=world.prov_a, target=world.hub, target_ticket_id=1).pk)}),
    "exchange.resend_stalled": TaskClass(
        PUBLIC_ONLY, "sends a lost delivery again, from the schema of the exchange's source"),
    "tickets.attachments_rescan": TaskClass(
        CURRENT_SCHEMA, "scans again the quarantined attachments of the schema it runs in"),
}


def _our_tasks() -> list[str]:
    app.loader.import_default_modules()  # autodiscovery is lazy
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_every_task_is_classified() -> None:
    ours = _our_tasks()
    missing = sorted(set(ours) - set(TASKS))
    assert not missing, (
        f"Celery task(s) {missing} have no isolation class: add each to TASKS in "
        f"{__file__} (PUBLIC_ONLY, CURRENT_SCHEMA, FAN_OUT or TENANT_SCOPED_BY_IDS with a "
        "function giving another tenant's ids), so the proof sends it across tenants")
    gone = sorted(set(TASKS) - set(ours))
    assert not gone, f"TASKS lists task(s) that no longer exist: {gone}"
    assert len(ours) >= 5


@contextmanager
def _schemas_seen() -> Iterator[list[str]]:
    """The schema each task really ran in (recorded after tenant-schemas-celery switched)."""
    seen: list[str] = []

    def record(**kwargs: Any) -> None:
        seen.append(connection.schema_name)

    task_prerun.connect(record, weak=False, dispatch_uid="isolation-schemas-seen")
    try:
        yield seen
    finally:
        task_prerun.disconnect(dispatch_uid="isolation-schemas-seen")


@contextmanager
def _sends() -> Iterator[list[dict[str, Any]]]:
    """What a task sends, captured instead of going to the broker (after CeleryApp added
    the schema header)."""
    sent: list[dict[str, Any]] = []

    def capture(self: Celery, name: str, args: Any = None, kwargs: Any = None,
                **options: Any) -> None:
        sent.append({"name": name, "args": args, "kwargs": kwargs,
                     "schema": (options.get("headers") or {}).get("_schema_name")})

    with mock.patch.object(Celery, "send_task", capture):
        yield sent


def _apply_from_a(world: World, name: str, kwargs: dict[str, Any]) -> Any:
    _our_tasks()
    with schema_context(world.prov_a.schema_name):
        result = app.tasks[name].apply(kwargs=kwargs)
    connection.set_schema_to_public()
    return result


@pytest.mark.parametrize("name", sorted(TASKS))
def test_task_sent_from_a_with_b_ids_touches_nothing_of_b(name: str, world: World,
                                                           db: None) -> None:
    task_class = TASKS[name]
    kwargs = task_class.kwargs(world)
    with _schemas_seen() as seen, _sends() as sent:
        result = _apply_from_a(world, name, kwargs)
    # The header carried the sender's schema to the worker side.
    assert seen[:1] == [world.prov_a.schema_name], seen

    if result.failed():
        error = result.result
        assert task_class.kind in (TENANT_SCOPED_BY_IDS, PUBLIC_ONLY) and isinstance(
            error, NOT_FOUND_ERRORS), f"{name} crashed: {error!r}\n{result.traceback}"
    if task_class.kind == FAN_OUT:
        schemas = [s["schema"] for s in sent]
        assert len(schemas) == len(set(schemas)), f"a tenant was sent twice: {schemas}"
        assert set(tenant_list_active().values_list("schema_name", flat=True)) <= set(
            schemas) <= set(tenant_list_real().values_list("schema_name", flat=True))
        b_values = {c.value for c in world.victim_b.candidates}
        carried = {str(value) for s in sent
                   for value in [*(s["args"] or []), *(s["kwargs"] or {}).values()]}
        assert not carried & b_values, f"prov-b's identifiers travel in {sent}"
    elif task_class.kind == TENANT_SCOPED_BY_IDS:
        assert result.failed() or not result.result, (
            f"{name} acted on prov-b's ids sent from prov-a: {result.result!r}")
    changed = world.snapshot_b.differences(world.victim_b.fingerprint(),
                                           chain=world.victim_b.chain)
    assert not changed, f"{name} sent from prov-a changed prov-b's data: {changed}"
    REPORT.tasks[name] = task_class.kind
