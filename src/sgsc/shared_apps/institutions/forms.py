from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.institutions.models import Institution


class InstitutionForm(forms.Form):
    """The fields of an institution; the service validates them (IDNO, hierarchy)."""

    idno = forms.CharField(label="IDNO", max_length=32,
                           help_text=_("13 cifre, ultima fiind cifra de control."))
    name = forms.CharField(label=_("Denumire"), max_length=255)
    name_ru = forms.CharField(label=_("Denumire în limba rusă"), max_length=255, required=False)
    name_en = forms.CharField(label=_("Denumire în limba engleză"), max_length=255,
                              required=False)
    kind = forms.ChoiceField(label=_("Tip"), choices=Institution.Kind.choices)
    address = forms.CharField(label=_("Adresă"), max_length=500, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=32, required=False)
    parent = forms.ModelChoiceField(label=_("Instituție ierarhic superioară"), required=False,
                                    queryset=Institution.objects.none(),
                                    empty_label=_("— niciuna —"))

    def __init__(self, *args: Any, instance: Institution | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(instance, name) for name in
                   ("idno", "name", "name_ru", "name_en", "kind", "address", "email", "phone")},
                "parent": instance.parent_id,
            })
        super().__init__(*args, **kwargs)
        parents = Institution.objects.order_by("name")
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = parents
