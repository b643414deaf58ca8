"""The meter registry: one function per metric, run inside the tenant's schema.

The platform registers ``seats`` and ``storage_gb``; the ticket app registers
``tickets_handled`` and the telephony app ``call_minutes`` from their ``AppConfig.ready``.
A metric without a meter records nothing (never an invented zero), and statements bill only
what was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Q

from sgsc.billing.usage.models import Metric
from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.scoping import membership_scopes
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenants.models import Tenant

# The roles that occupy an operator seat (tenant admins and auditors do not).
SEAT_ROLES = (TenantRole.L1_OPERATOR, TenantRole.L2_SPECIALIST, TenantRole.L3_TECHNICAL,
              TenantRole.SUPERVISOR, TenantRole.COORDINATOR)
BYTES_PER_GB = Decimal(1024**3)
GB_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Reading:
    quantity: Decimal
    source: dict[str, Any] = field(default_factory=dict)


Meter = Callable[[Tenant, date], Reading]
_METERS: dict[str, Meter] = {}


def register_meter(metric: Metric, meter: Meter) -> None:
    """Make ``meter`` count ``metric`` for every tenant from now on (one meter per metric)."""
    _METERS[str(metric)] = meter


def registered_meters() -> dict[str, Meter]:
    return dict(_METERS)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The day as a half-open interval of aware moments, in Europe/Chisinau."""
    start = datetime.combine(day, time.min, tzinfo=local_zone())
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_zone())


def meter_seats(tenant: Tenant, day: date) -> Reading:
    """Memberships that held an operator role at any moment of the day (validity and end)."""
    start, end = day_bounds(day)
    rows = list(
        Membership.objects.filter(tenant=tenant, valid_from__lt=end,
                                  roles__overlap=[str(role) for role in SEAT_ROLES])
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=start))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .order_by("pk").values_list("pk", "user_id", "limited_to_institutions"))
    source: dict[str, Any] = {"memberships": [pk for pk, _user, _limited in rows]}
    limited = {user_id: pk for pk, user_id, is_limited in rows if is_limited}
    if tenant.kind == Tenant.Kind.HUB:
        # Who serves which institution, for a hub allocation by seats: a limited operator
        # counts for the institutions granted to them, any other for all of them.
        scopes = membership_scopes(tenant_schema=tenant.schema_name, user_ids=list(limited))
        source["limited"] = {str(limited[user_id]): sorted(ids)
                             for user_id, ids in sorted(scopes.items())}
    return Reading(quantity=Decimal(len(rows)), source=source)


def meter_storage(tenant: Tenant, day: date) -> Reading:
    """The tenant schema's size (tables with their indexes and TOAST) when the meter runs: a
    snapshot, which is why the nightly run measures the day that has just ended."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0), count(*) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'm')", [tenant.schema_name])
        size, tables = cursor.fetchone()
    gb = (Decimal(size) / BYTES_PER_GB).quantize(GB_PLACES, rounding=ROUND_HALF_UP)
    return Reading(quantity=gb, source={"schema": tenant.schema_name, "bytes": int(size),
                                        "tables": int(tables), "unit": "GiB (2^30 B)"})


def register_builtin_meters() -> None:
    register_meter(Metric.SEATS, meter_seats)
    register_meter(Metric.STORAGE_GB, meter_storage)
