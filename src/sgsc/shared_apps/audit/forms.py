"""The audit filters, shared by the viewer, the CSV export and the API."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.selectors import AuditFilters
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

# Times typed by people are Moldovan local times, whatever language or zone is active.
CHISINAU = ZoneInfo("Europe/Chisinau")

# The first part of every action code the platform writes, with a name people understand.
ACTION_FAMILIES: list[tuple[str, Any]] = [
    ("access", _("Acces refuzat")),
    ("account", _("Conturi")),
    ("attachment", _("Fișiere atașate solicitărilor")),
    ("audit", _("Jurnalul de audit")),
    ("auth", _("Autentificare și sesiuni")),
    ("billing", _("Facturare")),
    ("calendar", _("Calendarul zilelor lucrătoare")),
    ("connection_request", _("Cereri de conectare")),
    ("config", _("Configurarea suportului")),
    ("contract", _("Contracte")),
    ("exchange", _("Schimb de date între spații")),
    ("hub", _("Huburi")),
    ("identity", _("Identități și tokenuri API")),
    ("institution", _("Instituții")),
    ("membership", _("Drepturi de acces în spații")),
    ("notification", _("Notificări")),
    ("onboarding", _("Termene de conectare")),
    ("personal_data", _("Vizualizarea datelor personale")),
    ("platform_person", _("Persoane în consola platformei")),
    ("platform_roles", _("Roluri de platformă")),
    ("provisioning", _("Configurarea spațiilor")),
    ("saved_view", _("Vederi salvate ale cozilor")),
    ("statement", _("Deconturi")),
    ("tariff", _("Grile tarifare")),
    ("team_member", _("Ture ale operatorilor")),
    ("telephony", _("Telefonie (apeluri și centrale)")),
    ("tenant", _("Spații (prestatori și huburi)")),
    ("ticket", _("Solicitări")),
    ("usage", _("Utilizare")),
    ("workspace", _("Profilul spațiului")),
]


class LocalDateTimeField(forms.DateTimeField):
    """A moment in Moldovan time. A date alone means the start of that day, or its end for
    the upper bound, so "until 5 May" includes the whole of 5 May."""

    default_error_messages = {
        "invalid": _("Introduceți o dată și o oră valide, de exemplu 05.05.2026 14:30."),
        "ambiguous": _("Această oră nu există sau este ambiguă la Chișinău (trecerea la ora "
                       "de vară sau de iarnă)."),
    }
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                     "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"]

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                        format="%Y-%m-%dT%H:%M"))
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def to_python(self, value: Any) -> datetime | None:
        day = _parse_day(value) if isinstance(value, str) else None
        if day is not None:
            moment = datetime.combine(day, time.max if self.end_of_day else time.min)
            return timezone.make_aware(moment, CHISINAU)
        # Input with an offset keeps it; naive input is read in Chisinau (DST checked).
        try:
            with timezone.override(CHISINAU):
                return super().to_python(value)
        except ValidationError as error:
            if error.code == "ambiguous_timezone":
                raise ValidationError(self.error_messages["ambiguous"],
                                      code="ambiguous_timezone") from error
            raise


def _parse_day(value: str) -> date | None:
    text = value.strip()
    try:
        return parse_date(text) or datetime.strptime(text, "%d.%m.%Y").date()  # noqa: DTZ007
    except ValueError:
        return None


def host_tenant(request: Any) -> Tenant:
    """The tenant of the host asked (the platform row on the public host)."""
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Tenant):
        # Routing always sets it; without it the scope is unknown, so nothing is shown.
        raise NotFound(str(_("Evenimentul de audit nu a fost găsit.")), code="not_found")
    return tenant


# Django's own Romanian catalogue leaves these untranslated (or writes ţ with a cedilla).
CHOICE_ERRORS = {"invalid_choice": _("Alegeți o valoare din listă.")}
_NUMBER_ERRORS = {"invalid": _("Introduceți un număr întreg."),
                  "min_value": _("Introduceți un număr mai mare decât zero.")}


class TimeRangeForm(forms.Form):
    """A filter form with ``since`` and ``until`` fields (each subclass declares them where
    its own field order wants them): refuses an interval that ends before it starts."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("since"), cleaned.get("until")
        if start and end and start > end:
            raise forms.ValidationError(_("Începutul intervalului este după sfârșitul lui."),
                                        code="invalid_range")
        return cleaned


class AuditFilterForm(TimeRangeForm):
    """On the public host the form also chooses the tenant; on a tenant host it has no such
    field, so nothing in the query string can point it at another chain."""

    actor = forms.CharField(label=_("Autor"), required=False, max_length=255,
                            widget=forms.TextInput(
                                attrs={"placeholder": _("e-mail, nume sau IDNP")}))
    actor_id = forms.IntegerField(label=_("ID autor"), required=False, min_value=1,
                                  error_messages=_NUMBER_ERRORS)
    tenant = forms.ChoiceField(label=_("Spațiu"), required=False, error_messages=CHOICE_ERRORS)
    family = forms.ChoiceField(label=_("Domeniu"), required=False, error_messages=CHOICE_ERRORS,
                               choices=[("", _("Oricare")), *ACTION_FAMILIES])
    action = forms.CharField(label=_("Acțiune (început)"), required=False, max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": "auth.login"}))
    outcome = forms.ChoiceField(label=_("Rezultat"), required=False,
                                error_messages=CHOICE_ERRORS,
                                choices=[("", _("Oricare")), *AuditEvent.Outcome.choices])
    since = LocalDateTimeField(label=_("De la"), required=False)
    until = LocalDateTimeField(label=_("Până la"), required=False, end_of_day=True)
    object_type = forms.CharField(label=_("Tip obiect"), required=False, max_length=100)
    object_id = forms.CharField(label=_("ID obiect"), required=False, max_length=100)

    def __init__(self, *args: Any, tenant: Tenant | None, **kwargs: Any) -> None:
        """``tenant`` is the host's (``None`` or the platform row on the public host)."""
        super().__init__(*args, **kwargs)
        self._chains: dict[str, str] = {}
        if tenant is not None and not tenant.is_public:
            del self.fields["tenant"]
            return
        tenants = list(tenant_list_real().only("slug", "name", "schema_name").order_by("name"))
        self._chains = {PLATFORM_CHAIN: PLATFORM_CHAIN,
                        **{tenant.slug: tenant.schema_name for tenant in tenants}}
        cast(forms.ChoiceField, self.fields["tenant"]).choices = [
            ("", _("Oricare")), (PLATFORM_CHAIN, _("Platforma (AGE)")),
            *((tenant.slug, tenant.name) for tenant in tenants)]

    def filters(self) -> AuditFilters:
        """The validated filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return AuditFilters(
            actor=data["actor"], actor_id=data["actor_id"],
            chain=self._chains.get(data.get("tenant") or "", ""),
            family=data["family"], action=data["action"], outcome=data["outcome"],
            since=data["since"], until=data["until"],
            object_type=data["object_type"], object_id=data["object_id"],
        )
