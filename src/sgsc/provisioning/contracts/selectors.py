"""Reads of contracts and of the standard contract's versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sgsc.provisioning.contracts.models import Contract, ContractTemplate
from sgsc.shared_apps.workdays.calendar import WorkCalendar
from sgsc.shared_apps.workdays.selectors import (
    AT_RISK_WORKING_DAYS,
    work_calendar,
    working_days_left,
)


def contract_list(*, search: str = "", status: str = "") -> QuerySet[Contract]:
    contracts = Contract.objects.select_related("institution", "template", "request", "tenant",
                                                 "tariff_schedule")
    if search:
        contracts = contracts.filter(Q(number__icontains=search)
                                     | Q(institution__name__icontains=search)
                                     | Q(institution__idno__startswith=search)
                                     | Q(tenant_slug__icontains=search))
    if status in Contract.Status.values:
        contracts = contracts.filter(status=status)
    return contracts.order_by("-created_at", "-id")


def contract_get(*, pk: int) -> Contract:
    return (Contract.objects
            .select_related("institution", "template", "request", "request__institution",
                            "tenant", "handed_over_by", "tariff_schedule")
            .prefetch_related("signatures")
            .get(pk=pk))


def contract_template_list() -> QuerySet[ContractTemplate]:
    return ContractTemplate.objects.select_related("created_by").annotate(
        contract_count=Count("contracts")).order_by("-version")


@dataclass(frozen=True)
class HandoverClock:
    """Where a contract stands against its hand-over deadline (Annex 1 §9)."""

    state: str  # "none" (not signed), "done"/"done_late" (handed over), "ok", "at_risk", "late"
    days_left: int | None

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def contract_handover_clock(*, contract: Contract, now: datetime | None = None,
                            calendar: WorkCalendar | None = None) -> HandoverClock:
    if contract.handover_deadline is None:
        return HandoverClock(state="none", days_left=None)
    if contract.handed_over_at is not None:
        on_time = contract.handed_over_at <= contract.handover_deadline
        return HandoverClock(state="done" if on_time else "done_late", days_left=None)
    if contract.status in (Contract.Status.TERMINATED, Contract.Status.EXPIRED):
        return HandoverClock(state="none", days_left=None)
    current = now or timezone.now()
    left = working_days_left(deadline=contract.handover_deadline, now=current,
                             calendar=calendar or work_calendar())
    if current > contract.handover_deadline:
        return HandoverClock(state="late", days_left=left)
    state = "at_risk" if left <= AT_RISK_WORKING_DAYS else "ok"
    return HandoverClock(state=state, days_left=left)
