"""Reads over connection requests: the console's list with the working days left, one request
with its timeline and documents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from sgsc.provisioning.requests.models import ConnectionRequest, RequestDocument, RequestEvent
from sgsc.shared_apps.workdays.calendar import WorkCalendar
from sgsc.shared_apps.workdays.selectors import (
    AT_RISK_WORKING_DAYS,
    deadline_after,
    work_calendar,
    working_days_left,
)

if TYPE_CHECKING:
    from sgsc.provisioning.contracts.models import Contract


class DeadlineState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    LATE = "late"
    PAUSED = "paused"  # waiting for the applicant: the term is suspended
    CLOSED = "closed"  # decided or withdrawn: no term runs


def connection_request_list(
    *,
    status: str = "",
    mode: str = "",
    timing: str = "",
    search: str = "",
    now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[ConnectionRequest]:
    """Requests, newest first, filtered. ``timing`` is ``late`` or ``at_risk`` (only requests
    whose term runs: submitted or under review)."""
    rows = ConnectionRequest.objects.select_related("institution")
    if status in ConnectionRequest.Status.values:
        rows = rows.filter(status=status)
    if mode in ConnectionRequest.Mode.values:
        rows = rows.filter(mode=mode)
    if timing in (DeadlineState.LATE, DeadlineState.AT_RISK):
        current = now or timezone.now()
        running = rows.filter(status__in=ConnectionRequest.CLOCK_STATUSES)
        if timing == DeadlineState.LATE:
            rows = running.filter(review_deadline__lt=current)
        else:
            # "At most N working days left" is "before the (N+1)th working day from today
            # begins", whatever the deadline's own day is.
            next_end = deadline_after(event=current, working_days=AT_RISK_WORKING_DAYS + 1,
                                      calendar=calendar or work_calendar())
            limit = next_end.replace(hour=0, minute=0, second=0, microsecond=0)
            rows = running.filter(review_deadline__gte=current, review_deadline__lt=limit)
    search = search.strip()
    if search:
        rows = rows.filter(Q(number__icontains=search) | Q(institution__name__icontains=search)
                           | Q(institution__idno__startswith=search))
    return rows.order_by("-received_at", "-id")


def deadline_state(*, days_left: int | None, status: str) -> DeadlineState:
    if status == ConnectionRequest.Status.NEEDS_INFO:
        return DeadlineState.PAUSED
    if status not in ConnectionRequest.CLOCK_STATUSES or days_left is None:
        return DeadlineState.CLOSED
    if days_left < 0:
        return DeadlineState.LATE
    if days_left <= AT_RISK_WORKING_DAYS:
        return DeadlineState.AT_RISK
    return DeadlineState.ON_TIME


def connection_requests_with_days_left(
    rows: Iterable[ConnectionRequest], *, now: datetime | None = None,
    calendar: WorkCalendar | None = None,
) -> list[ConnectionRequest]:
    """Sets ``working_days_left`` (None when no term runs; the days kept at the pause while
    suspended) and ``deadline_state`` on each row. One calendar for the whole list."""
    calendar = calendar or work_calendar()
    current = now or timezone.now()
    result = []
    for row in rows:
        days: int | None = None
        if row.status in ConnectionRequest.CLOCK_STATUSES:
            days = working_days_left(deadline=row.review_deadline, now=current,
                                     calendar=calendar)
        elif row.status == ConnectionRequest.Status.NEEDS_INFO:
            days = row.review_days_left_at_pause
        row.working_days_left = days  # type: ignore[attr-defined]
        row.working_days_overdue = -days if days is not None and days < 0 else 0  # type: ignore[attr-defined]
        row.deadline_state = deadline_state(  # type: ignore[attr-defined]
            days_left=days, status=row.status)
        result.append(row)
    return result


def connection_request_get(*, pk: int) -> ConnectionRequest:
    """One request with everything its page shows. Raises ``ConnectionRequest.DoesNotExist``."""
    request = (
        ConnectionRequest.objects.select_related("institution", "coordinator", "decided_by")
        .prefetch_related(
            "members",
            Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
            Prefetch("documents", queryset=RequestDocument.objects.order_by("uploaded_at", "id")),
        )
        .get(pk=pk)
    )
    connection_requests_with_days_left([request])
    return request


def connection_request_document_get(*, request_pk: int, document_pk: int) -> RequestDocument:
    return RequestDocument.objects.select_related("request").get(pk=document_pk,
                                                                 request_id=request_pk)


def connection_request_contract(*, connection_request: ConnectionRequest) -> Contract | None:
    """The contract made from the request, or None (the reverse one-to-one would raise)."""
    from sgsc.provisioning.contracts.models import Contract

    return Contract.objects.filter(request=connection_request).first()
