"""Start embedded servers for settings that allow them (``dev`` and ``test``)."""

import os

_ALLOW_VARIABLE = "SGSC_ALLOW_EMBEDDED"


def allow_embedded() -> None:
    os.environ.setdefault(_ALLOW_VARIABLE, "1")


def apply_embedded_defaults() -> None:
    """Fill ``DATABASE_URL``/``REDIS_URL`` with embedded servers when allowed and unset."""
    if os.environ.get(_ALLOW_VARIABLE) != "1":
        return
    from sgsc.platform.embedded import ensure_environment

    ensure_environment()
