"""Forms of the hub coordinator's pages. They check types and what must be filled in; the
selectors and the service judge scope (which institutions, queues and tickets the person may
use) and audit each refusal, so a forged choice still reaches them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

Choices = list[tuple[Any, Any]]
# A larger number is no row's id (PostgreSQL's bigint), and looking it up would fail.
MAX_ID = 2**63 - 1


def _is_id(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class PeriodForm(forms.Form):
    """The period filter of the overview and the report (``selectors.period_parse`` reads
    the raw values, so the pages and the API refuse the same input with the same code)."""

    de_la = forms.CharField(label=_("De la"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    pana_la = forms.CharField(label=_("Până la (inclusiv)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class AnyIdField(forms.TypedMultipleChoiceField):
    """Offers the tickets listed; accepts any id, for the service to judge."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=[], **kwargs)

    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class OptionalIdField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return _is_id(value)


class SourceForm(forms.Form):
    """Whose tickets to move: an institution's, optionally of one team or one queue."""

    institutie = OptionalIdField(label=_("Instituția"))
    echipa = OptionalIdField(label=_("Echipa"))
    coada = OptionalIdField(label=_("Coada"))

    def __init__(self, *args: Any, institutions: Choices, teams: Choices, queues: Choices,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, empty, choices in (("institutie", "—", institutions),
                                     ("echipa", _("— toate —"), teams),
                                     ("coada", _("— toate —"), queues)):
            field = self.fields[name]
            assert isinstance(field, OptionalIdField)  # noqa: S101 (narrowing for mypy)
            field.choices = [("", empty), *choices]


class MoveForm(forms.Form):
    tickets = AnyIdField(label=_("Solicitările alese"), required=False)
    all_unassigned = forms.BooleanField(
        label=_("Toate solicitările active nerepartizate ale selecției"), required=False)
    queue = OptionalIdField(label=_("Mută în coada"))
    institution = OptionalIdField(
        label=_("Schimbă instituția (solicitare direcționată greșit)"))
    reason = forms.CharField(label=_("Motivul"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, tickets: Choices, queues: Choices, institutions: Choices,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("tickets", tickets), ("queue", queues),
                              ("institution", institutions)):
            field = self.fields[name]
            assert isinstance(field, AnyIdField | OptionalIdField)  # noqa: S101 (for mypy)
            field.choices = choices if name == "tickets" else [("", "—"), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("tickets") and not data.get("all_unassigned"):
            self.add_error("tickets", _("Alegeți solicitările sau bifați „toate cele "
                                        "nerepartizate”."))
        if data.get("queue") is None and data.get("institution") is None:
            self.add_error("queue", _("Alegeți coada sau instituția către care se mută."))
        return data
