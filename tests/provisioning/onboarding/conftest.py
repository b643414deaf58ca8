"""Fixtures for provisioning: a signed contract ready to provision."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sgsc.provisioning.contracts.models import Contract
from tests.provisioning.onboarding.helpers import make_signed_contract


@pytest.fixture
def signed_contract(db: None) -> Callable[..., Contract]:
    return make_signed_contract
