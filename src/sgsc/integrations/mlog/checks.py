"""System check: an enabled MLog adapter needs its certificate, key and our IDNO."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from stdnum.md import idno

MIN_BATCH_BYTES = 8192  # room for one event's fixed fields next to its cut details


@checks.register(checks.Tags.security)
def mlog_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.MLOG_URL:
        return []
    errors: list[checks.CheckMessage] = []
    for name in ("MLOG_CERT_FILE", "MLOG_KEY_FILE", "MLOG_LEGAL_ENTITY_IDNO"):
        if not getattr(settings, name):
            errors.append(checks.Error(f"{name} is required when MLOG_URL is set",
                                       id="mlog.E001"))
    platform_idno = settings.MLOG_LEGAL_ENTITY_IDNO
    if platform_idno and not idno.is_valid(platform_idno):
        errors.append(checks.Error("MLOG_LEGAL_ENTITY_IDNO is not a valid IDNO",
                                   id="mlog.E002"))
    if settings.MLOG_BATCH_MAX_BYTES < MIN_BATCH_BYTES:
        errors.append(checks.Error(f"MLOG_BATCH_MAX_BYTES must be at least {MIN_BATCH_BYTES}",
                                   id="mlog.E003"))
    return errors
