"""Nightly verification of each audit chain, run in the schema whose chain it checks."""

from __future__ import annotations

import logging

from sgsc.platform.celery import app
from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.audit.verification import chain_verify
from sgsc.tenants.schemas import current_schema_name

logger = logging.getLogger(__name__)


@app.task(name="audit.verify_current_chain", time_limit=1800, soft_time_limit=1700,
          autoretry_for=(ConnectionError,), retry_backoff=True,
          max_retries=3)
def verify_current_chain() -> dict[str, object]:
    """Check the chain of the schema this task runs in and record the result in the log."""
    schema = current_schema_name()
    chain = PLATFORM_CHAIN if schema == "public" else schema
    report = chain_verify(chain=chain)
    if not report.ok:
        logger.error("audit chain %s broken at event %s: %s", chain, report.broken_event_id,
                     report.problem)
    audit_record(
        action="audit.chain.verify",
        outcome=AuditEvent.Outcome.SUCCESS if report.ok else AuditEvent.Outcome.FAILURE,
        actor_label="system",
        details={"schema": schema, "events_checked": report.events_checked,
                 "broken_event_id": report.broken_event_id, "problem": report.problem},
    )
    return {"schema": schema, "chain": chain, "ok": report.ok,
            "events_checked": report.events_checked}
