"""Forms of the public connection request and of AGE's actions on a request.

The forms check only shape (required, numbers, dates); the services check meaning (IDNO,
IDNP, duplicates, hub rules, PDFs) and their errors are put back next to the fields.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from sgsc.platform.errors import ApplicationError
from sgsc.provisioning.requests.models import Channel, ConnectionRequest, RequestDocument
from sgsc.shared_apps.institutions.models import Institution

Kind = RequestDocument.Kind
HUB_FIELDS = ("coordinator_idno", "coordinator_name", "members", "agreement_number",
              "agreement_date", "document_agreement")
DOCUMENT_FIELDS = {
    "document_application": Kind.APPLICATION,
    "document_agreement": Kind.AGREEMENT,
    "document_mandate": Kind.MANDATE,
    "document_other": Kind.OTHER,
}
_MEMBER_LINE = re.compile(r"^\s*([\d][\d \-]*\d)\s*[,;:\u2013\u2014-]?\s*(.*)$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in items if item]


def _pdf_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": "application/pdf"})


def parse_members(text: str) -> tuple[list[str], dict[str, str]]:
    """Lines "IDNO Denumire" (the name only for institutions not yet in the registry)."""
    idnos: list[str] = []
    names: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _MEMBER_LINE.match(line)
        if match is None:
            idnos.append(line.strip())  # the service reports it as an invalid IDNO
            continue
        idno = re.sub(r"[\s-]", "", match.group(1))
        idnos.append(idno)
        if match.group(2).strip():
            names[idno] = match.group(2).strip()
    return idnos, names


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's field errors next to the form's fields, the rest above the form."""
    placed = False
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        if field == "documents":
            target = None
        for message in messages:
            form.add_error(target, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


class ConnectionRequestForm(forms.Form):
    institution_idno = forms.CharField(label=_("IDNO instituției"), max_length=20)
    institution_name = forms.CharField(label=_("Denumirea instituției"), max_length=255)
    institution_kind = forms.ChoiceField(label=_("Tipul instituției"),
                                         choices=Institution.Kind.choices)
    mode = forms.ChoiceField(label=_("Modul de prestare a suportului"),
                             choices=ConnectionRequest.Mode.choices, widget=forms.RadioSelect,
                             initial=ConnectionRequest.Mode.INDIVIDUAL)
    coordinator_idno = forms.CharField(label=_("IDNO instituției coordonatoare"), max_length=20,
                                       required=False)
    coordinator_name = forms.CharField(
        label=_("Denumirea instituției coordonatoare"), max_length=255, required=False,
        help_text=_("Doar dacă instituția coordonatoare nu este cea care depune cererea."))
    members = forms.CharField(
        label=_("Instituțiile membre ale hubului"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Câte una pe rând: IDNO, apoi denumirea (cel puțin două instituții)."))
    agreement_number = forms.CharField(label=_("Numărul acordului interinstituțional"),
                                       max_length=64, required=False)
    agreement_date = forms.DateField(
        label=_("Data acordului interinstituțional"), required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    document_agreement = forms.FileField(label=_("Acordul interinstituțional (PDF)"),
                                         required=False, widget=_pdf_input())
    services = forms.CharField(
        label=_("Serviciile pentru care se solicită suport"),
        widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Câte un serviciu pe rând."))
    channels = forms.MultipleChoiceField(label=_("Canalele de comunicare dorite"),
                                         choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)
    expected_seats = forms.IntegerField(label=_("Locuri de operator estimate"), min_value=1)
    expected_requests_month = forms.IntegerField(label=_("Solicitări estimate pe lună"),
                                                 min_value=0)
    expected_call_minutes = forms.IntegerField(label=_("Minute de apel estimate pe lună"),
                                               min_value=0, initial=0)
    contact_name = forms.CharField(label=_("Numele și prenumele persoanei de contact"),
                                   max_length=255)
    contact_idnp = forms.CharField(label=_("IDNP persoanei de contact"), max_length=20)
    contact_email = forms.EmailField(label=_("E-mailul persoanei de contact"))
    contact_phone = forms.CharField(label=_("Telefonul persoanei de contact"), max_length=32)
    document_application = forms.FileField(label=_("Cererea semnată (PDF)"), required=False,
                                           widget=_pdf_input())
    document_mandate = forms.FileField(label=_("Împuternicirea persoanei de contact (PDF)"),
                                       required=False, widget=_pdf_input())
    document_other = MultipleFileField(label=_("Alte documente (PDF)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") != ConnectionRequest.Mode.HUB:
            # Hidden in individual mode: their errors would be invisible and are irrelevant.
            for field in HUB_FIELDS:
                self.errors.pop(field, None)
                cleaned.pop(field, None)
        return cleaned

    def documents(self) -> list[tuple[str, UploadedFile]]:
        result: list[tuple[str, UploadedFile]] = []
        for field, kind in DOCUMENT_FIELDS.items():
            value = self.cleaned_data.get(field)
            for upload in value if isinstance(value, list) else [value]:
                if upload:
                    result.append((kind, upload))
        return result

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        member_idnos, member_names = parse_members(data.get("members") or "")
        return {
            "institution_idno": data["institution_idno"],
            "institution_name": data["institution_name"],
            "institution_kind": data["institution_kind"],
            "mode": data["mode"],
            "coordinator_idno": data.get("coordinator_idno") or "",
            "coordinator_name": data.get("coordinator_name") or "",
            "member_idnos": member_idnos,
            "member_names": member_names,
            "agreement_number": data.get("agreement_number") or "",
            "agreement_date": data.get("agreement_date"),
            "services": [line for line in data["services"].splitlines() if line.strip()],
            "channels": data["channels"],
            "expected_seats": data["expected_seats"],
            "expected_requests_month": data["expected_requests_month"],
            "expected_call_minutes": data["expected_call_minutes"],
            "contact_name": data["contact_name"],
            "contact_idnp": data["contact_idnp"],
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"],
            "documents": self.documents(),
        }


# -- AGE's actions: fields are optional here so the services' stable codes explain what is
# missing (the same messages as the API).

class StartReviewForm(forms.Form):
    pass


class AskInfoForm(forms.Form):
    message = forms.CharField(label=_("Informațiile solicitate"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class InfoProvidedForm(forms.Form):
    note = forms.CharField(label=_("Informațiile primite"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    document_other = MultipleFileField(label=_("Documente primite (PDF)"), required=False)


class InfoAnswerForm(forms.Form):
    """The applicant's answer on the public page its one-time link opens."""

    note = forms.CharField(label=_("Răspunsul dumneavoastră"), required=False, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    document_other = MultipleFileField(
        label=_("Documente (PDF)"), required=False,
        help_text=_("Numai PDF, cel mult 10 MB fiecare."))


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Observații"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reasons = forms.CharField(label=_("Motivele respingerii"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("Temeiul legal"), required=False, max_length=500)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Observații"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
