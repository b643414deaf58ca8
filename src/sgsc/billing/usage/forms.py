from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.billing.usage.models import Metric
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real


class MeterForm(forms.Form):
    day = forms.DateField(label=_("Ziua"), widget=forms.DateInput(attrs={"type": "date"}))
    tenant = forms.ModelChoiceField(label=_("Prestator (gol: toți)"), required=False,
                                    queryset=Tenant.objects.none(), to_field_name="slug")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["tenant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = tenant_list_real()


class AdjustForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("Prestator"), queryset=Tenant.objects.none(),
                                    to_field_name="slug")
    day = forms.DateField(label=_("Ziua"), widget=forms.DateInput(attrs={"type": "date"}))
    metric = forms.ChoiceField(label=_("Indicator"), choices=Metric.choices)
    quantity = forms.DecimalField(label=_("Cantitatea corectă"), max_digits=18,
                                  decimal_places=6)
    reason = forms.CharField(label=_("Motivul corecției"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["tenant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = tenant_list_real()
