"""Assertions already used: an assertion signs in once, even if the same browser session
still expects its answer (a double submission, a copied cookie). Kept in the cache until the
assertion's NotOnOrAfter has passed, after which pysaml2 refuses it as expired anyway."""

from __future__ import annotations

import base64
import calendar
import time

from django.conf import settings
from django.core.cache import cache
from saml2.samlp import response_from_string
from saml2.time_util import str_to_time

DEFAULT_TTL_SECONDS = 3600


def _key(assertion_id: str) -> str:
    return f"mpass:assertion:{assertion_id}"


def assertion_mark_used(*, assertion_id: str, not_on_or_after: str | None) -> bool:
    """Record the assertion as used; False if it already was (atomic: ``cache.add``)."""
    ttl = DEFAULT_TTL_SECONDS
    if not_on_or_after:
        expires = calendar.timegm(str_to_time(not_on_or_after))
        ttl = int(expires - time.time())
    ttl = max(ttl, 0) + settings.MPASS_ACCEPTED_TIME_DIFF_SECONDS + 1
    return bool(cache.add(_key(assertion_id), True, timeout=ttl))


def assertion_was_used(*, assertion_id: str) -> bool:
    return cache.get(_key(assertion_id)) is not None


def unverified_assertion_id(saml_response: str) -> str | None:
    """The assertion id in a posted Response, before any check (only to refuse a replay
    early; a forged id gains nothing: the response is refused either way)."""
    try:
        response = response_from_string(base64.b64decode(saml_response).decode("utf-8"))
    except Exception:
        return None
    if response is None or not response.assertion:
        return None
    assertion_id: str | None = response.assertion[0].id
    return assertion_id
