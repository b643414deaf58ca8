"""A tenant's support configuration (R4 §21, per group of services): the services it answers
for, categories, the impact x urgency priority matrix, teams and queues, routing rules, canned
replies and knowledge-base articles. Everything lives in the tenant's own schema."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from sgsc.tenant_apps.public_refs import ON_PUBLIC_DELETE


class ServiceGroup(models.Model):
    """Services configured alike (R4 §21): the SLA policies may name a group."""

    code = models.SlugField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=255)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A public service the tenant answers for, with its delivery standard."""

    code = models.CharField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=255)
    name_ru = models.CharField(_("denumire (rusă)"), max_length=255, blank=True)
    name_en = models.CharField(_("denumire (engleză)"), max_length=255, blank=True)
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="services", verbose_name=_("grup"))
    # In a hub: the member institution that delivers the service.
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    # The delivery standard's resolution term, in working hours of the tenant's clock.
    resolution_hours = models.PositiveIntegerField(
        _("termen de soluționare (ore lucrătoare)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 365)])
    is_active = models.BooleanField(_("activ"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Category(models.Model):
    name = models.CharField(_("denumire"), max_length=255)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("categorie părinte"))
    is_active = models.BooleanField(_("activă"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"],
                                               name="catalog_category_unique_name",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A priority level; ``rank`` 1 is the most urgent."""

    code = models.SlugField(_("cod"), max_length=20, unique=True)
    name = models.CharField(_("denumire"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rang"), unique=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(3)]


class PriorityRule(models.Model):
    """One cell of the impact x urgency matrix (1 = high, 3 = low)."""

    impact = models.PositiveSmallIntegerField(_("impact"), validators=LEVEL_VALIDATORS)
    urgency = models.PositiveSmallIntegerField(_("urgență"), validators=LEVEL_VALIDATORS)
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="rules")

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"],
                                               name="catalog_priority_rule_cell")]

    def __str__(self) -> str:
        return f"{self.impact}x{self.urgency}: {self.priority_id}"


class Team(models.Model):
    """Who works a support level; an L3 team may belong to another tenant (``external``)."""

    class Level(models.IntegerChoices):
        L1 = 1, _("Nivelul 1")
        L2 = 2, _("Nivelul 2")
        L3 = 3, _("Nivelul 3")

    name = models.CharField(_("denumire"), max_length=255, unique=True)
    level = models.PositiveSmallIntegerField(_("nivel"), choices=Level.choices, default=Level.L1)
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    # An L3 team of another tenant (AGE, STISC, an IS owner), reached through the exchange.
    external_tenant = models.ForeignKey("tenants.Tenant", on_delete=ON_PUBLIC_DELETE, null=True,
                                        blank=True, related_name="+",
                                        verbose_name=_("prestator extern"))
    is_active = models.BooleanField(_("activă"), default=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE, related_name="+")
    on_shift = models.BooleanField(_("în tură"), default=False)
    # Round robin: the member assigned longest ago goes next.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"],
                                               name="catalog_team_member_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.user_id}"


class Queue(models.Model):
    name = models.CharField(_("denumire"), max_length=255, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="queues",
                             verbose_name=_("echipă"))
    # Tickets routed here are handed out round robin over the team's members on shift.
    auto_assign = models.BooleanField(_("repartizare automată"), default=False)
    is_active = models.BooleanField(_("activă"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """The first active rule (by ``position``) whose every given condition matches decides."""

    position = models.PositiveIntegerField(_("ordine"))
    name = models.CharField(_("denumire"), max_length=255)
    channel = models.CharField(_("canal"), max_length=16, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("serviciu"))
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    # Any of these words (folded, lower case) in the title or description.
    keywords = models.JSONField(_("cuvinte-cheie"), default=list, blank=True)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("coadă"))
    is_active = models.BooleanField(_("activă"), default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class CannedReply(models.Model):
    title = models.CharField(_("titlu"), max_length=255)
    body = models.TextField(_("text"))
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", verbose_name=_("serviciu"))
    is_active = models.BooleanField(_("activ"), default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class KnowledgeArticle(models.Model):
    title = models.CharField(_("titlu"), max_length=255)
    body = models.TextField(_("conținut"))
    services = models.ManyToManyField(Service, blank=True, related_name="articles",
                                      verbose_name=_("servicii"))
    is_published = models.BooleanField(_("publicat"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
