"""Fixtures for tariff schedules: AGE's author, two Chancellery reviewers, a schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.billing.tariffs.services import (
    ComponentInput,
    tariff_version_draft,
    tariff_version_submit,
)
from sgsc.shared_apps.identity.models import User
from tests.factories import UserFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "decizia.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def components(**prices: str) -> list[ComponentInput]:
    values = {"subscription": "1500.0000", "seat": "350.5000", "ticket": "2.5000", **prices}
    return [ComponentInput(kind=kind, unit_price=price) for kind, price in values.items()]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Decision documents go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def author(db: None) -> User:
    return UserFactory(platform_roles=["age_admin"])


@pytest.fixture
def reviewer(db: None) -> User:
    return UserFactory(platform_roles=["chancellery_reviewer"])


@pytest.fixture
def schedule(db: None) -> TariffSchedule:
    return TariffSchedule.objects.create(code="TARIF-TEST", name="Grila de test")


@pytest.fixture
def draft_version(schedule: TariffSchedule, author: User) -> Callable[..., TariffScheduleVersion]:
    def make(*, effective_from: date = date(2027, 1, 1), effective_to: date | None = None,
             actor: User | None = None, **prices: str) -> TariffScheduleVersion:
        return tariff_version_draft(schedule=schedule, effective_from=effective_from,
                                    effective_to=effective_to, vat_treatment="exempt",
                                    vat_rate=None, components=components(**prices),
                                    actor=actor or author)
    return make


@pytest.fixture
def submitted_version(draft_version: Callable[..., TariffScheduleVersion],
                      author: User) -> Callable[..., TariffScheduleVersion]:
    def make(**kwargs: Any) -> TariffScheduleVersion:
        version = draft_version(**kwargs)
        return tariff_version_submit(version=version, actor=kwargs.get("actor") or author)
    return make
