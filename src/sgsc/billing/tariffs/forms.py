from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.billing.tariffs.models import TariffComponent, TariffScheduleVersion
from sgsc.billing.tariffs.services import ComponentInput

Kind = TariffComponent.Kind
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    code = forms.CharField(label=_("Cod"), max_length=32, help_text=_("De ex. TARIF-2028-STD."))
    name = forms.CharField(label=_("Denumire"), max_length=255)


class VersionForm(forms.Form):
    """The period, VAT and one row per component. Amounts stay text here: the service checks
    them and names the refusal (``negative_price``...)."""

    effective_from = forms.DateField(label=_("În vigoare de la"), widget=_DATE)
    effective_to = forms.DateField(label=_("În vigoare până la (inclusiv)"), required=False,
                                   widget=_DATE,
                                   help_text=_("Necompletat: până la următoarea versiune."))
    vat_treatment = forms.ChoiceField(label=_("Regimul TVA"),
                                      choices=TariffScheduleVersion.Vat.choices)
    vat_rate = forms.CharField(label=_("Cota TVA (%)"), required=False, max_length=8)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[f"price_{kind}"] = forms.CharField(
                label=label, required=False, max_length=24,
                help_text=_("Preț unitar, MDL (până la 4 zecimale); necompletat: nu se aplică."))
            self.fields[f"hub_{kind}"] = forms.CharField(
                label=_("Coeficient hub"), required=False, max_length=12, initial="1")
        self.fields["allowance_gb"] = forms.CharField(
            label=_("Stocare inclusă (GB)"), required=False, max_length=16, initial="0")

    @classmethod
    def for_version(cls, version: TariffScheduleVersion, data: Any = None) -> VersionForm:
        initial: dict[str, Any] = {
            "effective_from": version.effective_from, "effective_to": version.effective_to,
            "vat_treatment": version.vat_treatment, "vat_rate": version.vat_rate or "",
        }
        for component in version.components.all():
            initial[f"price_{component.kind}"] = component.unit_price
            initial[f"hub_{component.kind}"] = component.hub_multiplier
            if component.kind == Kind.STORAGE_GB_MONTH:
                initial["allowance_gb"] = component.allowance_gb
        return cls(data, initial=initial)

    def component_rows(self) -> list[tuple[Any, Any, Any]]:
        """(price field, hub field, allowance field or None) per component, for the table."""
        return [(self[f"price_{kind}"], self[f"hub_{kind}"],
                 self["allowance_gb"] if kind == Kind.STORAGE_GB_MONTH else None)
                for kind in Kind.values]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        components = [
            ComponentInput(kind=kind, unit_price=data[f"price_{kind}"],
                           hub_multiplier=data[f"hub_{kind}"] or "1",
                           allowance_gb=(data["allowance_gb"] or "0")
                           if kind == Kind.STORAGE_GB_MONTH else "0")
            for kind in Kind.values if data[f"price_{kind}"].strip()]
        return {"effective_from": data["effective_from"], "effective_to": data["effective_to"],
                "vat_treatment": data["vat_treatment"], "vat_rate": data["vat_rate"] or None,
                "components": components}

    def field_for(self, service_field: str) -> str | None:
        """The form field a service error names (``components.seat`` -> ``price_seat``)."""
        if service_field.startswith("components."):
            return f"price_{service_field.split('.', 1)[1]}"
        return service_field if service_field in self.fields else None


class ApproveForm(forms.Form):
    decision_number = forms.CharField(label=_("Numărul deciziei Cancelariei de Stat"),
                                      max_length=64)
    decision_date = forms.DateField(label=_("Data deciziei"), widget=_DATE)
    decision_document = forms.FileField(
        label=_("Decizia (PDF, cel mult 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))


class ReturnForm(forms.Form):
    comments = forms.CharField(label=_("Observații pentru AGE"),
                               widget=forms.Textarea(attrs={"rows": 4}))
