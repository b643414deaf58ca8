"""Start embedded servers for settings that allow them (``dev`` and ``test``)."""

import os
from pathlib import Path

_ALLOW_VARIABLE = "SGSC_ALLOW_EMBEDDED"


def allow_embedded() -> None:
    os.environ.setdefault(_ALLOW_VARIABLE, "1")


def apply_embedded_defaults(home: Path) -> None:
    """Fill ``DATABASE_URL``/``REDIS_URL`` with embedded servers in ``home`` when allowed."""
    if os.environ.get(_ALLOW_VARIABLE) != "1":
        return
    from sgsc.platform.embedded import ensure_environment

    ensure_environment(home)
