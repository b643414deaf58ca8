"""Builders for provisioning tests: a signed contract (and its approved request)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from stdnum.md import idno as idno_check

from sgsc.provisioning.contracts.models import Contract, ContractTemplate
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.workdays.selectors import deadline_after
from tests.billing.tariffs.helpers import default_schedule
from tests.factories import InstitutionFactory

_counter = itertools.count(1)


def valid_idnp(n: int) -> str:
    base = f"2{n:011d}"
    return base + idno_check.calc_check_digit(base)


def make_signed_contract(*, slug: str, mode: str = ConnectionRequest.Mode.INDIVIDUAL,
                         members: list[Institution] | None = None,
                         coordinator: Institution | None = None,
                         institution: Institution | None = None,
                         contact_email: str | None = None, contact_idnp: str | None = None,
                         signed_at: Any = None) -> Contract:
    """An approved request and its signed contract, built directly (no services involved)."""
    n = next(_counter)
    institution = institution or InstitutionFactory(name=f"Instituția pentru {slug}")
    now = signed_at or timezone.now()
    request = ConnectionRequest.objects.create(
        number=f"CR-2099-{n:06d}-{slug}"[:16], institution=institution, mode=mode,
        coordinator=coordinator, agreement_number="AI-7/2026" if mode == "hub" else "",
        agreement_date=date(2026, 3, 2) if mode == "hub" else None,
        services=["Pensii"], channels=["phone", "email"], expected_seats=4,
        expected_requests_month=500, contact_name="Ana Maria Popescu",
        contact_idnp=contact_idnp or valid_idnp(900000 + n),
        contact_email=contact_email or f"admin-{slug}@example.gov.md",
        contact_phone="+37322000000", status=ConnectionRequest.Status.APPROVED,
        received_at=now - timedelta(days=10), review_deadline=now + timedelta(days=5))
    if members:
        request.members.set(members)
    template = ContractTemplate.objects.order_by("-version").first() or \
        ContractTemplate.objects.create(version=1, title="Contract-tip", body="x",
                                        effective_from=date(2026, 1, 1))
    return Contract.objects.create(
        number=f"C-{n:05d}-{slug}"[:16], request=request, template=template,
        institution=institution, tenant_slug=slug, services=["Pensii"],
        channels=["phone", "email"], tariff_schedule=default_schedule(), status=Contract.Status.SIGNED,
        signed_at=now, handover_deadline=deadline_after(event=now, working_days=10))
