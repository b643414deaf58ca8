"""Provisioning tests: submission counters that never carry over between tests or runs."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _submissions_unthrottled(settings: Any) -> None:
    # The counters live in Redis and outlast a test (an hour, a day): tests that submit
    # many requests must not trip them. The throttle's own tests set low rates and use a
    # client address of their own.
    settings.CONNECTION_REQUEST_SUBMIT_RATES = ["1000000/s"]
