"""Forms of the phone channel's pages. Like the other configuration forms they check types
only: the services judge every value (and audit each refusal), so a forged choice still
reaches them. The configuration forms' cleaned data are their service inputs' arguments."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.audit.forms import CHOICE_ERRORS, LocalDateTimeField, TimeRangeForm
from sgsc.tenant_apps.catalog.config_selectors import current_tenant, institutions_allowed
from sgsc.tenant_apps.catalog.forms import BLANK, ConfigForm, PickField
from sgsc.tenant_apps.catalog.models import Service
from sgsc.tenant_apps.telephony.models import Call, Extension
from sgsc.tenant_apps.telephony.selectors import extension_candidates


def _text(label: Any, *, limit: int, help_text: Any = "") -> forms.CharField:
    # Not required here: the service refuses an empty or long value with its code.
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.TextInput(attrs={"maxlength": limit, "required": True}))


class PhoneLineForm(ConfigForm):
    number = _text(_("Număr"), limit=32, help_text=_("Cu prefixul țării sau în forma "
                                                     "națională, de exemplu 022 123 456."))
    name = _text(_("Denumire"), limit=255)
    institution = PickField(label=_("Instituție"), help_text=_(
        "Într-un hub: instituția membră căreia îi aparțin apelurile primite pe linie."))
    service = PickField(label=_("Serviciu implicit"), help_text=_(
        "Propus la înregistrarea unei solicitări dintr-un apel primit pe linie."))
    is_active = forms.BooleanField(label=_("Activă"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer("institution", institutions_allowed(tenant=current_tenant()))
        self.offer("service", Service.objects.filter(is_active=True).order_by("code"))


class ExtensionForm(ConfigForm):
    user = PickField(label=_("Operator"), help_text=_(
        "Persoanele care lucrează cu solicitări și nu au încă un interior."))
    number = _text(_("Interior"), limit=20, help_text=_("Numărul interior din centrala "
                                                        "telefonică (doar cifre)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current: int | None = self.initial.get("user")
        others = (Extension.objects.all() if current is None
                  else Extension.objects.exclude(user_id=current))
        candidates = extension_candidates().exclude(user_id__in=others.values("user_id"))
        choices = [(membership.user_id, membership.user) for membership in candidates]
        if current and current not in {pk for pk, _user in choices}:
            extension = Extension.objects.select_related("user").filter(user_id=current).first()
            if extension is not None:  # no longer a candidate: kept where it is
                choices.append((current, extension.user))
        cast(PickField, self.fields["user"]).choices = [("", BLANK), *(
            (pk, f"{user.get_full_name() or user.email} ({user.email})")
            for pk, user in choices)]


class ConnectorForm(forms.Form):
    name = _text(_("Denumire"), limit=100, help_text=_(
        "Ce centrală folosește cheia, de exemplu „Asterisk, sediul central”."))


class CallFilterForm(TimeRangeForm):
    """The calls list's filters; moments are read in Chisinau time."""

    q = forms.CharField(label=_("Număr (sau o parte)"), required=False, max_length=32,
                            widget=forms.SearchInput(attrs={"placeholder": "069 123",
                                                            "autocomplete": "off"}))
    disposition = forms.ChoiceField(label=_("Rezultat"), required=False,
                                 error_messages=CHOICE_ERRORS,
                                 choices=[("", _("Oricare")), *Call.Disposition.choices])
    since = LocalDateTimeField(label=_("De la"), required=False)
    until = LocalDateTimeField(label=_("Până la"), required=False, end_of_day=True)

    @property
    def narrowed(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
