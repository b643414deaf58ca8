"""Approved connection requests made directly as rows, and drafts made from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.services import contract_draft_for_request
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from tests.billing.tariffs.helpers import make_version
from tests.factories import InstitutionFactory, UserFactory

_numbers = count(900001)

SIGNERS = {
    "age_signer_name": "Ion Rusu",
    "age_signer_position": "Director",
    "provider_signer_name": "Ștefan Țîrdea",
    "provider_signer_position": "Director general adjunct",
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Signed documents go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _approved_tariff(db: None) -> None:
    """Signing needs an approved version of the contract's schedule in force."""
    make_version()


@pytest.fixture
def make_request(db: None) -> Callable[..., ConnectionRequest]:
    """A connection request row (approved unless told otherwise)."""

    def make(*, institution: Institution | None = None,
             status: str = ConnectionRequest.Status.APPROVED, **fields: Any) -> ConnectionRequest:
        now = timezone.now()
        values: dict[str, Any] = {
            "number": f"CR-2099-{next(_numbers):06d}",
            "institution": institution or InstitutionFactory(
                name="Casa Națională de Asigurări Sociale",
                address="mun. Chișinău, str. Gheorghe Tudor 3"),
            "mode": ConnectionRequest.Mode.INDIVIDUAL,
            "services": ["Pensii și indemnizații", "Certificate de asigurare"],
            "channels": ["phone", "email"],
            "expected_seats": 12,
            "expected_requests_month": 4000,
            "expected_call_minutes": 9000,
            "contact_name": "Maria Sârbu",
            "contact_idnp": "2002000000008",
            "contact_email": "contact@cnas.gov.md",
            "contact_phone": "+37322000000",
            "status": status,
            "received_at": now - timedelta(days=12),
            "review_deadline": now + timedelta(days=2),
        }
        values.update(fields)
        return ConnectionRequest.objects.create(**values)

    return make


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(platform_roles=["age_onboarding_officer"])


@pytest.fixture
def draft(make_request: Callable[..., ConnectionRequest], officer: User) -> Contract:
    return contract_draft_for_request(connection_request=make_request(), actor=officer)


@pytest.fixture
def signers() -> dict[str, str]:
    return dict(SIGNERS)
