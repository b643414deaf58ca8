from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import Channel


class ContractDraftForm(forms.Form):
    tenant_slug = forms.CharField(label=_("Identificatorul spațiului"), max_length=42,
                                  help_text=_("Adresa va fi <identificator>.<domeniu>."))
    tariff_code = forms.CharField(label=_("Codul grilei tarifare"), max_length=32)
    effective_date = forms.DateField(label=_("Data intrării în vigoare"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("Necompletată: data semnării."))
    term_months = forms.IntegerField(label=_("Durata (luni)"), min_value=1, max_value=120)
    services = forms.CharField(label=_("Servicii (câte unul pe rând)"),
                               widget=forms.Textarea(attrs={"rows": 4}))
    channels = forms.MultipleChoiceField(label=_("Canale"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)

    @classmethod
    def for_contract(cls, contract: Contract, data: Any = None) -> ContractDraftForm:
        return cls(data, initial={
            "tenant_slug": contract.tenant_slug, "tariff_code": contract.tariff_code,
            "effective_date": contract.effective_date, "term_months": contract.term_months,
            "services": "\n".join(contract.services), "channels": contract.channels,
        })

    def clean_services(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["services"].splitlines()
                if line.strip()]


class ContractSignForm(forms.Form):
    age_signer_name = forms.CharField(label=_("Semnatarul din partea AGE"), max_length=255)
    age_signer_position = forms.CharField(label=_("Funcția semnatarului AGE"), max_length=255)
    provider_signer_name = forms.CharField(label=_("Semnatarul din partea prestatorului"),
                                           max_length=255)
    provider_signer_position = forms.CharField(label=_("Funcția semnatarului prestatorului"),
                                               max_length=255)
    signed_document = forms.FileField(
        label=_("Contractul semnat (PDF, opțional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        help_text=_("Fără fișier, documentul semnat este PDF-ul generat de platformă."))


class ContractCancelForm(forms.Form):
    # Required by the service, which audits the refusal (reason_required).
    reason = forms.CharField(label=_("Motivul anulării"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ContractTemplateForm(forms.Form):
    title = forms.CharField(label=_("Titlu"), max_length=255)
    effective_from = forms.DateField(label=_("Aplicabil de la"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label=_("Textul (șablon Django)"),
                           widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false",
                                                          "class": "code"}))
