from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Acțiune"), required=False, max_length=100)
    actor = forms.CharField(label=_("Autor"), required=False, max_length=255)
    outcome = forms.ChoiceField(label=_("Rezultat"), required=False,
                                choices=[("", _("Oricare")), *AuditEvent.Outcome.choices])
    date_from = forms.DateField(label=_("De la"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Până la"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("Data de început este după data de sfârșit."),
                                        code="invalid_range")
        return cleaned
