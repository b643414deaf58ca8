"""A version may start in the past, but never over days already billed by an issued
statement of a contract on its schedule (``period_already_billed``)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from itertools import count
from typing import Any

import pytest

from sgsc.billing.statements.models import Statement
from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.tariffs.services import tariff_version_submit
from sgsc.platform.errors import Conflict
from sgsc.provisioning.contracts.models import Contract
from sgsc.shared_apps.identity.models import User
from tests.billing.statements.helpers import make_contract
from tests.billing.tariffs.helpers import make_version
from tests.billing.tariffs.test_services import _approve, _refusal, _stored

pytestmark = pytest.mark.django_db
Status = TariffScheduleVersion.Status
_numbers = count(1)


@pytest.fixture
def contract(schedule: TariffSchedule, tenants: Any) -> Contract:
    return make_contract(tenant=tenants.prov_a, schedule=schedule)


def _statement(contract: Contract, month: date,
               status: str = Statement.Status.ISSUED) -> Statement:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return Statement.objects.create(
        contract=contract, tenant=contract.tenant, month=month, period_start=month,
        period_end=last, status=status,
        number="" if status == Statement.Status.DRAFT else f"S-2026-{next(_numbers):06d}",
        net_amount=0, vat_amount=0, total=0)


def test_approval_over_an_issued_month_is_refused_and_changes_nothing(  # type: ignore[no-untyped-def]
        submitted_version: Callable[..., TariffScheduleVersion], contract: Contract,
        reviewer: User) -> None:
    version = submitted_version(effective_from=date(2026, 3, 15))
    # Issued after the submission: the approval is what must notice it.
    march = _statement(contract, date(2026, 3, 1))
    april = _statement(contract, date(2026, 4, 1))
    before = _stored()

    with pytest.raises(Conflict) as error:
        _approve(version, reviewer)

    assert error.value.code == "period_already_billed"
    assert march.number in error.value.message and april.number in error.value.message
    assert error.value.details == {"statements": [march.number, april.number]}
    assert _stored() == before  # not approved, and the decision file was not kept
    refusal = _refusal("tariff.version.approve")
    assert refusal.details["code"] == "period_already_billed"
    assert refusal.actor_id == reviewer.pk


def test_submitting_over_an_issued_month_is_refused(  # type: ignore[no-untyped-def]
        draft_version: Callable[..., TariffScheduleVersion], contract: Contract,
        author: User) -> None:
    billed = _statement(contract, date(2026, 2, 1))
    version = draft_version(effective_from=date(2026, 1, 1), effective_to=date(2026, 6, 30))

    with pytest.raises(Conflict) as error:
        tariff_version_submit(version=version, actor=author)

    assert error.value.code == "period_already_billed"
    assert billed.number in error.value.message
    version.refresh_from_db()
    assert version.status == Status.DRAFT and version.submitted_at is None
    assert _refusal("tariff.version.submit").details["code"] == "period_already_billed"


def test_a_past_start_with_nothing_issued_in_it_is_approved(  # type: ignore[no-untyped-def]
        submitted_version: Callable[..., TariffScheduleVersion], contract: Contract,
        tenants: Any, reviewer: User) -> None:
    # Months that do not count: a draft, a voided one, another schedule's contract, and a
    # month after the version ends.
    _statement(contract, date(2025, 3, 1), status=Statement.Status.DRAFT)
    _statement(contract, date(2025, 4, 1), status=Statement.Status.VOID)
    other = make_contract(tenant=tenants.prov_b,
                          schedule=TariffSchedule.objects.create(code="ALTA", name="Alta"))
    _statement(other, date(2025, 5, 1))
    _statement(contract, date(2026, 1, 1))
    # The schedule's first version, a year in the past.
    first = submitted_version(effective_from=date(2025, 1, 1), effective_to=date(2025, 12, 31))

    assert _approve(first, reviewer).status == Status.APPROVED


def test_an_open_ended_version_ends_where_the_next_approved_one_starts(  # type: ignore[no-untyped-def]
        schedule: TariffSchedule, submitted_version: Callable[..., TariffScheduleVersion],
        contract: Contract, reviewer: User) -> None:
    make_version(schedule=schedule, effective_from=date(2026, 3, 1))
    _statement(contract, date(2026, 3, 1))  # billed under that later version
    earlier = submitted_version(effective_from=date(2025, 6, 1))  # in force until 28.02.2026

    assert _approve(earlier, reviewer).status == Status.APPROVED

    # Whereas one starting inside the billed month would reprice it.
    with pytest.raises(Conflict) as error:
        submitted_version(effective_from=date(2026, 3, 20))
    assert error.value.code == "period_already_billed"
