"""The drain task: every 30 s from beat, and a couple of seconds after new audit events."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sgsc.integrations.mlog.services import DRAIN_TASK, mlog_outbox_drain
from sgsc.platform.celery import app


# No Celery retries: the outbox keeps its own backoff and beat calls again within 30 s.
# Idempotent: concurrent runs lock different rows (SKIP LOCKED); sent rows are not resent.
@app.task(name=DRAIN_TASK, time_limit=300, soft_time_limit=240, ignore_result=True)
def drain() -> dict[str, Any]:
    report = mlog_outbox_drain(max_batches=50, time_budget=180.0)
    summary = asdict(report)
    if report.paused_until is not None:
        summary["paused_until"] = report.paused_until.isoformat()
    return summary
