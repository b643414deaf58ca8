"""Forms of AGE's console of people and access. They check types and choices; the rules
(IDNP check digit, escalation, last administrator, hub membership) are the services'."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.identity.models import RevocationReason
from sgsc.shared_apps.identity.roles import ROLE_LABELS, PlatformRole, TenantRole
from sgsc.shared_apps.identity.services import REVOCATION_REASONS_MANUAL
from sgsc.shared_apps.institutions.models import HubMembership
from sgsc.shared_apps.workdays.selectors import end_of_day
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

PLATFORM_ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in PlatformRole]
TENANT_ROLE_CHOICES = [(role.value, ROLE_LABELS[role]) for role in TenantRole]
REVOKE_REASON_CHOICES = [(r, RevocationReason(r).label) for r in REVOCATION_REASONS_MANUAL]


def _tenant_choices(*, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(t.pk), t.name) for t in tenant_list_real().order_by("name"))]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Caută"), required=False, max_length=100)
    rol = forms.ChoiceField(label=_("Rol de platformă"), required=False,
                            choices=[("", _("Oricare")), *PLATFORM_ROLE_CHOICES])
    spatiu = forms.TypedChoiceField(label=_("Acces în spațiul"), required=False, coerce=int,
                                    empty_value=None)
    toti = forms.BooleanField(label=_("Inclusiv persoanele fără acces"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["spatiu"]).choices = _tenant_choices(empty=str(_("Oricare")))


class PlatformRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roluri de platformă"), required=False, choices=PLATFORM_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Fără niciun rol, persoana nu mai are acces la consola platformei."))


class PersonAddForm(forms.Form):
    idnp = forms.CharField(label=_("IDNP"), max_length=13, min_length=13)
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("Prenume"), max_length=150)
    last_name = forms.CharField(label=_("Nume"), max_length=150)
    phone = forms.CharField(label=_("Telefon"), max_length=32, required=False)
    roles = forms.MultipleChoiceField(label=_("Roluri de platformă"),
                                      choices=PLATFORM_ROLE_CHOICES,
                                      widget=forms.CheckboxSelectMultiple)


def _hub_institution_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Current members of every hub, grouped by hub (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    members = (HubMembership.objects.filter(left_at__isnull=True, hub__is_template=False)
               .exclude(hub__status=Tenant.Status.TERMINATED)
               .select_related("hub", "institution").order_by("hub__name", "institution__name"))
    for member in members:
        groups.setdefault(member.hub.name, []).append(
            (member.institution_id, f"{member.institution.name} ({member.institution.idno})"))
    return list(groups.items())


class MembershipGrantForm(forms.Form):
    # Querysets are lazy: each form reads the tenants anew.
    tenant = forms.ModelChoiceField(
        label=_("Spațiul"),
        queryset=tenant_list_real().exclude(status=Tenant.Status.TERMINATED).order_by("name"))
    roles = forms.MultipleChoiceField(label=_("Roluri"), choices=TENANT_ROLE_CHOICES,
                                      widget=forms.CheckboxSelectMultiple)
    institutions = forms.TypedMultipleChoiceField(
        label=_("Limitat la instituțiile"), required=False, coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Doar pentru un hub. Nimic ales: toate instituțiile hubului."))
    valid_until = forms.DateField(
        label=_("Acces temporar, până la (inclusiv)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lăsați gol pentru acces fără termen."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["institutions"]).choices = _hub_institution_choices()

    def grant_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``membership_grant`` (the date ends at 23:59:59 in
        Chișinău)."""
        data = self.cleaned_data
        day = data.get("valid_until")
        valid_until: datetime | None = end_of_day(day) if day else None
        return {"tenant": data["tenant"], "roles": data["roles"],
                "institution_ids": data["institutions"] or None, "valid_until": valid_until}


class MembershipRevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motivul"), choices=[("", "—"), *REVOKE_REASON_CHOICES])
    note = forms.CharField(label=_("Observații"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))

