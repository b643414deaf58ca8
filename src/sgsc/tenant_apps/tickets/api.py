"""Tickets over the API (tenant hosts): queues and search with keyset pages, registration,
one ticket with its SLA figure and allowed actions, data updates, transitions, replies and
notes, assignment, deadline edits, the journal with corrections and the as-of view.

Everything needs ``tickets.work`` and reads through the caller's ``TicketAccess`` (hub
scoping: another institution's ticket is the same 404 as a missing one). The services decide
and refuse with their stable codes; the views only translate HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.audit.services import audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenant_apps.catalog.selectors import service_get_by_code
from sgsc.tenant_apps.sla.selectors import clock_settings_get, working_time
from sgsc.tenant_apps.tickets.access import TicketAccess, ticket_access_for
from sgsc.tenant_apps.tickets.api_serializers import (
    AsOfSerializer,
    AssignSerializer,
    CorrectionSerializer,
    DeadlineSerializer,
    JournalEntrySerializer,
    QueueCountSerializer,
    ReplySerializer,
    SlaContext,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketPageSerializer,
    TicketPatchSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TransitionSerializer,
    queue_count_rows,
)
from sgsc.tenant_apps.tickets.contacts import Requester
from sgsc.tenant_apps.tickets.lifecycle import Action
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenant_apps.tickets.queues import (
    MAX_PAGE_SIZE,
    QueueName,
    TicketFilters,
    filters_invalid,
    queue_counts,
    ticket_page,
    ticket_queue,
)
from sgsc.tenant_apps.tickets.selectors import ticket_as_of, ticket_get, ticket_journal
from sgsc.tenant_apps.tickets.services import (
    Escalation,
    TicketInput,
    journal_correct,
    ticket_assign,
    ticket_create,
    ticket_deadline_set,
    ticket_reply,
    ticket_transition,
    ticket_update,
)

DEFAULT_PAGE_SIZE = 50


def _sla_context() -> SlaContext:
    clock_settings = clock_settings_get()
    return SlaContext(now=timezone.now(), clock=working_time(settings=clock_settings),
                      warning_percent=clock_settings.warning_percent)


def _changes(data: Any, *, serializer_class: type[TicketUpdateSerializer], action: str,
             access: TicketAccess, ticket_id: int) -> dict[str, Any]:
    """The typed changes of a PATCH body or a correction, under the services' field names.
    A field the API does not know is refused (and audited), never passed on untyped."""
    names = set(data) if isinstance(data, Mapping) else set()
    with audited_refusal(action=action, actor=access.user, object_type="ticket",
                         object_id=ticket_id, with_fields=True):
        unknown = sorted(names - set(serializer_class().fields))
        if unknown:
            raise InvalidInput(_("Câmpuri necunoscute."), code="unknown_fields",
                               fields={name: [_("Câmp necunoscut.")] for name in unknown})
    payload = serializer_class(data=data, partial=True)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


class _TicketView(APIView):
    permission_classes = [capability_required(Capability.TICKETS_WORK)]

    @property
    def access(self) -> TicketAccess:
        return ticket_access_for(self.request)

    def show(self, ticket: Ticket, *, code: int = status.HTTP_200_OK) -> Response:
        return Response(TicketDetailSerializer(ticket, context={
            "sla": _sla_context(), "access": self.access}).data, status=code)

    def ticket(self, ticket_id: int) -> Ticket:
        """The visible ticket, or the 404 (audited when outside the person's scope). Writes
        ask first, so another institution's or tenant's id is a 404 whatever the body."""
        return ticket_get(access=self.access, ticket_id=ticket_id)

    def detail(self, ticket_id: int, *, code: int = status.HTTP_200_OK) -> Response:
        # Read through the selector (again, after a write: related rows may have changed).
        return self.show(self.ticket(ticket_id), code=code)


_LIST_PARAMETERS = [
    OpenApiParameter("queue", str, enum=[queue.value for queue in QueueName],
                     description="Coada (implicit: all)."),
    OpenApiParameter("q", str, description="Caută în text, răspunsuri și note (cuvinte "
                                           "românești, cu sau fără diacritice) și exact după "
                                           "număr, IDNP, IDNO, telefon sau e-mail; cel mult "
                                           "200 de caractere."),
    OpenApiParameter("status", str, enum=Ticket.Status.values),
    OpenApiParameter("channel", str, enum=Ticket.Channel.values),
    OpenApiParameter("level", int, enum=[1, 2, 3]),
    *(OpenApiParameter(name, int) for name in (
        "priority_id", "service_id", "category_id", "institution_id", "assignee_id", "team_id",
        "queue_id")),
    OpenApiParameter("created_from", OpenApiTypes.DATE,
                     description="Înregistrate din această zi (ora Chișinăului)."),
    OpenApiParameter("created_to", OpenApiTypes.DATE,
                     description="Înregistrate până în această zi inclusiv."),
    OpenApiParameter("cursor", str, description="Din linkul next/previous al paginii."),
    OpenApiParameter("page_size", int, description=f"1-{MAX_PAGE_SIZE}, implicit "
                                                   f"{DEFAULT_PAGE_SIZE}."),
]


def ticket_input(*, access: TicketAccess, data: dict[str, Any]) -> TicketInput:
    """A ticket's input from the creation body (``TicketCreateSerializer``); a service named
    by code is looked up here (refused and audited as ``ticket.create``)."""
    service_id = data["service"]
    if data["service_code"]:
        with audited_refusal(action="ticket.create", actor=access.user, object_type="ticket",
                             details={"channel": data["channel"]}, with_fields=True):
            if service_id is not None:
                raise InvalidInput(_("Indicați serviciul o singură dată: id sau cod."),
                                   code="service_ambiguous",
                                   fields={"service_code": [_("Doar unul din două.")]})
            service_id = service_get_by_code(code=data["service_code"].strip()).pk
    return TicketInput(channel=data["channel"], title=data["title"],
                       description=data["description"], subject=data["subject"],
                       requester=Requester(**data["requester"]), service_id=service_id,
                       category_id=data["category"], institution_id=data["institution"],
                       impact=data["impact"], urgency=data["urgency"])


class TicketListView(_TicketView):
    @extend_schema(operation_id="v1_tickets_list", parameters=_LIST_PARAMETERS,
                   responses=TicketPageSerializer)
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            queue = QueueName(params.get("queue") or QueueName.ALL)
        except ValueError:
            raise InvalidInput(_("Coadă necunoscută."), code="unknown_queue",
                               fields={"queue": [_("Valoare necunoscută.")]}) from None
        filters, errors = TicketFilters.from_query(params)
        if errors:
            raise filters_invalid(errors)
        size = params.get("page_size") or str(DEFAULT_PAGE_SIZE)
        if not (size.isascii() and size.isdigit() and 1 <= int(size) <= MAX_PAGE_SIZE):
            raise InvalidInput(_("Mărimea paginii este între 1 și %(max)d.")
                               % {"max": MAX_PAGE_SIZE}, code="invalid_page_size",
                               fields={"page_size": [_("Valoare nevalidă.")]})
        tickets = ticket_queue(access=self.access, queue=queue, filters=filters,
                               now=timezone.now())
        page = ticket_page(tickets, cursor=params.get("cursor") or None, size=int(size))
        return Response({
            "next": self._link(page.next_cursor),
            "previous": self._link(page.previous_cursor),
            "results": TicketSerializer(page.items, many=True,
                                        context={"sla": _sla_context()}).data,
        })

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        query = self.request.query_params.copy()
        query["cursor"] = cursor
        return self.request.build_absolute_uri(f"{self.request.path}?{query.urlencode()}")

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request) -> Response:
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        access = self.access
        ticket = ticket_create(access=access, data=ticket_input(
            access=access, data=dict(payload.validated_data)))
        return self.detail(ticket.pk, code=status.HTTP_201_CREATED)


class TicketDetailView(_TicketView):
    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request: Request, ticket_id: int) -> Response:
        return self.detail(ticket_id)

    @extend_schema(request=TicketPatchSerializer, responses=TicketDetailSerializer)
    def patch(self, request: Request, ticket_id: int) -> Response:
        self.ticket(ticket_id)
        changes = _changes(request.data, serializer_class=TicketPatchSerializer,
                           action="ticket.update", access=self.access, ticket_id=ticket_id)
        reason = changes.pop("reason", "")
        ticket_update(access=self.access, ticket_id=ticket_id, changes=changes, reason=reason)
        return self.detail(ticket_id)


class TicketByNumberView(_TicketView):
    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        return self.show(ticket_get(access=self.access, number=number[:32]))


class TicketActionView(_TicketView):
    @extend_schema(
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                     enum=[action.value for action in Action])],
        request=TransitionSerializer, responses=TicketDetailSerializer,
        description="Mută solicitarea în starea următoare (take, wait, resume, escalate, "
                    "return, resolve, close, reopen, archive). O acțiune nepermisă din starea "
                    "curentă: 409 invalid_transition.")
    def post(self, request: Request, ticket_id: int, action: str) -> Response:
        self.ticket(ticket_id)
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        escalation = (Escalation(level=data["level"], team_id=data["team"],
                                 due_at=data["due_at"]) if "level" in data else None)
        ticket_transition(access=self.access, ticket_id=ticket_id, action=action,
                          reason=data["reason"], escalation=escalation)
        return self.detail(ticket_id)


class TicketReplyView(_TicketView):
    @extend_schema(request=ReplySerializer, responses={201: JournalEntrySerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        self.ticket(ticket_id)
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = ticket_reply(access=self.access, ticket_id=ticket_id, **payload.validated_data)
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class TicketAssignView(_TicketView):
    @extend_schema(request=AssignSerializer, responses=TicketDetailSerializer)
    def post(self, request: Request, ticket_id: int) -> Response:
        self.ticket(ticket_id)
        payload = AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person_id = payload.validated_data["assignee"]
        assignee = None
        if person_id is not None:
            with audited_refusal(action="ticket.assign", actor=self.access.user,
                                 object_type="ticket", object_id=ticket_id,
                                 details={"assignee": person_id}):
                assignee = User.objects.filter(pk=person_id, is_active=True).first()
                if assignee is None:
                    raise InvalidInput(_("Persoana nu există."), code="unknown_assignee",
                                       fields={"assignee": [_("Valoare necunoscută.")]})
        ticket_assign(access=self.access, ticket_id=ticket_id, assignee=assignee)
        return self.detail(ticket_id)


class TicketDeadlineView(_TicketView):
    @extend_schema(request=DeadlineSerializer, responses=TicketDetailSerializer,
                   description="Doar supervizorul (tickets.supervise); altfel 403 "
                               "deadline_edit_denied.")
    def post(self, request: Request, ticket_id: int) -> Response:
        self.ticket(ticket_id)
        payload = DeadlineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ticket_deadline_set(access=self.access, ticket_id=ticket_id, **payload.validated_data)
        return self.detail(ticket_id)


class TicketJournalView(_TicketView):
    @extend_schema(responses=JournalEntrySerializer(many=True),
                   description="Tot istoricul, în ordine; o înregistrare anulată de o corectare "
                               "are annulled_by.")
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = self.ticket(ticket_id)
        return Response(JournalEntrySerializer(ticket_journal(ticket=ticket), many=True).data)


class JournalCorrectView(_TicketView):
    @extend_schema(request=CorrectionSerializer, responses={201: JournalEntrySerializer})
    def post(self, request: Request, ticket_id: int, seq: int) -> Response:
        self.ticket(ticket_id)
        payload = CorrectionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = _changes(payload.validated_data["changes"],
                           serializer_class=TicketUpdateSerializer, action="ticket.correct",
                           access=self.access, ticket_id=ticket_id)
        entry = journal_correct(access=self.access, ticket_id=ticket_id, entry_seq=seq,
                                changes=changes, reason=payload.validated_data["reason"])
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class TicketAsOfView(_TicketView):
    @extend_schema(parameters=[OpenApiParameter(
        "at", OpenApiTypes.DATETIME, required=True,
        description="Momentul, ISO 8601; fără fus orar: ora Chișinăului.")],
        responses=AsOfSerializer)
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket = self.ticket(ticket_id)
        raw = (request.query_params.get("at") or "").strip()
        try:
            moment = parse_datetime(raw)
        except ValueError:
            moment = None
        if moment is None:
            raise InvalidInput(_("Momentul se scrie ISO 8601, de ex. 2026-03-11T10:00."),
                               code="invalid_moment", fields={"at": [_("Moment nevalid.")]})
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, local_zone())
        state = ticket_as_of(ticket=ticket, moment=moment)
        return Response(AsOfSerializer({"at": moment, "registered": bool(state),
                                        "values": state}).data)


class QueueCountsView(_TicketView):
    @extend_schema(responses=QueueCountSerializer(many=True),
                   description="Câte solicitări are fiecare coadă, numărate până la un plafon "
                               "(peste el: count = plafon + 1, display „1000+”).")
    def get(self, request: Request) -> Response:
        counts = queue_counts(access=self.access, now=timezone.now())
        return Response(QueueCountSerializer(queue_count_rows(counts), many=True).data)
