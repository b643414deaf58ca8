"""Tickets (Concept §23.1), their requesters, their append-only journal and attachments.

``Ticket`` holds the current state for fast queues; the ``JournalEntry`` rows are the record
(invariant 2): every registration and change, in order, never updated nor deleted (a
PostgreSQL trigger refuses it), corrections being new entries that annul earlier ones.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.institutions.validators import validate_idno, validate_idnp
from sgsc.tenant_apps.public_refs import ON_PUBLIC_DELETE


class TicketSettings(models.Model):
    """Exactly one row per tenant schema (the constant primary key)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    # Numbers read "<prefix>-<year>-<sequence>", e.g. CNAS-2026-000123.
    number_prefix = models.CharField(_("prefixul numărului"), max_length=12)
    reopen_days = models.PositiveSmallIntegerField(_("redeschidere posibilă (zile)"), default=10)
    close_after_days = models.PositiveSmallIntegerField(
        _("închidere automată după soluționare (zile)"), default=5)
    archive_after_days = models.PositiveSmallIntegerField(
        _("arhivare după închidere (zile)"), default=90)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1),
                                              name="tickets_settings_singleton")]

    def __str__(self) -> str:
        return self.number_prefix


class TicketCounter(models.Model):
    """The last number given in a year: locked while a ticket is created, so numbers have no
    gaps (a rolled-back creation gives its number back)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Contact(models.Model):
    """A requester, recognised again by IDNP, IDNO, e-mail or phone."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Cetățean")
        COMPANY = "company", _("Persoană juridică")
        OTHER = "other", _("Doar date de contact")

    kind = models.CharField(_("tip"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nume"), max_length=255, blank=True)
    idnp = models.CharField("IDNP", max_length=13, blank=True, validators=[validate_idnp])
    idno = models.CharField("IDNO", max_length=13, blank=True, validators=[validate_idno])
    email = models.EmailField(_("e-mail"), blank=True)
    # Digits only, with the country code (373...), so that one number is found one way.
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["idnp"], condition=~Q(idnp=""),
                                    name="tickets_contact_unique_idnp"),
            models.UniqueConstraint(fields=["idno"], condition=~Q(idno=""),
                                    name="tickets_contact_unique_idno"),
        ]
        indexes = [models.Index(fields=["email"], name="tickets_contact_email"),
                   models.Index(fields=["phone"], name="tickets_contact_phone")]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or self.idnp or self.idno


class Ticket(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Telefon")
        EMAIL = "email", _("E-mail")
        PORTAL = "portal", _("Portal (EVO)")
        CHAT = "chat", _("Chat")

    class Status(models.TextChoices):
        NEW = "new", _("Nouă")
        OPEN = "open", _("În lucru")
        WAITING = "waiting", _("În așteptarea solicitantului")
        ESCALATED = "escalated", _("Escaladată")
        RESOLVED = "resolved", _("Soluționată")
        CLOSED = "closed", _("Închisă (inactivă)")
        ARCHIVED = "archived", _("Arhivată")

    ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.ESCALATED)
    # The active statuses whose SLA clock runs (waiting pauses it): the due queues, the
    # "unassigned" queue and the SLA monitor hold only these, as do the partial indexes below.
    RUNNING_STATUSES = (Status.NEW, Status.OPEN, Status.ESCALATED)

    number = models.CharField(_("număr"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets",
                                verbose_name=_("solicitant"))
    subject = models.CharField(_("subiect"), max_length=255, blank=True)
    title = models.CharField(_("titlu"), max_length=255)
    description = models.TextField(_("descriere"), blank=True)
    status = models.CharField(_("stare"), max_length=10, choices=Status.choices,
                              default=Status.NEW)
    level = models.PositiveSmallIntegerField(_("nivel"), default=1,
                                             validators=[MinValueValidator(1),
                                                         MaxValueValidator(3)])
    impact = models.PositiveSmallIntegerField(_("impact"), default=2)
    urgency = models.PositiveSmallIntegerField(_("urgență"), default=2)
    priority = models.ForeignKey("catalog.Priority", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("prioritate"))
    category = models.ForeignKey("catalog.Category", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("categorie"))
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("serviciu"))
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    queue = models.ForeignKey("catalog.Queue", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("coadă"))
    team = models.ForeignKey("catalog.Team", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("echipă"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE, null=True,
                                 blank=True, related_name="+", verbose_name=_("operator"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                   null=True, blank=True, related_name="+")

    # The SLA clock (sla.services keeps these; every page reads them, invariant 5).
    response_target_minutes = models.PositiveIntegerField(default=0)
    resolution_target_minutes = models.PositiveIntegerField(default=0)
    sla_elapsed_minutes = models.PositiveIntegerField(default=0)  # working minutes before
    sla_running_since = models.DateTimeField(null=True, blank=True)  # None: paused or stopped
    response_due_at = models.DateTimeField(_("termen primul răspuns"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("termen de soluționare"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    # Set when a supervisor fixed the deadline by hand: recomputation keeps it.
    deadline_fixed = models.BooleanField(default=False)
    # The deadline of the level the ticket is escalated to (Annex 1 §18.4).
    level_due_at = models.DateTimeField(_("termenul nivelului"), null=True, blank=True)

    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("înregistrată la"))
    updated_at = models.DateTimeField(_("modificată la"))
    journal_length = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"],
                                               name="tickets_number_per_year")]
        indexes = [
            GinIndex(fields=["search_vector"], name="tickets_search"),
            models.Index(fields=["-created_at", "-id"], name="tickets_recent"),
            models.Index(fields=["assignee", "-created_at", "-id"], name="tickets_by_assignee",
                         condition=Q(status__in=["new", "open", "waiting", "escalated"])),
            models.Index(fields=["team", "-created_at", "-id"], name="tickets_by_team",
                         condition=Q(status__in=["new", "open", "waiting", "escalated"])),
            models.Index(fields=["-created_at", "-id"], name="tickets_unassigned",
                         condition=Q(assignee__isnull=True,
                                     status__in=["new", "open", "escalated"])),
            models.Index(fields=["resolution_due_at", "id"], name="tickets_by_due",
                         condition=Q(status__in=["new", "open", "escalated"])),
            models.Index(fields=["status", "-created_at", "-id"], name="tickets_by_status"),
            models.Index(fields=["institution", "status"], name="tickets_by_institution"),
            models.Index(fields=["sla_warn_at"], name="tickets_warn_due",
                         condition=Q(sla_warned_at__isnull=True,
                                     sla_running_since__isnull=False)),
            models.Index(fields=["contact", "-created_at"], name="tickets_by_contact"),
            # Reports of a period (hub figures) and the level deadlines the monitor watches.
            models.Index(fields=["resolved_at"], name="tickets_resolved",
                         condition=Q(resolved_at__isnull=False)),
            models.Index(fields=["level_due_at"], name="tickets_level_due",
                         condition=Q(level__gt=1, status__in=["new", "open", "escalated"])),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class JournalEntry(models.Model):
    """One registration or change of a ticket. Append-only (trigger in migration 0002)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Înregistrare")
        UPDATED = "updated", _("Actualizare date")
        STATUS = "status", _("Schimbare de stare")
        ASSIGNED = "assigned", _("Repartizare")
        ESCALATED = "escalated", _("Escaladare")
        REPLY = "reply", _("Răspuns către solicitant")
        NOTE = "note", _("Notă internă")
        ATTACHMENT = "attachment", _("Fișier atașat")
        SLA = "sla", _("Termen")
        CORRECTION = "correction", _("Corectare")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Intern")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="journal")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE, null=True,
                              related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    visibility = models.CharField(max_length=10, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)
    # {field: [before, after]} in the ticket's stored form (ids, codes, ISO moments).
    changes = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # A correction annuls this earlier entry and replaces its values by ``changes``.
    annuls = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="annulled_by")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["ticket", "seq"]
        constraints = [models.UniqueConstraint(fields=["ticket", "seq"],
                                               name="tickets_journal_order")]
        indexes = [GinIndex(fields=["search_vector"], name="tickets_journal_search"),
                   # The nightly tickets_handled meter reads one day of the journal.
                   models.Index(fields=["at"], name="tickets_journal_at")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq}"


class Attachment(models.Model):
    """A file attached to a ticket, stored only after clamd scanned it (``attachments.py``).

    ``file`` names a clean file in its normal location, or a file waiting in quarantine for a
    scanner that was unavailable (never served); an infected file is never kept, its row is
    the record of the refusal.
    """

    class Scan(models.TextChoices):
        CLEAN = "clean", _("Verificat")
        INFECTED = "infected", _("Infectat, șters")
        QUARANTINED = "quarantined", _("În carantină")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="attachments")
    # The storage name is chosen by the service (random, never the uploader's name).
    file = models.FileField(max_length=255, blank=True)
    name = models.CharField(_("denumire"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("mărime"))
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(_("verificare antivirus"), max_length=12, choices=Scan.choices)
    signature = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("încărcat la"), default=timezone.now)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(scan__in=["clean", "infected", "quarantined"]),
                                   name="tickets_attachment_scan_known"),
            # An infected file is never kept; every other row names its stored file.
            models.CheckConstraint(condition=Q(scan="infected", file="")
                                   | (~Q(scan="infected") & ~Q(file="")),
                                   name="tickets_attachment_file_unless_infected"),
        ]
        indexes = [models.Index(fields=["uploaded_at"], name="tickets_attachment_quarantine",
                                condition=Q(scan="quarantined"))]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """An operator's named set of queue filters, optionally shared with the tenant."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                              related_name="+")
    name = models.CharField(_("denumire"), max_length=100)
    filters = models.JSONField(default=dict)
    shared = models.BooleanField(_("vizibil tuturor"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"],
                                               name="tickets_saved_view_unique")]

    def __str__(self) -> str:
        return self.name

