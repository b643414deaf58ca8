"""Gap-free yearly numbers shared by connection requests and contracts."""
from __future__ import annotations

from typing import Any


def yearly_number_take(counter_model: Any, *, year: int, prefix: str) -> str:
    """The next number of the year, PREFIX-YYYY-NNNNNN. The counter row stays locked until the
    caller's transaction ends, so a rolled-back caller gives its number back (no gaps)."""
    counter_model.objects.bulk_create([counter_model(year=year, last=0)], ignore_conflicts=True)
    counter = counter_model.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
