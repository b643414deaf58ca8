"""Reads of provisioning: jobs and their steps, hand-overs due, deadlines to watch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.models import ProvisioningJob
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.workdays.calendar import WorkCalendar
from sgsc.shared_apps.workdays.selectors import (
    AT_RISK_WORKING_DAYS,
    work_calendar,
    working_days_left,
)
from sgsc.tenants.models import Tenant

# Requests whose review clock runs (while AGE waits for information, it is suspended).
REVIEW_OPEN_STATUSES = (ConnectionRequest.Status.SUBMITTED,
                        ConnectionRequest.Status.UNDER_REVIEW)


def provisioning_job_for_tenant(*, tenant: Tenant) -> ProvisioningJob | None:
    return (ProvisioningJob.objects.filter(tenant=tenant)
            .prefetch_related("steps").select_related("contract").first())


def contract_for_tenant(*, tenant: Tenant) -> Contract | None:
    """The contract a tenant was made for: bound once active, else through its job."""
    return (Contract.objects.filter(Q(tenant=tenant) | Q(provisioning_job__tenant=tenant))
            .order_by("-signed_at", "-pk").first())


def contracts_for_tenants(tenants: list[Tenant]) -> dict[int, Contract]:
    """One query for a page of tenants: tenant id -> its contract."""
    found: dict[int, Contract] = {}
    rows = (Contract.objects.filter(Q(tenant__in=tenants) | Q(provisioning_job__tenant__in=tenants))
            .select_related("provisioning_job").order_by("signed_at", "pk"))
    for contract in rows:
        job = getattr(contract, "provisioning_job", None)
        tenant_id = contract.tenant_id or (job.tenant_id if job is not None else None)
        if tenant_id is not None:
            found[tenant_id] = contract
    return found


@dataclass(frozen=True)
class DeadlineRow:
    number: str
    institution: str
    deadline: datetime
    days_left: int
    object_id: int


@dataclass(frozen=True)
class HandoverRow:
    contract: Contract
    deadline: datetime
    days_left: int


def handover_pending(*, now: datetime | None = None,
                     calendar: WorkCalendar | None = None) -> list[HandoverRow]:
    """Signed contracts whose access has not been handed over yet, with the working days
    left to the hand-over deadline (negative when late), the most urgent first."""
    calendar = calendar if calendar is not None else work_calendar()
    current = now if now is not None else timezone.now()
    contracts = (Contract.objects.filter(signed_at__isnull=False, handed_over_at__isnull=True,
                                         handover_deadline__isnull=False)
                 .exclude(status__in=[Contract.Status.TERMINATED, Contract.Status.EXPIRED])
                 .select_related("institution", "tenant").order_by("handover_deadline", "pk"))
    return [HandoverRow(contract, contract.handover_deadline,
                        working_days_left(deadline=contract.handover_deadline, now=current,
                                          calendar=calendar))
            for contract in contracts if contract.handover_deadline is not None]


@dataclass
class DeadlineDigest:
    """What the daily alert says: reviews and hand-overs due soon, and those missed."""

    reviews_due: list[DeadlineRow] = field(default_factory=list)
    reviews_missed: list[DeadlineRow] = field(default_factory=list)
    handovers_due: list[DeadlineRow] = field(default_factory=list)
    handovers_missed: list[DeadlineRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.reviews_due or self.reviews_missed or self.handovers_due
                    or self.handovers_missed)


def deadline_digest(*, now: datetime | None = None) -> DeadlineDigest:
    calendar = work_calendar()
    current = now if now is not None else timezone.now()
    digest = DeadlineDigest()
    requests = (ConnectionRequest.objects.filter(status__in=REVIEW_OPEN_STATUSES,
                                                 review_paused_at__isnull=True)
                .select_related("institution").order_by("review_deadline", "pk"))
    for request in requests:
        left = working_days_left(deadline=request.review_deadline, now=current,
                                 calendar=calendar)
        row = DeadlineRow(request.number, request.institution.name, request.review_deadline,
                          left, request.pk)
        if left < 0:
            digest.reviews_missed.append(row)
        elif left <= AT_RISK_WORKING_DAYS:
            digest.reviews_due.append(row)
    for pending in handover_pending(now=current, calendar=calendar):
        left = pending.days_left
        row = DeadlineRow(pending.contract.number, pending.contract.institution.name,
                          pending.deadline, left, pending.contract.pk)
        if left < 0:
            digest.handovers_missed.append(row)
        elif left <= AT_RISK_WORKING_DAYS:
            digest.handovers_due.append(row)
    return digest
