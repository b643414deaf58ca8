"""Ticket data of the isolation victims: in prov-b one object of every kind of support data
(configuration, requester, ticket, journal, attachment, saved view); in the hub a ticket of
institution Y, which an operator limited to X must never reach."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.shared_apps.exchange.models import Exchange, ExchangeEvent
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    Queue,
    RoutingRule,
    Service,
    ServiceGroup,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.sla.models import LocalClosedDay, SlaPolicy
from sgsc.tenant_apps.tickets.access import ticket_access_for_user
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.models import Attachment, SavedView, Ticket
from sgsc.tenant_apps.tickets.services import (
    TicketInput,
    ticket_create,
    ticket_reply,
)
from sgsc.tenants.models import Tenant
from tests.isolation.routes import Candidate


def _ticket(*, tenant: Tenant, user: User, marker: str, phone: str, idnp: str,
            institution_id: int | None = None, service_id: int | None = None) -> Ticket:
    access = ticket_access_for_user(user=user, tenant=tenant)
    ticket = ticket_create(access=access, data=TicketInput(
        channel="phone", title=marker, description=f"{marker} descriere", subject=marker,
        requester=Requester(name=marker, phone=phone, idnp=idnp, email=f"{phone}@izolare.test"),
        institution_id=institution_id, service_id=service_id))
    ticket_reply(access=access, ticket_id=ticket.pk, body=f"{marker} răspuns", public=True)
    return ticket


def seed_prov_b_tickets(*, tenant: Tenant, admin: User, marker: str, idnp: str,
                        l3_tenant: Tenant) -> list[Candidate]:
    """B's support data; B's ticket is also handed over to ``l3_tenant``'s L3 (public rows)."""
    with schema_context(tenant.schema_name):
        group = ServiceGroup.objects.create(code="izolare", name=marker)
        service = Service.objects.create(code="IZ-B", name=marker, group=group,
                                         resolution_hours=16)
        category = Category.objects.create(name=marker)
        team = Team.objects.create(name=marker, level=2)
        TeamMember.objects.create(team=team, user=admin, on_shift=True)
        queue = Queue.objects.create(name=marker, team=team)
        rule = RoutingRule.objects.create(position=1, name=marker, keywords=[marker], queue=queue)
        reply = CannedReply.objects.create(title=marker, body=marker, service=service)
        article = KnowledgeArticle.objects.create(title=marker, body=marker)
        article.services.add(service)
        policy = SlaPolicy.objects.create(priority=Priority.objects.get(code="p1"),
                                          service=service, first_response_minutes=60,
                                          resolution_minutes=480)
        closed = LocalClosedDay.objects.create(day=date(2026, 12, 24), reason=marker)
        ticket = _ticket(tenant=tenant, user=admin, marker=marker, phone="060000111",
                         idnp=idnp, service_id=service.pk)
        name = default_storage.save(f"attachments/izolare/{marker}.txt",
                                    ContentFile(marker.encode()))
        attachment = Attachment.objects.create(
            ticket=ticket, file=name, name=f"{marker}.txt", content_type="text/plain",
            size=len(marker), sha256="0" * 64, scan=Attachment.Scan.CLEAN, uploaded_by=admin)
        view = SavedView.objects.create(owner=admin, name=marker, filters={"q": marker},
                                        shared=True)
        notice = Notification.objects.create(
            recipient=admin, kind=Notification.Kind.ASSIGNED, ticket=ticket, title=marker,
            body=f"{marker} notificare", created_at=timezone.now())
        entry = ticket.journal.order_by("seq").last()
        assert entry is not None
    now = timezone.now()
    exchange = Exchange.objects.create(
        source_tenant=tenant, source_ticket_id=ticket.pk, source_ticket_number=ticket.number,
        target_tenant=l3_tenant, channel="phone", title=marker, description=marker,
        reason=marker, requester_kind="citizen", requester_name=marker, impact=2, urgency=2,
        payload_sha256="0" * 64, created_at=now, updated_at=now)
    ExchangeEvent.objects.create(exchange=exchange, at=now, actor=admin, actor_label=marker,
                                 direction=ExchangeEvent.Direction.TO_TARGET,
                                 action=ExchangeEvent.Action.REQUESTED, payload_sha256="0" * 64,
                                 summary=marker)
    return [
            Candidate(str(exchange.pk), "B's exchange"),
            Candidate(str(service.pk), "B's service"), Candidate(str(group.pk), "B's group"),
            Candidate(str(category.pk), "B's category"), Candidate(str(team.pk), "B's team"),
            Candidate(str(queue.pk), "B's queue"), Candidate(str(rule.pk), "B's routing rule"),
            Candidate(str(reply.pk), "B's canned reply"),
            Candidate(str(article.pk), "B's article"),
            Candidate(str(policy.pk), "B's SLA policy"),
            Candidate(str(closed.pk), "B's closed day"),
            Candidate(str(ticket.pk), "B's ticket"),
            Candidate(str(ticket.contact_id), "B's requester"),
            Candidate(str(entry.pk), "B's journal entry"),
            Candidate(str(attachment.pk), "B's attachment"),
            Candidate(str(view.pk), "B's saved view"),
            Candidate(str(notice.pk), "B's notification"),
            Candidate(ticket.number, "B's ticket number"),
            Candidate(service.code, "B's service code"),
        ]


def seed_hub_ticket_of(*, hub: Tenant, user: User, institution: Institution, marker: str,
                       idnp: str) -> list[Candidate]:
    """A ticket of ``institution`` in the hub, registered by someone serving it."""
    with schema_context(hub.schema_name):
        ticket = _ticket(tenant=hub, user=user, marker=marker, phone="060000222", idnp=idnp,
                         institution_id=institution.pk)
        return [Candidate(str(ticket.pk), "Y's ticket"),
                Candidate(str(ticket.contact_id), "Y's requester"),
                Candidate(ticket.number, "Y's ticket number")]

