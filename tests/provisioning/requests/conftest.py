"""Connection requests: valid submissions, tiny PDFs and a clock set in Europe/Chisinau."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.md import idno as idno_number

from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.provisioning.requests.services import connection_request_submit
from sgsc.shared_apps.identity.models import User
from tests.factories import UserFactory

CHISINAU = ZoneInfo("Europe/Chisinau")
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
_serial = count(1)


def local(*args: int) -> datetime:
    """A moment given as Chisinau wall-clock time."""
    return datetime(*args, tzinfo=CHISINAU)  # type: ignore[misc]


def make_idno(n: int, prefix: str = "1009") -> str:
    """A valid 13-digit IDNO (or IDNP with prefix 2): the 7-3-1 check digit appended."""
    base = f"{prefix}{n:0{12 - len(prefix)}d}"
    return base + idno_number.calc_check_digit(base)


def pdf(name: str = "cerere.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def valid_submission(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    values: dict[str, Any] = {
        "institution_idno": make_idno(n),
        "institution_name": f"Agenția de test {n}",
        "institution_kind": "agency",
        "mode": "individual",
        "services": ["Eliberarea certificatelor", "Informații despre taxe"],
        "channels": ["phone", "email"],
        "expected_seats": 5,
        "expected_requests_month": 1200,
        "expected_call_minutes": 3000,
        "contact_name": "Ana Țurcanu",
        "contact_idnp": make_idno(n, prefix="2009"),
        "contact_email": "ana.turcanu@agentie.gov.md",
        "contact_phone": "+373 22 123 456",
    }
    values.update(overrides)
    return values


def hub_submission(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    values = valid_submission(
        mode="hub",
        coordinator_idno="",
        member_idnos=[make_idno(n, prefix="1008"), make_idno(n, prefix="1007")],
        member_names={make_idno(n, prefix="1008"): "Primăria Ialoveni",
                      make_idno(n, prefix="1007"): "Primăria Strășeni"},
        agreement_number="AI-12/2026",
        agreement_date=date(2026, 3, 2),
        documents=[("agreement", pdf("acord.pdf"))],
    )
    values["coordinator_idno"] = values["institution_idno"]
    values.update(overrides)
    return values


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def submit(db: None) -> Callable[..., ConnectionRequest]:
    """Submit a valid request; keyword arguments override single fields."""

    def make(**overrides: Any) -> ConnectionRequest:
        return connection_request_submit(**valid_submission(**overrides))

    return make


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(platform_roles=["age_onboarding_officer"])
