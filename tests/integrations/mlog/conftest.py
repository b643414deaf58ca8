"""The MLog test double, and settings that point the adapter at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from stdnum.md import idno

from sgsc.integrations.doubles.mlog_server import MLogDouble

PLATFORM_IDNO = "1" + "0" * 10 + "7"
PLATFORM_IDNO += idno.calc_check_digit(PLATFORM_IDNO)


@pytest.fixture
def mlog_double() -> Iterator[MLogDouble]:
    with MLogDouble() as double:
        yield double


@pytest.fixture
def mlog_on(settings: Any, mlog_double: MLogDouble) -> MLogDouble:
    """The adapter on, talking to the double with a registered client certificate."""
    credentials = mlog_double.client_credentials()
    settings.MLOG_URL = mlog_double.url
    settings.MLOG_CERT_FILE = credentials.cert_file
    settings.MLOG_KEY_FILE = credentials.key_file
    settings.MLOG_CA_FILE = mlog_double.ca_file
    settings.MLOG_LEGAL_ENTITY_IDNO = PLATFORM_IDNO
    settings.MLOG_BATCH_MAX_BYTES = 256_000
    return mlog_double


def valid_code(prefix: str, n: int) -> str:
    """A 13-digit IDNO/IDNP with a valid check digit."""
    base = f"{prefix}{n:011d}"
    return base + idno.calc_check_digit(base)
