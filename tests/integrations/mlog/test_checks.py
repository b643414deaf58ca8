"""An enabled adapter without its certificate, key or a valid IDNO is reported by
``sgsc check`` (and so before the platform serves)."""

from __future__ import annotations

from typing import Any

from sgsc.integrations.mlog.checks import mlog_settings_check
from tests.integrations.mlog.conftest import PLATFORM_IDNO


def test_off_needs_nothing(settings: Any) -> None:
    settings.MLOG_URL = ""
    assert mlog_settings_check() == []


def test_on_needs_certificate_key_and_a_valid_idno(settings: Any) -> None:
    settings.MLOG_URL = "https://mlog.staging.egov.md:8443"
    settings.MLOG_CERT_FILE = settings.MLOG_KEY_FILE = ""
    settings.MLOG_LEGAL_ENTITY_IDNO = "1000000000075"  # wrong check digit
    settings.MLOG_BATCH_MAX_BYTES = 1024
    assert sorted(error.id for error in mlog_settings_check()) == [
        "mlog.E001", "mlog.E001", "mlog.E002", "mlog.E003"]
    settings.MLOG_CERT_FILE, settings.MLOG_KEY_FILE = "/run/mlog.crt", "/run/mlog.key"
    settings.MLOG_LEGAL_ENTITY_IDNO = PLATFORM_IDNO
    settings.MLOG_BATCH_MAX_BYTES = 256_000
    assert mlog_settings_check() == []
