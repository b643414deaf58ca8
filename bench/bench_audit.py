"""Audit log: cost of a hash-chained append, and verification speed.

Run: .venv/bin/python bench/bench_audit.py [--events N]
Baseline: a plain INSERT of the same row (no chain head lock, no hash) in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    _django.setup()
    from django.db import connection
    from django.utils import timezone

    from sgsc.shared_apps.audit.services import audit_record
    from sgsc.shared_apps.audit.verification import chain_verify

    def timed(action, n):  # type: ignore[no-untyped-def]
        timings = []
        for i in range(n):
            started = time.perf_counter()
            action(i)
            timings.append(time.perf_counter() - started)
        return statistics.median(timings)

    def plain_insert(i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_plain (occurred_at, action, details) VALUES (%s, %s, %s)",
                [timezone.now(), "bench.plain", f'{{"i": {i}}}'])

    def chained(i: int) -> None:
        audit_record(action="bench.chained", tenant=None, details={"i": i})

    with _django.scratch_database():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain (id bigserial PRIMARY KEY, "
                           "occurred_at timestamptz, action text, details jsonb)")
        baseline = timed(plain_insert, args.events)
        append = timed(chained, args.events)
        started = time.perf_counter()
        report = chain_verify(chain="platform")
        verify = time.perf_counter() - started
    assert report.ok
    print(f"audit append, median of {args.events} (autocommit each):")
    print(f"  plain INSERT (baseline):   {baseline * 1e6:8.0f} µs")
    print(f"  hash-chained audit_record: {append * 1e6:8.0f} µs")
    print(f"  ratio chained/plain:       {append / baseline:8.2f}")
    print(f"verify {report.events_checked} events: {verify:.2f} s "
          f"({report.events_checked / verify:,.0f} events/s)")


if __name__ == "__main__":
    main()
