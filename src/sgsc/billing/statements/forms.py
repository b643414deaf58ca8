"""Forms of the statement pages (AGE) and the Chancellery console."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.billing.statements.models import AllocationKey
from sgsc.billing.statements.selectors import contracts_billable, what_if_versions
from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.billing.usage.selectors import parse_month
from sgsc.provisioning.contracts.models import Contract


class MonthField(forms.CharField):
    """``YYYY-MM`` (the browser's month input) to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Luna trebuie scrisă AAAA-LL."), code="invalid_month")
        return month


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.number} · {obj.institution.name}"


class StatementGenerateForm(forms.Form):
    contract = ContractChoiceField(label=_("Contractul"), queryset=Contract.objects.none())
    month = MonthField(label=_("Luna"))

    def __init__(self, *args: Any, month: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = contracts_billable(month=month)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Confirm"), required=True)


class VoidForm(ConfirmForm):
    reason = forms.CharField(label=_("Motivul anulării"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class AllocationKeyForm(forms.Form):
    key = forms.ChoiceField(label=_("Cheia de repartizare"), choices=AllocationKey.choices)


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TariffScheduleVersion) -> str:
        return f"{obj} · {obj.get_status_display()}"


class WhatIfForm(forms.Form):
    month = MonthField(label=_("Luna"))
    version = VersionChoiceField(label=_("Versiunea grilei aplicată"),
                                 queryset=TariffScheduleVersion.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = what_if_versions()
