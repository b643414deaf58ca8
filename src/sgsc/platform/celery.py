"""The Celery application. tenant-schemas-celery carries the sender's schema in a header,
so a task sent inside ``schema_context("x")`` runs in schema ``x``.

Periodic jobs use Celery's default beat scheduler, which runs every entry in ``public``;
jobs that concern tenants are dispatchers that fan out one task per active tenant
(never combined with TenantAwareScheduler, which would multiply the runs).
"""

from __future__ import annotations

import os

from celery.schedules import crontab
from kombu import Queue
from tenant_schemas_celery.app import CeleryApp

# Servers default to production settings; `sgsc up` sets the dev settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgsc.platform.settings.prod")

app = CeleryApp("sgsc")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUE_DEFAULT = "default"
QUEUE_PERIODIC = "periodic"
QUEUE_AUDIT = "audit"
app.conf.task_queues = [Queue(QUEUE_DEFAULT), Queue(QUEUE_PERIODIC), Queue(QUEUE_AUDIT)]
app.conf.task_default_queue = QUEUE_DEFAULT
app.conf.task_routes = {"tenants.*": {"queue": QUEUE_PERIODIC},
                        "identity.expire_memberships": {"queue": QUEUE_PERIODIC},
                        "audit.*": {"queue": QUEUE_AUDIT},
                        "usage.*": {"queue": QUEUE_PERIODIC},
                        "mlog.*": {"queue": QUEUE_AUDIT},
                        "sla.*": {"queue": QUEUE_PERIODIC},
                        "tickets.housekeeping": {"queue": QUEUE_PERIODIC},
                        "tickets.attachments_rescan": {"queue": QUEUE_PERIODIC}}

app.conf.beat_schedule = {
    "audit-verify-chains-nightly": {
        "task": "tenants.fan_out",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"task_name": "audit.verify_current_chain", "include_platform": True,
                   "only_active": False},
    },
    "mlog-outbox-drain": {"task": "mlog.drain", "schedule": 30.0},
    "identity-expire-memberships": {"task": "identity.expire_memberships", "schedule": 300.0},
    # Meters the day that has just ended, one task per tenant (see sgsc.billing.usage.tasks).
    "usage-meter-nightly": {"task": "usage.meter_dispatch", "schedule": crontab(hour=1, minute=15)},
    # SLA warnings and breaches, one task per active tenant (see sgsc.tenant_apps.sla.tasks).
    "sla-monitor-every-minute": {"task": "tenants.fan_out", "schedule": 60.0,
                                 "kwargs": {"task_name": "sla.monitor"}},
    # Automatic closing and archiving of tickets (amended pt. 33), one task per active tenant.
    "tickets-housekeeping-daily": {"task": "tenants.fan_out",
                                   "schedule": crontab(hour=3, minute=10),
                                   "kwargs": {"task_name": "tickets.housekeeping"}},
    "onboarding-deadline-alerts-daily": {
        "task": "onboarding.deadline_alerts",
        "schedule": crontab(hour=7, minute=0),
    },
    # Deliveries to another tenant whose task was lost, sent again (sgsc.shared_apps.exchange).
    "exchange-resend-stalled": {"task": "exchange.resend_stalled", "schedule": 300.0},
    # Attachments that waited in quarantine for clamd, scanned again in every tenant.
    "tickets-attachments-rescan": {"task": "tenants.fan_out", "schedule": 300.0,
                                   "kwargs": {"task_name": "tickets.attachments_rescan"}},
}

app.autodiscover_tasks()
