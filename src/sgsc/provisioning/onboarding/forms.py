"""Forms of the activation page and of AGE's tenant page (status change, hub amendment)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from sgsc.tenants.models import Tenant


class ActivationForm(SetPasswordForm):
    """The provider admin's first password; Django's password validators apply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Parola nouă")
        self.fields["new_password2"].label = _("Confirmați parola")
        self.fields["new_password1"].help_text = _(
            "Cel puțin 12 caractere; nu doar cifre, nu o parolă uzuală și nu asemănătoare "
            "cu adresa de e-mail.")


class TenantStatusForm(forms.Form):
    """Suspend, reactivate or terminate: the reason always, the legal basis when access is
    taken away (checked again by the service)."""

    status = forms.ChoiceField(choices=[
        (Tenant.Status.SUSPENDED, _("Suspendă")),
        (Tenant.Status.ACTIVE, _("Reactivează")),
        (Tenant.Status.TERMINATED, _("Încetează")),
    ], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Motivul"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("Temeiul legal"), max_length=500, required=False,
                                  help_text=_("Obligatoriu pentru suspendare și încetare."))


_IDNO_SPLIT = re.compile(r"[\s,;]+")


class HubAmendmentForm(forms.Form):
    number = forms.CharField(label=_("Numărul amendamentului"), max_length=64)
    signed_on = forms.DateField(label=_("Data semnării"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    add_idnos = forms.CharField(
        label=_("Instituții adăugate (IDNO)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Câte un IDNO pe rând sau separate prin virgulă."))
    remove_idnos = forms.MultipleChoiceField(label=_("Instituții excluse"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Notă"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["remove_idnos"].choices = members or []  # type: ignore[attr-defined]

    def clean_add_idnos(self) -> list[str]:
        raw: str = self.cleaned_data.get("add_idnos") or ""
        return [part for part in _IDNO_SPLIT.split(raw) if part]
