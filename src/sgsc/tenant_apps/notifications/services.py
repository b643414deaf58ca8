"""Writes of notifications: send (with an e-mail copy after commit), mark as read, and the
notices of the ticket workflow (assignment, escalation to a team). Call inside the tenant's
schema.

Each notice is written in its recipient's preferred language: callers give lazy texts
(``lazy_text``), rendered once per recipient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from django_tenants.utils import schema_context

from sgsc.platform.errors import InvalidInput, NotFound
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.notifications.selectors import people_seeing, team_member_ids
from sgsc.tenant_apps.tickets.lifecycle import LEVEL_CAPABILITY
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenants.models import Tenant
from sgsc.tenants.schemas import current_schema_name
from sgsc.tenants.selectors import tenant_list_real
from sgsc.tenants.services import tenant_url

K = Notification.Kind


def lazy_text(message: StrOrPromise, **params: Any) -> StrOrPromise:
    """``message % params``, translated when it is rendered (in the recipient's language)."""

    def render() -> str:
        return str(message) % params

    return lazy(render, str)()


def local_moment(moment: datetime | None) -> str:
    """A moment as the notices show it: Europe/Chisinau, day and minute."""
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment, local_zone()), "d.m.Y H:i")


def tenant_here() -> Tenant | None:
    """The tenant whose schema the connection is in (``None`` in public or the template)."""
    return tenant_list_real().filter(schema_name=current_schema_name()).first()


def notification_send(*, recipients: Iterable[User], kind: str, ticket: Ticket | None,
                      title: StrOrPromise, body: StrOrPromise = "",
                      now: datetime | None = None) -> list[Notification]:
    """One notice per recipient, in their language; a person named twice gets one, and one
    who still has an unread notice of this kind about this ticket gets no second one. The
    e-mail copies leave after the transaction commits. Returns the notices made."""
    if kind not in K.values:
        raise InvalidInput(_("Tip de notificare necunoscut."), code="unknown_notification_kind")
    people = {user.pk: user for user in recipients}
    if ticket is not None and people:
        waiting = Notification.objects.filter(recipient_id__in=people, kind=kind, ticket=ticket,
                                              read_at__isnull=True)
        for user_id in waiting.values_list("recipient_id", flat=True):
            people.pop(user_id, None)
    if not people:
        return []
    now = now or timezone.now()
    made = []
    for user in people.values():
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            made.append(Notification(recipient=user, kind=kind, ticket=ticket,
                                     title=str(title)[:255], body=str(body), created_at=now))
    # The partial unique constraint settles a concurrent send of the same notice.
    Notification.objects.bulk_create(made, ignore_conflicts=True)
    tenant = tenant_here()
    inbox = tenant_url(slug=tenant.slug, path=reverse("notification-list")) if tenant else ""
    transaction.on_commit(partial(notification_deliver, notifications=made, inbox_url=inbox),
                          robust=True)
    return made


def notification_deliver(*, notifications: list[Notification], inbox_url: str) -> int:
    """The copy outside the platform: an e-mail to each recipient who has an address. The one
    place to change when MNotify takes over delivery. Returns the number of messages sent."""
    messages = []
    for notice in notifications:
        user = notice.recipient
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            footer = _("Toate notificările dvs.: %(url)s") % {"url": inbox_url}
        text = "\n\n".join(part for part in (notice.body, footer if inbox_url else "") if part)
        messages.append(EmailMessage(notice.title, text, None, [user.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def notification_mark_read(*, user: User, notification_id: int,
                           now: datetime | None = None) -> Notification:
    """Mark one of the person's notices read (again: nothing changes). Another person's
    notice is as absent as one that never was."""
    with audited_refusal(action="notification.read", actor=user, object_type="notification",
                         object_id=notification_id):
        with transaction.atomic():
            notice = (Notification.objects.select_for_update()
                      .filter(pk=notification_id, recipient=user).first())
            if notice is None:
                raise NotFound(_("Notificarea nu a fost găsită."),
                               code="notification_not_found")
            if notice.read_at is None:
                notice.read_at = now or timezone.now()
                notice.save(update_fields=["read_at"])
                audit_record(action="notification.read", actor=user,
                             object_type="notification", object_id=notice.pk)
        return notice


def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    """Mark every unread notice of the person read; returns how many there were."""
    with transaction.atomic():
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=now or timezone.now())
        if count:
            audit_record(action="notification.read_all", actor=user,
                         object_type="notification", details={"count": count})
    return count


# --- the notices of the ticket workflow ------------------------------------------------------

def _after_commit(function: Callable[..., object], **kwargs: Any) -> None:
    """Run ``function`` once the ticket's change commits, in the schema it was made in (never
    for a rolled-back change; a failure is logged and leaves the change as it is)."""
    schema = current_schema_name()

    def run() -> None:
        with schema_context(schema):
            function(**kwargs)

    transaction.on_commit(run, robust=True)


def notify_assigned(*, ticket: Ticket, actor: User | None) -> None:
    """Tell the ticket's new assignee, unless they took it themselves."""
    if ticket.assignee_id is None or (actor is not None and actor.pk == ticket.assignee_id):
        return
    _after_commit(_send_assigned, ticket_id=ticket.pk, assignee_id=ticket.assignee_id)


def notify_escalated(*, ticket: Ticket, actor: User | None) -> None:
    """Tell the members of the team the ticket was escalated to (not the one escalating)."""
    if ticket.team_id is None:
        return
    _after_commit(_send_escalated, ticket_id=ticket.pk, team_id=ticket.team_id,
                  level=ticket.level, actor_id=actor.pk if actor is not None else None)


def _ticket_now(ticket_id: int, **expected: Any) -> Ticket | None:
    """The ticket if it is still as the change left it (a later change makes the notice
    moot: e.g. assigned to someone else in the meantime)."""
    return Ticket.objects.select_related("team").filter(pk=ticket_id, **expected).first()


def _send_assigned(*, ticket_id: int, assignee_id: int) -> list[Notification]:
    tenant = tenant_here()
    ticket = _ticket_now(ticket_id, assignee_id=assignee_id)
    if tenant is None or ticket is None:
        return []
    recipients = people_seeing(tenant=tenant, ticket=ticket, capability=Capability.TICKETS_WORK,
                               user_ids={assignee_id})
    return notification_send(
        recipients=recipients, kind=K.ASSIGNED, ticket=ticket,
        title=lazy_text(gettext_lazy("Solicitarea %(number)s v-a fost repartizată"),
                        number=ticket.number),
        body=ticket_lines(ticket))


def _send_escalated(*, ticket_id: int, team_id: int, level: int,
                    actor_id: int | None) -> list[Notification]:
    tenant = tenant_here()
    ticket = _ticket_now(ticket_id, team_id=team_id, level=level)
    if tenant is None or ticket is None:
        return []
    members = team_member_ids(team_id=team_id) - {actor_id}
    capability = LEVEL_CAPABILITY.get(level, Capability.TICKETS_WORK)
    recipients = people_seeing(tenant=tenant, ticket=ticket, capability=capability,
                               user_ids=members)
    return notification_send(
        recipients=recipients, kind=K.ESCALATED_TO_YOU, ticket=ticket,
        title=lazy_text(gettext_lazy("Solicitarea %(number)s a fost escaladată la nivelul "
                                     "%(level)d, echipa %(team)s"),
                        number=ticket.number, level=level,
                        team=ticket.team.name if ticket.team else ""),
        body=ticket_lines(ticket, level_due=True))


def ticket_lines(ticket: Ticket, *, level_due: bool = False) -> StrOrPromise:
    """A notice's body: the ticket's title and the deadline that concerns the recipient
    (its level's, or its resolution deadline)."""
    if level_due:
        return lazy_text(gettext_lazy("%(title)s\nTermenul nivelului: %(due)s"),
                         title=ticket.title, due=local_moment(ticket.level_due_at))
    return lazy_text(gettext_lazy("%(title)s\nTermen de soluționare: %(due)s"),
                     title=ticket.title, due=local_moment(ticket.resolution_due_at))

