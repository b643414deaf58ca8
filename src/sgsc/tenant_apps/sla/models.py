"""The tenant's clock (business hours with breaks, or 24/7, and its own closed days) and its
SLA policies. The national calendar comes from ``shared_apps.workdays``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockSettings(models.Model):
    """Exactly one row per tenant schema (the constant primary key)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    always_open = models.BooleanField(_("program non-stop (24/7)"), default=False)
    # Share of the resolution target after which the assignee and supervisor are warned.
    warning_percent = models.PositiveSmallIntegerField(_("avertizare la (%)"), default=75)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="sla_clock_settings_singleton"),
                       models.CheckConstraint(condition=models.Q(warning_percent__gte=1,
                                                                 warning_percent__lte=99),
                                              name="sla_warning_percent_range")]

    def __str__(self) -> str:
        return "24/7" if self.always_open else "program"


class BusinessPeriod(models.Model):
    """One open period of a weekday (0 = Monday); several periods make breaks."""

    weekday = models.PositiveSmallIntegerField(_("ziua săptămânii"))
    start = models.TimeField(_("de la"))
    end = models.TimeField(_("până la"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="sla_period_ends_after_start"),
                       models.CheckConstraint(condition=models.Q(weekday__lte=6),
                                              name="sla_period_weekday")]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class LocalClosedDay(models.Model):
    """A day the tenant does not work, on top of the national calendar."""

    day = models.DateField(_("data"), unique=True)
    reason = models.CharField(_("motiv"), max_length=255)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.reason}"


class SlaPolicy(models.Model):
    """First response and resolution targets in working minutes. The most specific policy
    applies: service and priority, then service group and priority, then priority alone."""

    priority = models.ForeignKey("catalog.Priority", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("prioritate"))
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+", verbose_name=_("serviciu"))
    group = models.ForeignKey("catalog.ServiceGroup", on_delete=models.CASCADE, null=True,
                              blank=True, related_name="+", verbose_name=_("grup de servicii"))
    first_response_minutes = models.PositiveIntegerField(_("primul răspuns (minute lucrătoare)"))
    resolution_minutes = models.PositiveIntegerField(_("soluționare (minute lucrătoare)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["priority", "service", "group"],
                                    name="sla_policy_unique", nulls_distinct=False),
            models.CheckConstraint(condition=~models.Q(service__isnull=False,
                                                       group__isnull=False),
                                   name="sla_policy_service_or_group"),
            models.CheckConstraint(condition=models.Q(first_response_minutes__gte=1,
                                                      resolution_minutes__gte=1),
                                   name="sla_policy_positive_targets"),
        ]

    def __str__(self) -> str:
        return f"{self.priority_id}/{self.service_id or self.group_id or '*'}"

