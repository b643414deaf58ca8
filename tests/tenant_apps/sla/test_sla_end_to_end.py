"""The issue's done-when: a ticket registered on Friday afternoon, counted in working time across
the weekend and Orthodox Easter 2027, is warned exactly at its 75% working minute and breached
at 100%, with the journal entries, the notices and their e-mail copies.

Once with the clock moved (time-machine) and the monitor task run in the tenant, and once on a
real Celery worker sent the beat's dispatcher: a worker cannot see a moved clock, so there the
tickets' moments are set just behind the real now.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.workdays.calendar import public_holidays
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.sla.selectors import sla_figure, working_time
from sgsc.tenant_apps.sla.tasks import monitor
from sgsc.tenant_apps.tickets.access import ticket_access_for_user
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import ticket_assign
from sgsc.tenants.models import Domain, Tenant
from sgsc.tenants.services import tenant_create
from sgsc.tenants.tasks import fan_out
from tests.factories import UserFactory
from tests.subprocesses import celery_worker, subprocess_env
from tests.tenant_apps.notifications import fixtures
from tests.tenant_apps.notifications.fixtures import Crew, policy_for_medium, ticket_at

# The fixtures of prov-a's people (their conftest is in another folder).
access_as, crew, in_prov_a = fixtures.access_as, fixtures.crew, fixtures.in_prov_a

CHISINAU = ZoneInfo("Europe/Chisinau")
K = Notification.Kind
NOTHING = {"breached": 0, "warned": 0, "level_breached": 0}


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=CHISINAU)


def run_monitor_at(moment: datetime) -> dict[str, int]:
    """The task itself, in the tenant the connection is in, with the clock at ``moment``."""
    with time_machine.travel(moment, tick=False):
        result: dict[str, int] = monitor.apply().get()
        return result


def last_entry(ticket: Ticket) -> JournalEntry:
    entry = ticket.journal.order_by("seq").last()
    assert entry is not None
    return entry


@pytest.mark.django_db
def test_warning_and_breach_across_the_weekend_and_orthodox_easter(
        crew: Crew, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    holidays = public_holidays(2027)
    # Saturday 1 May (Labour Day), Easter Sunday 2 May, Easter Monday 3 May: none is worked.
    assert date(2027, 5, 1).weekday() == 5
    assert {date(2027, 5, 1), date(2027, 5, 2), date(2027, 5, 3)} <= set(holidays)
    assert date(2027, 5, 4) not in holidays and date(2027, 5, 5) not in holidays
    policy_for_medium(resolution_minutes=16 * 60)  # 16 working hours, warned at 75%

    with time_machine.travel(local(4, 30, 15), tick=False):  # Friday 15:00
        ticket = ticket_at(crew.operator, timezone.now())
        ticket = ticket_assign(access=crew.operator, ticket_id=ticket.pk,
                               assignee=crew.operator.user)
    # Friday 15-17 (120) + Tuesday 8-12, 13-17 (480) + Wednesday 8-10 (120) = 720 = 75%;
    # + Wednesday 10-12, 13-15 (240) = 960 = 100%.
    assert ticket.sla_warn_at == local(5, 5, 10)
    assert ticket.resolution_due_at == local(5, 5, 15)

    for quiet in (local(4, 30, 16, 59), local(5, 1, 12), local(5, 2, 12), local(5, 3, 12),
                  local(5, 4, 16, 59), local(5, 5, 9, 59)):
        assert run_monitor_at(quiet) == NOTHING, quiet
    ticket.refresh_from_db()
    before = sla_figure(ticket=ticket, now=local(5, 5, 9, 59), clock=working_time(),
                        warning_percent=75)
    assert (before.state, before.elapsed_minutes, before.percent) == ("running", 719, 74)

    with django_capture_on_commit_callbacks(execute=True):
        assert run_monitor_at(local(5, 5, 10)) == {**NOTHING, "warned": 1}
    ticket.refresh_from_db()
    assert ticket.sla_warned_at == local(5, 5, 10) and ticket.sla_breached_at is None
    warning = last_entry(ticket)
    assert (warning.kind, warning.actor, warning.at) == (JournalEntry.Kind.SLA, None,
                                                         local(5, 5, 10))
    assert warning.reason == "Avertizare SLA: 75% din termen consumat"
    assert warning.body == ("Timp lucrat: 720 din 960 minute lucrătoare (75%); termen de "
                            "soluționare: 05.05.2027 15:00. Rămân 240 minute lucrătoare.")
    people = {crew.operator.user.pk, crew.supervisor.user.pk}
    assert set(Notification.objects.filter(ticket=ticket, kind=K.SLA_WARNING)
               .values_list("recipient_id", flat=True)) == people
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [crew.operator.user.email, crew.supervisor.user.email])
    assert mail.outbox[0].subject == f"Termen aproape de expirare (75%): {ticket.number}"

    assert run_monitor_at(local(5, 5, 10, 1)) == NOTHING
    assert run_monitor_at(local(5, 5, 14, 59)) == NOTHING
    assert run_monitor_at(local(5, 5, 15)) == {**NOTHING, "breached": 1}
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == local(5, 5, 15)
    breach = last_entry(ticket)
    assert (breach.reason, breach.at) == ("Termen depășit", local(5, 5, 15))
    assert breach.body == ("Timp lucrat: 960 din 960 minute lucrătoare (100%); termen de "
                           "soluționare: 05.05.2027 15:00.")
    assert set(Notification.objects.filter(ticket=ticket, kind=K.SLA_BREACH)
               .values_list("recipient_id", flat=True)) == people
    assert run_monitor_at(local(5, 5, 16)) == NOTHING
    assert list(ticket.journal.order_by("seq").values_list("kind", flat=True)) == [
        "created", "assigned", "sla", "sla"]


# --- on a real worker ------------------------------------------------------------------------

@dataclass(frozen=True)
class Committed:
    tenant: Tenant
    operator: User
    supervisor: User
    warned: Ticket
    breached: Ticket


def _commit_world() -> Committed:
    """A tenant of its own with two tickets whose warning and deadline have just passed."""
    tenant = tenant_create(slug=f"sla-{uuid.uuid4().hex[:8]}", name="Monitorul SLA",
                           kind=Tenant.Kind.PROVIDER, status=Tenant.Status.ACTIVE)
    operator, supervisor = UserFactory(), UserFactory()
    Membership.objects.create(user=operator, tenant=tenant, roles=[TenantRole.L1_OPERATOR])
    Membership.objects.create(user=supervisor, tenant=tenant, roles=[TenantRole.SUPERVISOR])
    access = ticket_access_for_user(user=operator, tenant=tenant)
    now = timezone.now()
    with schema_context(tenant.schema_name):
        warned, breached = ticket_at(access, now), ticket_at(access, now)
        Ticket.objects.filter(pk__in=[warned.pk, breached.pk]).update(
            assignee=operator, status=Ticket.Status.OPEN)
        Ticket.objects.filter(pk=warned.pk).update(sla_warn_at=now - timedelta(minutes=1))
        Ticket.objects.filter(pk=breached.pk).update(
            sla_warn_at=now - timedelta(minutes=2), resolution_due_at=now - timedelta(minutes=1))
    connection.set_schema_to_public()
    return Committed(tenant=tenant, operator=operator, supervisor=supervisor, warned=warned,
                     breached=breached)


def _remove(world: Committed) -> None:
    """Close what the module made. The worker's audit events name the tenant and the people
    (the log is append-only), so the tenant stays, terminated and without its host, and the
    accounts stay, closed."""
    Membership.objects.filter(tenant=world.tenant).delete()
    Domain.objects.filter(tenant=world.tenant).delete()
    Tenant.objects.filter(pk=world.tenant.pk).update(status=Tenant.Status.TERMINATED)
    User.objects.filter(pk__in=[world.operator.pk, world.supervisor.pk]).update(
        is_active=False)


@pytest.fixture(scope="module")
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Committed]:
    with django_db_blocker.unblock():
        world = _commit_world()
    yield world
    with django_db_blocker.unblock():
        _remove(world)
        connection.set_schema_to_public()


@pytest.fixture(scope="module")
def worker(committed: Committed,
           django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    with celery_worker(subprocess_env(django_db_blocker)) as process:
        yield process


def _wait_for_alerts(world: Committed, timeout: float = 60) -> tuple[Ticket, Ticket]:
    deadline = time.monotonic() + timeout
    with schema_context(world.tenant.schema_name):
        while time.monotonic() < deadline:
            warned = Ticket.objects.get(pk=world.warned.pk)
            breached = Ticket.objects.get(pk=world.breached.pk)
            if warned.sla_warned_at and breached.sla_breached_at:
                return warned, breached
            time.sleep(0.2)
    raise AssertionError(f"the worker raised no alert within {timeout} s")


@pytest.mark.worker
@pytest.mark.django_db
def test_a_real_worker_sent_the_beat_dispatcher_raises_the_alerts(
        worker: subprocess.Popen[bytes], committed: Committed) -> None:
    # What beat's "sla-monitor-every-minute" entry sends.
    fan_out.apply_async(kwargs={"task_name": "sla.monitor"})
    warned, breached = _wait_for_alerts(committed)
    with schema_context(committed.tenant.schema_name):
        assert warned.sla_breached_at is None
        assert breached.sla_warned_at == breached.sla_breached_at  # superseded
        assert last_entry(warned).reason == "Avertizare SLA: 75% din termen consumat"
        assert last_entry(breached).reason == "Termen depășit"
        people = {committed.operator.pk, committed.supervisor.pk}
        for ticket, kind in ((warned, K.SLA_WARNING), (breached, K.SLA_BREACH)):
            assert set(Notification.objects.filter(ticket=ticket)
                       .values_list("recipient_id", "kind")) == {(pk, kind) for pk in people}
    # The next minute's run finds nothing more to raise.
    fan_out.apply_async(kwargs={"task_name": "sla.monitor"})
    time.sleep(3)
    with schema_context(committed.tenant.schema_name):
        assert JournalEntry.objects.filter(kind=JournalEntry.Kind.SLA).count() == 2
        assert Notification.objects.count() == 4
