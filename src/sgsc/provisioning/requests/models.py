"""Connection requests (Annex 1 §6-10): what a provider asks AGE, and what happened to it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.institutions.validators import validate_idnp


class Channel(models.TextChoices):
    PHONE = "phone", _("Telefon")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portalul EVO")
    CHAT = "chat", _("Mesagerie / chat")


class RequestNumberCounter(models.Model):
    """Last number given in a year; locked while a number is taken, so numbers have no gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ConnectionRequest(models.Model):
    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        HUB = "hub", _("Hub comun de suport")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Depusă")
        UNDER_REVIEW = "under_review", _("În examinare")
        NEEDS_INFO = "needs_info", _("Necesită informații suplimentare")
        APPROVED = "approved", _("Aprobată")
        REJECTED = "rejected", _("Respinsă")
        WITHDRAWN = "withdrawn", _("Retrasă")

    number = models.CharField(_("număr de înregistrare"), max_length=16, unique=True)
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="connection_requests")
    mode = models.CharField(_("mod"), max_length=16, choices=Mode.choices)
    # Hub requests: the coordinating institution, the members and their agreement.
    coordinator = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    members = models.ManyToManyField("institutions.Institution", blank=True, related_name="+")
    agreement_number = models.CharField(_("numărul acordului"), max_length=64, blank=True)
    agreement_date = models.DateField(_("data acordului"), null=True, blank=True)
    services = ArrayField(models.CharField(max_length=255), verbose_name=_("servicii"))
    channels = ArrayField(models.CharField(max_length=16, choices=Channel.choices),
                          verbose_name=_("canale"))
    expected_seats = models.PositiveIntegerField(_("locuri de operator"))
    expected_requests_month = models.PositiveIntegerField(_("solicitări pe lună"))
    expected_call_minutes = models.PositiveIntegerField(_("minute de apel pe lună"), default=0)
    contact_name = models.CharField(_("persoana de contact"), max_length=255)
    contact_idnp = models.CharField(_("IDNP persoanei de contact"), max_length=13,
                                    validators=[validate_idnp])
    contact_email = models.EmailField(_("e-mailul persoanei de contact"))
    contact_phone = models.CharField(_("telefonul persoanei de contact"), max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    received_at = models.DateTimeField(_("recepționată la"))
    review_deadline = models.DateTimeField(_("termen de examinare"))
    # While AGE waits for more information the term is suspended (see docs/ARCHITECTURE.md):
    # the working days left are kept at the pause (negative: the term had already run out).
    review_paused_at = models.DateTimeField(null=True, blank=True)
    review_days_left_at_pause = models.SmallIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decision_reasons = models.TextField(_("motivele deciziei"), blank=True)
    decision_legal_basis = models.CharField(_("temeiul legal"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.NEEDS_INFO)
    # The review clock runs only in these; it is suspended in NEEDS_INFO, stopped after.
    CLOCK_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "review_deadline"], name="cr_status_deadline")]
        constraints = [
            # Backstop for the duplicate check: one open request per institution.
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(status__in=["submitted", "under_review", "needs_info"]),
                name="cr_one_open_per_institution"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_channels_display(self) -> str:
        labels = dict(Channel.choices)
        return ", ".join(str(labels.get(channel, channel)) for channel in self.channels)


class RequestEvent(models.Model):
    """One entry of a request's timeline (the audit log has the same, chained)."""

    ACTION_LABELS = {
        "submit": _("Cerere depusă"),
        "start_review": _("Examinare începută"),
        "ask_info": _("Informații suplimentare solicitate (termen suspendat)"),
        "info_provided": _("Informații primite (termen reluat)"),
        "approve": _("Cerere aprobată"),
        "reject": _("Cerere respinsă"),
        "withdraw": _("Cerere retrasă"),
        "contract_cancel": _("Proiectul de contract anulat; cerere închisă"),
    }

    request = models.ForeignKey(ConnectionRequest, on_delete=models.PROTECT,
                                related_name="events")
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    action = models.CharField(max_length=64)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        return str(ConnectionRequest.Status(self.to_status).label) if self.to_status else ""


class RequestDocument(models.Model):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("Cererea semnată")
        AGREEMENT = "agreement", _("Acordul interinstituțional")
        MANDATE = "mandate", _("Împuternicire")
        OTHER = "other", _("Alt document")

    request = models.ForeignKey(ConnectionRequest, on_delete=models.PROTECT,
                                related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to="connection-requests/%Y/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # None: sent by the applicant through the public form or API.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class InfoRequestLink(models.Model):
    """The applicant's one-time link to answer AGE's request for more information, e-mailed
    to the request's contact. Only the SHA-256 of the token is stored."""

    request = models.ForeignKey(ConnectionRequest, on_delete=models.PROTECT,
                                related_name="info_links")
    question = models.TextField()
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when AGE asked again: only the latest question's link answers.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"info link {self.request_id}"
