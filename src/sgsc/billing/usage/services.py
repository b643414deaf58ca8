"""Writes of usage records: metering a tenant's day (idempotent) and late corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from sgsc.billing.usage.meters import registered_meters
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.platform.errors import InvalidInput, NotFound
from sgsc.platform.queue import enqueue_on_commit
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.workdays.selectors import local_date
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real


def usage_day_check(*, day: date) -> None:
    """Only a day that is over (Europe/Chisinau) can be metered."""
    if day >= local_date(timezone.now()):
        raise InvalidInput(_("Ziua %(day)s nu s-a încheiat încă.")
                           % {"day": day.strftime("%d.%m.%Y")}, code="day_not_over")


def usage_meter_tenant_day(*, tenant: Tenant, day: date,
                           actor: User | None = None) -> list[UsageRecord]:
    """Record each registered metric of ``tenant`` for ``day`` that has no record yet.

    Idempotent: a metric already recorded is neither measured again nor changed (a different
    figure later is an adjustment, ``usage_adjust``). Runs the meters inside the tenant's
    schema; the records go to the public schema. Returns the records created now.
    """
    usage_day_check(day=day)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two runs of one tenant's day (beat and a manual run) take turns.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [tenant.pk, day.toordinal()])
        done = set(UsageRecord.objects.filter(tenant=tenant, day=day,
                                              kind=UsageRecord.Kind.ORIGINAL)
                   .values_list("metric", flat=True))
        meters = {metric: meter for metric, meter in registered_meters().items()
                  if metric not in done}
        now = timezone.now()
        created = []
        with schema_context(tenant.schema_name):
            for metric, meter in sorted(meters.items()):
                reading = meter(tenant, day)
                created.append(UsageRecord(tenant=tenant, day=day, metric=metric,
                                           quantity=reading.quantity, source=reading.source,
                                           computed_at=now, created_by=actor))
        UsageRecord.objects.bulk_create(created)
        audit_record(action="usage.meter", actor=actor, tenant=tenant, object_type="tenant",
                     object_id=tenant.pk,
                     details={"day": day.isoformat(),
                              "created": {r.metric: str(r.quantity) for r in created},
                              "already_recorded": sorted(done)})
    return created


def usage_meter_day(*, day: date, tenant_slug: str | None = None,
                    actor: User | None = None) -> dict[str, list[UsageRecord]]:
    """Meter ``day`` for one tenant or every real tenant, here and now (the command's path;
    the nightly job fans out one task per tenant instead)."""
    usage_day_check(day=day)
    tenants = tenant_list_real()
    if tenant_slug is not None:
        tenants = tenants.filter(slug=tenant_slug)
        if not tenants.exists():
            raise NotFound(_("Nu există prestatorul „%(slug)s”.") % {"slug": tenant_slug},
                           code="tenant_not_found")
    return {tenant.slug: usage_meter_tenant_day(tenant=tenant, day=day, actor=actor)
            for tenant in tenants.order_by("slug")}


def usage_meter_request(*, day: date, tenant: Tenant | None, actor: User | None) -> int:
    """A person asks for a day to be metered: one tenant now (returns the records made), or
    every tenant through the nightly job's fan-out, queued after commit (returns 0)."""
    with audited_refusal(action="usage.meter.request", tenant=None, actor=actor, object_type="day",
                         object_id=day.isoformat()):
        usage_day_check(day=day)
    if tenant is not None:
        return len(usage_meter_tenant_day(tenant=tenant, day=day, actor=actor))
    with transaction.atomic():
        audit_record(action="usage.meter.request", actor=actor, tenant=None, object_type="day",
                     object_id=day.isoformat(), details={"scope": "all"})
        enqueue_on_commit("usage.meter_dispatch", kwargs={"day": day.isoformat()})
    return 0


def usage_effective_quantity(*, original: UsageRecord) -> Decimal:
    adjusted = original.adjustments.aggregate(total=Sum("quantity"))["total"]
    return original.quantity + (adjusted or Decimal(0))


def usage_adjust(*, tenant: Tenant, day: date, metric: str, quantity: Decimal, reason: str,
                 actor: User | None) -> UsageRecord:
    """Correct a recorded day: a new adjustment record holding the difference between
    ``quantity`` (the right figure) and what is recorded now. Nothing is overwritten."""
    details = {"day": day.isoformat(), "metric": metric, "quantity": str(quantity)}
    with audited_refusal(action="usage.adjust", tenant=None, actor=actor, object_type="tenant",
                         object_id=tenant.pk, details=details), transaction.atomic():
        reason = reason.strip()
        if not reason:
            raise InvalidInput(_("Motivul corecției este obligatoriu."), code="reason_required",
                               fields={"reason": [_("Câmp obligatoriu.")]})
        if metric not in Metric.values:
            raise InvalidInput(_("Indicator necunoscut: %(metric)s.") % {"metric": metric},
                               code="invalid_metric", fields={"metric": [_("Valoare invalidă.")]})
        if quantity < 0:
            raise InvalidInput(_("Cantitatea nu poate fi negativă."), code="negative_quantity",
                               fields={"quantity": [_("Valoare negativă.")]})
        original = (UsageRecord.objects.select_for_update()
                    .filter(tenant=tenant, day=day, metric=metric,
                            kind=UsageRecord.Kind.ORIGINAL).first())
        if original is None:
            raise NotFound(_("Ziua %(day)s nu a fost măsurată pentru acest indicator; "
                             "rulați mai întâi măsurarea.") % {"day": day.strftime("%d.%m.%Y")},
                           code="usage_not_metered")
        previous = usage_effective_quantity(original=original)
        if quantity == previous:
            raise InvalidInput(_("Cantitatea corectată este egală cu cea înregistrată."),
                               code="usage_unchanged")
        adjustment = UsageRecord.objects.create(
            tenant=tenant, day=day, metric=metric, quantity=quantity - previous,
            kind=UsageRecord.Kind.ADJUSTMENT, adjusts=original, reason=reason,
            source={"previous": str(previous), "corrected": str(quantity)},
            computed_at=timezone.now(), created_by=actor)
        audit_record(action="usage.adjust", actor=actor, tenant=None, object_type="usage_record",
                     object_id=adjustment.pk,
                     details={**details, "previous": str(previous), "reason": reason,
                              "adjusts": original.pk})
    return adjustment
