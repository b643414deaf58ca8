"""The phone channel (R3): the tenant's lines, the PBX connectors that report calls, the
operators' extensions, every event received as it came, and the calls built from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sgsc.tenant_apps.public_refs import ON_PUBLIC_DELETE


class PhoneLine(models.Model):
    """A number reserved by STISC and routed to this tenant; in a hub, a member institution's."""

    number = models.CharField(_("număr"), max_length=15, unique=True)  # digits, country code
    name = models.CharField(_("denumire"), max_length=255)
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("serviciu implicit"))
    is_active = models.BooleanField(_("activă"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("linie telefonică")
        verbose_name_plural = _("linii telefonice")

    def __str__(self) -> str:
        return f"+{self.number} {self.name}"


class Extension(models.Model):
    """The PBX extension at which an operator answers, so a call reaches their screen."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                related_name="+", verbose_name=_("operator"))
    number = models.CharField(_("interior"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("interior")
        verbose_name_plural = _("interioare")

    def __str__(self) -> str:
        return self.number


class Connector(models.Model):
    """A PBX allowed to report calls; only the SHA-256 of its key is stored."""

    name = models.CharField(_("denumire"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conector PBX")
        verbose_name_plural = _("conectori PBX")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Call(models.Model):
    """One call as the PBX reported it, merged from its events in any order."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("De intrare")
        OUTBOUND = "outbound", _("De ieșire")

    class State(models.TextChoices):
        RINGING = "ringing", _("Sună")
        ANSWERED = "answered", _("În convorbire")
        ENDED = "ended", _("Încheiat")

    class Disposition(models.TextChoices):
        ANSWERED = "answered", _("Preluat")
        NO_ANSWER = "no_answer", _("Fără răspuns")
        BUSY = "busy", _("Ocupat")
        ABANDONED = "abandoned", _("Abandonat în așteptare")
        FAILED = "failed", _("Eșuat")

    pbx_call_id = models.CharField(max_length=100, unique=True)
    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(PhoneLine, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="calls", verbose_name=_("linie"))
    # Copied from the line when the call arrives, so a later change of the line keeps history.
    institution = models.ForeignKey("institutions.Institution", on_delete=ON_PUBLIC_DELETE,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("instituție"))
    direction = models.CharField(_("sens"), max_length=8, choices=Direction.choices)
    caller = models.CharField(_("apelant"), max_length=32)
    callee = models.CharField(_("apelat"), max_length=32)
    extension = models.CharField(_("interior"), max_length=20, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE, null=True,
                              blank=True, related_name="+", verbose_name=_("operator"))
    state = models.CharField(_("stare"), max_length=8, choices=State.choices)
    disposition = models.CharField(_("rezultat"), max_length=10, choices=Disposition.choices,
                                   blank=True)
    started_at = models.DateTimeField(_("început la"))
    answered_at = models.DateTimeField(_("preluat la"), null=True, blank=True)
    ended_at = models.DateTimeField(_("încheiat la"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("așteptare (s)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("convorbire (s)"), default=0)
    recording_url = models.URLField(_("înregistrare audio"), max_length=500, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="calls", verbose_name=_("solicitare"))
    called_back_at = models.DateTimeField(_("apelat înapoi la"), null=True, blank=True)
    called_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=ON_PUBLIC_DELETE,
                                       null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("apel")
        verbose_name_plural = _("apeluri")
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_recent"),
            models.Index(fields=["ended_at"], name="call_ended"),
            models.Index(fields=["caller"], name="call_caller"),
            models.Index(fields=["agent", "state"], name="call_agent_state"),
        ]

    def __str__(self) -> str:
        return f"{self.caller} → {self.callee}"

    @property
    def missed(self) -> bool:
        return (self.direction == self.Direction.INBOUND and self.state == self.State.ENDED
                and self.disposition != self.Disposition.ANSWERED)


MISSED_DISPOSITIONS = (Call.Disposition.NO_ANSWER, Call.Disposition.BUSY,
                       Call.Disposition.ABANDONED, Call.Disposition.FAILED)


class CallEvent(models.Model):
    """An event exactly as the PBX sent it, stored before it is acknowledged (invariant 4);
    the PBX's event id makes a resent event a recognised duplicate. Append-only."""

    connector = models.ForeignKey(Connector, on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    payload = models.JSONField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event_id"],
                                               name="call_event_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
