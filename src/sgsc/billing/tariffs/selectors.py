"""Reads of tariff schedules. ``tariff_version_effective`` is the app's API for billing."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from sgsc.billing.tariffs.models import TariffSchedule, TariffScheduleVersion
from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditEvent

Status = TariffScheduleVersion.Status


def tariff_version_effective(*, schedule: TariffSchedule, on: date) -> TariffScheduleVersion:
    """The approved version of ``schedule`` in force on ``on``, with its components loaded.

    The latest approved version that has started applies; one without an end date stays in
    force until the next one starts. Approved versions never overlap (checked at submit and
    approve). Raises ``NotFound`` (``no_approved_tariff``) when none applies that day.
    """
    version = (TariffScheduleVersion.objects
               .filter(schedule=schedule, status=Status.APPROVED, effective_from__lte=on)
               .select_related("schedule").prefetch_related("components")
               .order_by("-effective_from").first())
    if version is None or (version.effective_to is not None and version.effective_to < on):
        raise NotFound(_("Grila tarifară %(code)s nu are o versiune aprobată în vigoare la "
                         "%(day)s.") % {"code": schedule.code, "day": on.strftime("%d.%m.%Y")},
                       code="no_approved_tariff")
    return version


def tariff_schedule_list(*, search: str = "") -> QuerySet[TariffSchedule]:
    schedules = TariffSchedule.objects.annotate(
        version_count=Count("versions", distinct=True),
        approved_count=Count("versions", filter=Q(versions__status=Status.APPROVED),
                             distinct=True),
        pending_count=Count("versions", filter=Q(versions__status=Status.SUBMITTED),
                            distinct=True))
    if search:
        schedules = schedules.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return schedules.order_by("code")


def tariff_schedule_get(*, code: str) -> TariffSchedule:
    schedule = TariffSchedule.objects.filter(code=code).first()
    if schedule is None:
        raise NotFound(_("Grila tarifară %(code)s nu există.") % {"code": code},
                       code="unknown_tariff_schedule")
    return schedule


def tariff_version_list(*, schedule: TariffSchedule | None = None,
                        status: str = "") -> QuerySet[TariffScheduleVersion]:
    versions = TariffScheduleVersion.objects.select_related(
        "schedule", "created_by", "submitted_by", "approved_by")
    if schedule is not None:
        versions = versions.filter(schedule=schedule)
    if status:
        versions = versions.filter(status=status)
    return versions.prefetch_related("components").order_by("schedule__code", "-number")


def tariff_version_pending() -> QuerySet[TariffScheduleVersion]:
    """The Chancellery's queue: submitted versions, the oldest submission first."""
    return (tariff_version_list(status=Status.SUBMITTED)
            .order_by("submitted_at", "id"))


def tariff_version_get(*, pk: int) -> TariffScheduleVersion:
    version = (tariff_version_list().prefetch_related("returns__returned_by")
               .filter(pk=pk).first())
    if version is None:
        raise NotFound(_("Versiunea grilei tarifare nu a fost găsită."),
                       code="tariff_version_not_found")
    return version


def tariff_version_history(*, version: TariffScheduleVersion) -> QuerySet[AuditEvent]:
    """The version's audit events (refusals included), oldest first."""
    return (AuditEvent.objects.filter(object_type="tariff_version", object_id=str(version.pk))
            .select_related("actor").order_by("occurred_at", "id"))
