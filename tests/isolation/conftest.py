"""The isolation proof's world is built once for the package, inside a transaction that is
rolled back at its end; each test then runs in its own savepoint, as usual."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from tests.isolation.probe import REPORT
from tests.isolation.world import World, world_build


@pytest.fixture(scope="package")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    # Throttle counters live in the cache (Redis) and outlast a run: a second run within the
    # hour would find the public connection-request form already at its quota (429 for the
    # anonymous baseline). Each run starts from empty counters.
    cache.clear()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield world_build()
        finally:
            connection.set_schema_to_public()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT.attempts and not REPORT.tasks:
        return
    write = terminalreporter.write_line
    terminalreporter.section("isolation proof (invariant 1)")
    write(f"routes enumerated: {REPORT.routes['public']} on the public host, "
          f"{REPORT.routes['tenant']} on tenant hosts")
    for scenario, count in sorted(REPORT.attempts.items()):
        write(f"  {count:6d} attempts: {scenario}")
    write(f"attempts in all: {sum(REPORT.attempts.values())}")
    write(f"roles held by the attackers: {', '.join(sorted(REPORT.roles))}")
    write(f"Celery tasks checked: {len(REPORT.tasks)}")
    for name, kind in sorted(REPORT.tasks.items()):
        write(f"  {name}: {kind}")
