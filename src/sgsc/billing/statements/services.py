"""Statements: generate a month's draft for a contract, issue it, void it with a credit note;
the hub allocation key."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.billing.statements.calculation import (
    LineDraft,
    Period,
    UsageRow,
    allocate_largest_remainder,
    lines_compute,
    totals_of,
)
from sgsc.billing.statements.models import (
    AllocationKey,
    CreditNoteNumberCounter,
    HubAllocationKey,
    Statement,
    StatementAllocation,
    StatementLine,
    StatementNumberCounter,
)
from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.tariffs.selectors import tariff_version_effective
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.billing.usage.selectors import month_bounds
from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.numbering import yearly_number_take
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import HubAgreement, HubMembership
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant

_NEVER_IN_FORCE = frozenset({Contract.Status.DRAFT})
_ENDED = frozenset({Contract.Status.TERMINATED, Contract.Status.EXPIRED})


def month_check(*, month: date) -> tuple[date, date]:
    """The month's first and last day; refused while the month is not over."""
    first, last = month_bounds(month)
    if last >= local_date(timezone.now()):
        raise InvalidInput(_("Luna %(month)s nu s-a încheiat încă.")
                           % {"month": first.strftime("%m.%Y")}, code="month_not_over")
    return first, last


def contract_days_in_force(*, contract: Contract, first: date,
                           last: date) -> tuple[date, date] | None:
    """The days between ``first`` and ``last`` the contract was in force (from its effective
    date for its term, until its termination or expiry), or ``None``."""
    if contract.status in _NEVER_IN_FORCE or contract.effective_date is None:
        return None
    start = max(first, contract.effective_date)
    end = min(last, contract.effective_date + relativedelta(months=contract.term_months)
              - timedelta(days=1))
    if contract.status in _ENDED and contract.status_changed_at is not None:
        end = min(end, local_date(contract.status_changed_at))
    return (start, end) if start <= end else None


def tariff_periods(*, schedule: TariffSchedule, start: date, end: date) -> list[Period]:
    """Split ``start``..``end`` by the approved version in force each day (``NotFound``
    ``no_approved_tariff`` for a day without one). One query per version, not per day."""
    periods: list[Period] = []
    version: TariffScheduleVersion | None = None
    period_start = start
    day = start
    while day <= end:
        if version is None or not version.in_force_on(day):
            if version is not None:
                periods.append(Period(version=version, start=period_start,
                                      end=day - timedelta(days=1)))
            version = tariff_version_effective(schedule=schedule, on=day)
            period_start = day
        day += timedelta(days=1)
    assert version is not None  # noqa: S101 (start <= end: at least one day)
    periods.append(Period(version=version, start=period_start, end=end))
    return periods


def usage_rows(*, tenant: Tenant, start: date, end: date) -> list[UsageRow]:
    return [UsageRow(id=pk, day=day, metric=metric, quantity=quantity, source=source)
            for pk, day, metric, quantity, source in
            UsageRecord.objects.filter(tenant=tenant, day__range=(start, end))
            .order_by("day", "id").values_list("id", "day", "metric", "quantity", "source")]


def statement_compute(*, contract: Contract, month: date,
                      version: TariffScheduleVersion | None = None) -> tuple[
                          tuple[date, date], list[LineDraft], list[UsageRow]]:
    """The days in force, the lines of ``contract`` for ``month`` and the recorded usage
    they were computed from (read once, the hub allocation needs it too). ``version`` (the what-if view) applies that one version to every day
    instead of the versions in force."""
    first, last = month_check(month=month)
    days = contract_days_in_force(contract=contract, first=first, last=last)
    if days is None or contract.tenant is None:
        raise InvalidInput(_("Contractul %(number)s nu a fost în vigoare în luna %(month)s.")
                           % {"number": contract.number, "month": first.strftime("%m.%Y")},
                           code="contract_not_in_force")
    start, end = days
    if version is None:
        periods = tariff_periods(schedule=contract.tariff_schedule, start=start, end=end)
    else:
        periods = [Period(version=version, start=start, end=end)]
    usage = usage_rows(tenant=contract.tenant, start=start, end=end)
    lines = lines_compute(periods=periods, usage=usage, month_days=last.day,
                          is_hub=contract.tenant.kind == Tenant.Kind.HUB)
    return days, lines, usage


def hub_allocation_key(*, tenant: Tenant) -> str:
    key = (HubAllocationKey.objects.filter(agreement__hub=tenant)
           .values_list("key", flat=True).first())
    return key or AllocationKey.EQUAL


def hub_members_in(*, tenant: Tenant, start: date, end: date) -> list[int]:
    """Institution ids that were members of the hub on some day of ``start``..``end``."""
    memberships = HubMembership.objects.filter(hub=tenant).values_list(
        "institution_id", "joined_at", "left_at")
    return sorted({institution for institution, joined, left in memberships
                   if local_date(joined) <= end and (left is None or local_date(left) >= start)})


def allocation_weights(*, key: str, members: list[int],
                       usage: list[UsageRow]) -> dict[int, Decimal]:
    """Each member's weight under ``key``. Seats: from the daily seat records' sources (an
    operator limited to some institutions counts for those, any other for every member).
    Tickets: from ``by_institution`` in the ticket meter's sources. No data: all zero, which
    the allocation turns into equal shares."""
    weights = {member: Decimal(0) for member in members}
    if key == AllocationKey.EQUAL:
        return {member: Decimal(1) for member in members}
    for row in usage:
        if key == AllocationKey.SEATS and row.metric == Metric.SEATS:
            limited = row.source.get("limited", {})
            everyone = len(row.source.get("memberships", [])) - len(limited)
            for member in members:
                weights[member] += everyone + sum(member in ids for ids in limited.values())
        elif key == AllocationKey.TICKETS and row.metric == Metric.TICKETS_HANDLED:
            for member, count in row.source.get("by_institution", {}).items():
                if int(member) in weights:
                    weights[int(member)] += Decimal(str(count))
    return weights


def _store_lines(statement: Statement, lines: list[LineDraft]) -> None:
    StatementLine.objects.bulk_create(
        StatementLine(statement=statement, position=position, component=line.component,
                      version=line.version, period_start=line.period_start,
                      period_end=line.period_end, quantity=line.quantity, unit=line.unit,
                      unit_price=line.unit_price, hub_multiplier=line.hub_multiplier,
                      amount=line.amount, vat_treatment=line.vat_treatment,
                      vat_rate=line.vat_rate, net_amount=line.net_amount,
                      vat_amount=line.vat_amount, total=line.total, basis=line.basis,
                      usage_record_ids=line.usage_record_ids)
        for position, line in enumerate(lines, start=1))


def _store_allocations(statement: Statement, *, usage: list[UsageRow]) -> None:
    tenant = statement.tenant
    if tenant.kind != Tenant.Kind.HUB:
        return
    members = hub_members_in(tenant=tenant, start=statement.period_start,
                             end=statement.period_end)
    key = hub_allocation_key(tenant=tenant)
    weights = allocation_weights(key=key, members=members, usage=usage)
    shares = allocate_largest_remainder(statement.total, weights)
    statement.allocation_key = key
    statement.save(update_fields=["allocation_key"])
    StatementAllocation.objects.bulk_create(
        StatementAllocation(statement=statement, institution_id=member, weight=weights[member],
                            amount=shares[member]) for member in members)


def statement_generate(*, contract: Contract, month: date, actor: User | None) -> Statement:
    """The month's draft statement of ``contract`` (a draft already there is recomputed)."""
    details: dict[str, Any] = {"contract": contract.number, "month": month.strftime("%Y-%m")}
    with audited_refusal(action="statement.generate", tenant=None, actor=actor, object_type="contract",
                         object_id=contract.pk, details=details), transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        first = month.replace(day=1)
        existing = Statement.objects.filter(contract=contract, month=first,
                                            kind=Statement.Kind.STATEMENT,
                                            status__in=[Statement.Status.DRAFT,
                                                        Statement.Status.ISSUED]).first()
        if existing is not None and existing.status == Statement.Status.ISSUED:
            raise Conflict(_("Pentru contractul %(number)s și luna %(month)s există deja "
                             "decontul emis %(statement)s.")
                           % {"number": contract.number, "month": first.strftime("%m.%Y"),
                              "statement": existing.number}, code="statement_exists")
        (start, end), lines, usage = statement_compute(contract=contract, month=first)
        totals = totals_of(lines)
        if existing is not None:
            existing.delete()
        assert contract.tenant is not None  # noqa: S101 (statement_compute refuses otherwise)
        statement = Statement.objects.create(
            contract=contract, tenant=contract.tenant, month=first, period_start=start,
            period_end=end, net_amount=totals.net_amount, vat_amount=totals.vat_amount,
            total=totals.total, created_by=actor)
        _store_lines(statement, lines)
        _store_allocations(statement, usage=usage)
        audit_record(action="statement.generate", actor=actor, tenant=None,
                     object_type="statement", object_id=statement.pk,
                     details={**details, "total": str(statement.total),
                              "lines": len(lines), "replaced_draft": existing is not None})
    return statement


def statement_issue(*, statement: Statement, actor: User | None) -> Statement:
    """Number the draft (S-YYYY-NNNNNN, gap-free within the year of issue) and freeze it."""
    with audited_refusal(action="statement.issue", tenant=None, actor=actor, object_type="statement",
                         object_id=statement.pk), transaction.atomic():
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if locked.status != Statement.Status.DRAFT:
            raise Conflict(_("Doar un proiect de decont poate fi emis (stare: %(status)s).")
                           % {"status": locked.get_status_display()}, code="statement_not_draft")
        now = timezone.now()
        locked.number = yearly_number_take(StatementNumberCounter, year=local_date(now).year,
                                           prefix="S")
        locked.status = Statement.Status.ISSUED
        locked.issued_at, locked.issued_by = now, actor
        locked.save(update_fields=["number", "status", "issued_at", "issued_by"])
        audit_record(action="statement.issue", actor=actor, tenant=None,
                     object_type="statement", object_id=locked.pk,
                     details={"number": locked.number, "total": str(locked.total),
                              "tenant": locked.tenant.slug})
    return locked


def statement_void(*, statement: Statement, reason: str, actor: User | None) -> Statement:
    """Void an issued statement: it stays as it was, marked void, and a credit note
    (CN-YYYY-NNNNNN) with every line and allocation negated cancels it. Returns the note."""
    with audited_refusal(action="statement.void", tenant=None, actor=actor, object_type="statement",
                         object_id=statement.pk), transaction.atomic():
        reason = reason.strip()
        if not reason:
            raise InvalidInput(_("Motivul anulării este obligatoriu."), code="reason_required",
                               fields={"reason": [_("Câmp obligatoriu.")]})
        locked = Statement.objects.select_for_update().get(pk=statement.pk)
        if locked.status != Statement.Status.ISSUED or locked.kind != Statement.Kind.STATEMENT:
            raise Conflict(_("Doar un decont emis poate fi anulat."), code="statement_not_issued")
        now = timezone.now()
        locked.status = Statement.Status.VOID
        locked.voided_at, locked.voided_by, locked.void_reason = now, actor, reason
        locked.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
        note = Statement.objects.create(
            kind=Statement.Kind.CREDIT_NOTE, status=Statement.Status.ISSUED,
            number=yearly_number_take(CreditNoteNumberCounter, year=local_date(now).year,
                                      prefix="CN"),
            contract=locked.contract, tenant=locked.tenant, month=locked.month,
            period_start=locked.period_start, period_end=locked.period_end, credits=locked,
            net_amount=-locked.net_amount, vat_amount=-locked.vat_amount, total=-locked.total,
            allocation_key=locked.allocation_key, created_by=actor, issued_at=now,
            issued_by=actor)
        negated = ("quantity", "amount", "net_amount", "vat_amount", "total")
        lines = list(locked.lines.all())
        for line in lines:
            line.pk, line.statement = None, note
            for name in negated:
                setattr(line, name, -getattr(line, name))
        StatementLine.objects.bulk_create(lines)
        StatementAllocation.objects.bulk_create(
            StatementAllocation(statement=note, institution_id=share.institution_id,
                                weight=share.weight, amount=-share.amount)
            for share in locked.allocations.all())
        audit_record(action="statement.void", actor=actor, tenant=None,
                     object_type="statement", object_id=locked.pk,
                     details={"number": locked.number, "credit_note": note.number,
                              "reason": reason})
    return note


def hub_allocation_key_set(*, agreement: HubAgreement, key: str,
                           actor: User | None) -> HubAllocationKey:
    """Choose how the hub's statements are shared among its members from now on (issued
    statements keep the key they were computed with)."""
    with audited_refusal(action="hub.allocation_key.set", tenant=None, actor=actor,
                         object_type="hub_agreement", object_id=agreement.pk,
                         details={"key": key}), transaction.atomic():
        if key not in AllocationKey.values:
            raise InvalidInput(_("Cheie de repartizare necunoscută: %(key)s.") % {"key": key},
                               code="invalid_allocation_key",
                               fields={"key": [_("Valoare invalidă.")]})
        row, _created = HubAllocationKey.objects.update_or_create(
            agreement=agreement, defaults={"key": key, "set_by": actor})
        audit_record(action="hub.allocation_key.set", actor=actor, tenant=None,
                     object_type="hub_agreement", object_id=agreement.pk,
                     details={"key": key, "hub": agreement.hub.slug})
    return row
