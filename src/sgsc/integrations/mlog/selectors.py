"""How the MLog outbox is doing (for ``sgsc mlog status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from sgsc.integrations.mlog.models import MLogOutboxEntry
from sgsc.integrations.mlog.services import mlog_enabled, mlog_outbox_paused_until


@dataclass(frozen=True)
class OutboxStatus:
    enabled: bool
    unsent: int
    due: int
    oldest_unsent_at: datetime | None
    max_attempts: int
    waiting_by_error: dict[str, int]
    paused_until: datetime | None
    head_error: str
    last_sent_at: datetime | None


def mlog_outbox_status(*, now: datetime | None = None) -> OutboxStatus:
    """Counts over the unsent rows only (the partial index); sent rows are history."""
    now = now or timezone.now()
    unsent = MLogOutboxEntry.objects.filter(sent_at__isnull=True)
    totals = unsent.aggregate(unsent=Count("id"), due=Count("id", filter=Q(
        next_attempt_at__lte=now)), oldest=Min("created_at"), max_attempts=Max("attempts"))
    by_error = dict(unsent.exclude(error_kind="").values_list("error_kind")
                    .annotate(n=Count("id")).values_list("error_kind", "n"))
    head = unsent.exclude(last_error="").order_by("id").values_list("last_error",
                                                                    flat=True).first()
    last_sent = (MLogOutboxEntry.objects.filter(sent_at__isnull=False).order_by("-id")
                 .values_list("sent_at", flat=True).first())
    return OutboxStatus(
        enabled=mlog_enabled(), unsent=totals["unsent"], due=totals["due"],
        oldest_unsent_at=totals["oldest"], max_attempts=totals["max_attempts"] or 0,
        waiting_by_error=by_error, paused_until=mlog_outbox_paused_until(now=now),
        head_error=head or "", last_sent_at=last_sent)
