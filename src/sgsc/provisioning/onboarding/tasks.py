"""Provisioning and the daily deadline alert, as Celery tasks (ids in, idempotent)."""

from __future__ import annotations

from sgsc.platform.celery import app
from sgsc.provisioning.onboarding.alerts import deadline_alerts_send
from sgsc.provisioning.onboarding.services import TRANSIENT_ERRORS, provisioning_job_run


@app.task(name="onboarding.provision", time_limit=300, soft_time_limit=240,
          autoretry_for=TRANSIENT_ERRORS, retry_backoff=5, retry_backoff_max=600,
          retry_jitter=True, max_retries=6)
def provision(contract_id: int) -> str:
    """Run or resume the contract's provisioning job; a finished job is left as it is.

    Transient failures (database, e-mail server) are retried with exponential backoff and
    resume at the step that failed; other failures wait for AGE's "Reia".
    """
    return str(provisioning_job_run(contract_id=contract_id).status)


@app.task(name="onboarding.deadline_alerts", time_limit=300, soft_time_limit=240,
          autoretry_for=TRANSIENT_ERRORS, retry_backoff=60, max_retries=3)
def deadline_alerts() -> int:
    """Daily at 07:00: tell AGE staff which review and hand-over deadlines are close or
    missed (beat entry in sgsc.platform.celery)."""
    return deadline_alerts_send()
