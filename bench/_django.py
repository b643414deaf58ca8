"""Boot Django for a benchmark on a throw-away database (like the tests: test_<name>)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgsc.platform.settings.test")
    import django

    django.setup()


@contextmanager
def scratch_database() -> Iterator[None]:
    """Create, migrate and finally drop a separate database; real data is never touched."""
    from django.test.utils import setup_databases, teardown_databases

    from sgsc.tenants.services import platform_bootstrap

    config = setup_databases(verbosity=0, interactive=False)
    try:
        platform_bootstrap()
        yield
    finally:
        from django.db import connection

        connection.set_schema_to_public()  # type: ignore[attr-defined]
        teardown_databases(config, verbosity=0)


def median_seconds(action: Callable[[], object], *, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)
