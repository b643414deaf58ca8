"""Sending notices (one per person, no second unread one, an e-mail copy after commit only),
marking them read, and the notices of assignment and escalation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction

from sgsc.platform.errors import InvalidInput, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.catalog.models import TeamMember
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.notifications.selectors import notification_unread_count
from sgsc.tenant_apps.notifications.services import (
    notification_mark_read,
    notification_send,
    notifications_mark_all_read,
    notify_assigned,
    notify_escalated,
)
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.services import Escalation, ticket_assign, ticket_transition
from tests.tenant_apps.notifications.fixtures import Crew, ticket_at

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Chisinau"))
K = Notification.Kind
Capture = Callable[..., Any]


def mine(crew: Crew, access_name: str) -> list[tuple[str, str]]:
    user = getattr(crew, access_name).user
    return list(Notification.objects.filter(recipient=user).values_list("kind", "title"))


def test_one_notice_per_person_and_no_second_unread_one(crew: Crew) -> None:
    ticket = ticket_at(crew.operator, T0)
    people = [crew.operator.user, crew.operator.user, crew.supervisor.user]
    made = notification_send(recipients=people, kind=K.SLA_WARNING, ticket=ticket,
                             title="Termen aproape de expirare", body="Detalii")
    assert sorted(n.recipient_id for n in made) == sorted(
        [crew.operator.user.pk, crew.supervisor.user.pk])
    assert notification_send(recipients=people, kind=K.SLA_WARNING, ticket=ticket,
                             title="Din nou") == []
    # Once read, the next event of the kind is news again; another kind always is.
    notifications_mark_all_read(user=crew.operator.user)
    again = notification_send(recipients=people, kind=K.SLA_WARNING, ticket=ticket,
                              title="Din nou")
    assert [n.recipient_id for n in again] == [crew.operator.user.pk]
    assert len(notification_send(recipients=people, kind=K.SLA_BREACH, ticket=ticket,
                                 title="Termen depășit")) == 2
    assert Notification.objects.filter(ticket=ticket).count() == 5


def test_an_unknown_kind_is_refused(crew: Crew) -> None:
    with pytest.raises(InvalidInput) as refused:
        notification_send(recipients=[crew.operator.user], kind="spam", ticket=None, title="x")
    assert refused.value.code == "unknown_notification_kind"
    assert not Notification.objects.exists()


def test_the_email_copy_leaves_after_commit_and_never_for_a_rollback(
        crew: Crew, django_capture_on_commit_callbacks: Capture) -> None:
    ticket = ticket_at(crew.operator, T0)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification_send(recipients=[crew.operator.user], kind=K.SLA_BREACH, ticket=ticket,
                          title="Nu se trimite")
        transaction.set_rollback(True)
    assert mail.outbox == [] and not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(recipients=[crew.operator.user, crew.supervisor.user],
                          kind=K.SLA_BREACH, ticket=ticket, title="Termen depășit: X",
                          body="Detaliile termenului")
        assert mail.outbox == []  # nothing while the transaction is open
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [crew.operator.user.email, crew.supervisor.user.email])
    message = mail.outbox[0]
    assert message.subject == "Termen depășit: X"
    assert message.body.startswith("Detaliile termenului\n\n")
    assert "prov-a.sgsc.test/notificari/" in message.body


def test_marking_read(crew: Crew) -> None:
    ticket = ticket_at(crew.operator, T0)
    notification_send(recipients=[crew.operator.user], kind=K.ASSIGNED, ticket=ticket,
                      title="Repartizată")
    notice = Notification.objects.get(recipient=crew.operator.user)
    with pytest.raises(NotFound) as refused:
        notification_mark_read(user=crew.supervisor.user, notification_id=notice.pk)
    assert refused.value.code == "notification_not_found"
    assert AuditEvent.objects.filter(action="notification.read",
                                     outcome=AuditEvent.Outcome.FAILURE,
                                     object_id=str(notice.pk)).count() == 1
    read = notification_mark_read(user=crew.operator.user, notification_id=notice.pk, now=T0)
    assert read.read_at == T0
    assert notification_mark_read(user=crew.operator.user, notification_id=notice.pk).read_at \
        == T0  # marking it again changes nothing
    assert notification_unread_count(user=crew.operator.user) == 0
    assert notifications_mark_all_read(user=crew.operator.user) == 0


def test_the_new_assignee_is_told_after_commit_unless_they_took_it(
        crew: Crew, django_capture_on_commit_callbacks: Capture) -> None:
    ticket = ticket_at(crew.operator, T0)
    with django_capture_on_commit_callbacks(execute=True):
        # What ticket_assign will do once it calls notify_assigned (see the report).
        assigned = ticket_assign(access=crew.supervisor, ticket_id=ticket.pk,
                                 assignee=crew.colleague.user, now=T0)
        notify_assigned(ticket=assigned, actor=crew.supervisor.user)
    assert mine(crew, "colleague") == [(K.ASSIGNED,
                                        f"Solicitarea {ticket.number} v-a fost repartizată")]
    notice = Notification.objects.get(recipient=crew.colleague.user)
    assert notice.body.startswith("Nu pot accesa certificatul\nTermen de soluționare: ")
    other = ticket_at(crew.operator, T0)
    with django_capture_on_commit_callbacks(execute=True):
        taken = ticket_assign(access=crew.operator, ticket_id=other.pk,
                              assignee=crew.operator.user, now=T0)
        notify_assigned(ticket=taken, actor=crew.operator.user)
    assert mine(crew, "operator") == []


def test_a_notice_made_moot_before_commit_is_not_sent(
        crew: Crew, django_capture_on_commit_callbacks: Capture) -> None:
    ticket = ticket_at(crew.operator, T0)
    with django_capture_on_commit_callbacks(execute=True):
        first = ticket_assign(access=crew.supervisor, ticket_id=ticket.pk,
                              assignee=crew.colleague.user, now=T0)
        notify_assigned(ticket=first, actor=crew.supervisor.user)
        second = ticket_assign(access=crew.supervisor, ticket_id=ticket.pk,
                               assignee=crew.operator.user, now=T0)
        notify_assigned(ticket=second, actor=crew.supervisor.user)
    assert mine(crew, "colleague") == []
    assert [kind for kind, _title in mine(crew, "operator")] == [K.ASSIGNED]


def test_the_team_escalated_to_is_told_those_who_may_work_its_level(
        crew: Crew, access_as: Callable[[str], Any],
        django_capture_on_commit_callbacks: Capture) -> None:
    # An L1 operator in the L2 team (a configuration slip) cannot work the ticket there.
    stray = access_as(TenantRole.L1_OPERATOR)
    TeamMember.objects.create(team=crew.team_l2, user=stray.user)
    ticket = ticket_at(crew.operator, T0)
    with django_capture_on_commit_callbacks(execute=True):
        escalated = ticket_transition(
            access=crew.operator, ticket_id=ticket.pk, action="escalate", now=T0,
            reason="Necesită verificare în registru",
            escalation=Escalation(level=2, team_id=crew.team_l2.pk))
        notify_escalated(ticket=escalated, actor=crew.operator.user)
    assert mine(crew, "specialist") == [
        (K.ESCALATED_TO_YOU,
         f"Solicitarea {ticket.number} a fost escaladată la nivelul 2, echipa Registre")]
    assert not Notification.objects.filter(recipient=stray.user).exists()
    assert Ticket.objects.get(pk=ticket.pk).level == 2
