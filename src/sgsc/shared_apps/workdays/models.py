"""National exceptions to the Moldovan working-day calendar, recorded by AGE."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarException(models.Model):
    class Kind(models.TextChoices):
        REST_DAY = "rest_day", _("Zi de odihnă (zi lucrătoare declarată nelucrătoare)")
        WORKING_DAY = "working_day", _("Zi lucrătoare (zi de odihnă declarată lucrătoare)")

    date = models.DateField(_("data"), unique=True)
    kind = models.CharField(_("tip"), max_length=16, choices=Kind.choices)
    legal_act = models.CharField(_("actul normativ"), max_length=500)
    note = models.CharField(_("observație"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"
