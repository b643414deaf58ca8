"""Enqueue Celery tasks after the current transaction commits, in the current schema."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction

from sgsc.platform.celery import app
from sgsc.tenants.schemas import current_schema_name


def enqueue_on_commit(task: Task | str, *, kwargs: dict[str, Any] | None = None,
                      queue: str | None = None) -> None:
    """Send ``task`` (a task or its registered name) once the transaction commits (never for
    a rolled-back change).

    The schema is captured now: the task runs where the change was made, even if the
    connection has moved to another schema by the time the callback fires.
    """
    schema = current_schema_name()
    options: dict[str, Any] = {"headers": {"_schema_name": schema}}
    if queue is not None:
        options["queue"] = queue
    if isinstance(task, str):
        name = task
        transaction.on_commit(lambda: app.send_task(name, kwargs=kwargs or {}, **options))
    else:
        transaction.on_commit(lambda: task.apply_async(kwargs=kwargs or {}, **options))
