from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.workdays.models import CalendarException


class CalendarExceptionForm(forms.Form):
    date = forms.DateField(label=_("Data"), input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Tipul excepției"), choices=CalendarException.Kind.choices)
    # Not required here: the service refuses an empty legal act with its own code and message.
    legal_act = forms.CharField(label=_("Actul normativ"), max_length=500, required=False,
                                help_text=_("De exemplu: Hotărârea Guvernului nr. 123 din "
                                            "01.02.2026"))
    note = forms.CharField(label=_("Observație"), max_length=500, required=False)
