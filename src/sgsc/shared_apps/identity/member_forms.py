"""Forms of the tenant's people pages. They check types only: the services judge roles,
institutions and dates (and audit each refusal), so a forged choice still reaches them."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.models import Membership, RevocationReason
from sgsc.shared_apps.identity.roles import ROLE_LABELS, TenantRole
from sgsc.shared_apps.identity.services import REVOCATION_REASONS_MANUAL

Choices = list[tuple[Any, Any]]


class RolesField(forms.MultipleChoiceField):
    """Offers the roles the person may grant; accepts any value, for the service to judge."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return True


class InstitutionsField(forms.TypedMultipleChoiceField):
    """Offers the hub's current member institutions; any id reaches the service."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=[], **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


def end_of_day(day: date) -> datetime:
    """Temporary access lasts through its last day, in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class _AccessFields(forms.Form):
    roles = RolesField(label=_("Roluri"), required=False)
    institutions = InstitutionsField(
        label=_("Limitat la instituțiile"), required=False,
        help_text=_("Lăsați nealese pentru acces la toate instituțiile hubului."))
    valid_until = forms.DateField(
        label=_("Acces până la (inclusiv)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Opțional: accesul temporar se încheie singur după această zi."))

    def __init__(self, *args: Any, grantable_roles: list[str],
                 institutions: Choices | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = self.fields["roles"]
        assert isinstance(roles, RolesField)  # noqa: S101 (narrowing for mypy)
        roles.choices = [(role, ROLE_LABELS[role]) for role in grantable_roles]
        if institutions is None:
            del self.fields["institutions"]
        else:
            field = self.fields["institutions"]
            assert isinstance(field, InstitutionsField)  # noqa: S101 (narrowing for mypy)
            field.choices = institutions

    def access(self) -> dict[str, Any]:
        """The service's keyword arguments: no institution chosen means no limit."""
        data = self.cleaned_data
        day = data.get("valid_until")
        return {"roles": data.get("roles") or [],
                "institution_ids": data.get("institutions") or None,
                "valid_until": end_of_day(day) if day else None}


class MemberAddForm(_AccessFields):
    idnp = forms.CharField(label="IDNP", max_length=13, min_length=13,
                           help_text=_("13 cifre, ultima fiind cifra de control."))
    last_name = forms.CharField(label=_("Nume"), max_length=150)
    first_name = forms.CharField(label=_("Prenume"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Telefon"), max_length=32, required=False)
    preferred_language = forms.ChoiceField(label=_("Limba preferată"),
                                           choices=settings.LANGUAGES)

    field_order = ["idnp", "last_name", "first_name", "email", "phone", "preferred_language",
                   "roles", "institutions", "valid_until"]

    def person(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in
                ("idnp", "email", "first_name", "last_name", "phone", "preferred_language")}


class MemberEditForm(_AccessFields):
    """The access of an existing member (shown only to whoever could grant all its roles)."""

    def __init__(self, *args: Any, membership: Membership, scope: list[int] | None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "roles": list(membership.roles),
            "institutions": scope or [],
            "valid_until": (timezone.localtime(membership.valid_until).date()
                            if membership.valid_until else None),
        })
        super().__init__(*args, **kwargs)


class MemberFilterForm(forms.Form):
    """The list's filters; an unknown value is ignored rather than refused."""

    q = forms.CharField(label=_("Caută"), required=False, max_length=100)
    rol = forms.ChoiceField(label=_("Rol"), required=False)
    stare = forms.ChoiceField(label=_("Stare"), required=False,
                              choices=[("", _("toate stările")), *Membership.State.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["rol"]
        assert isinstance(role, forms.ChoiceField)  # noqa: S101 (narrowing for mypy)
        role.choices = [("", _("toate rolurile")),
                        *((r.value, ROLE_LABELS[r]) for r in TenantRole)]

    def value(self, name: str) -> str:
        self.is_valid()  # cleaned_data keeps the valid filters of a partly invalid query
        return str(self.cleaned_data.get(name) or "")


class MemberRevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motivul revocării"),
        choices=[("", _("— alegeți —")),
                 *((r, RevocationReason(r).label) for r in REVOCATION_REASONS_MANUAL)],
        error_messages={"required": _("Alegeți motivul revocării.")})
    note = forms.CharField(label=_("Notă"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


def show_service_error(form: forms.Form, error: ApplicationError) -> None:
    """The service's message next to the first field it names, else above the form (its
    field details may be values, such as role names, rather than sentences)."""
    target = next((name for name in error.fields if name in form.fields), None)
    form.add_error(target, error.message)
