"""AGE's console of people and access (public host, ``access.administer``): everyone with
access, one person's platform roles and memberships in every tenant, and the changes."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sgsc.platform.access import capability_required
from sgsc.platform.errors import ApplicationError, NotFound
from sgsc.shared_apps.identity.console_forms import (
    MembershipGrantForm,
    MembershipRevokeForm,
    PersonAddForm,
    PersonFilterForm,
    PlatformRolesForm,
)
from sgsc.shared_apps.identity.console_selectors import (
    LIVE_STATES,
    membership_institution_limits,
    people_list,
    person_get,
    person_memberships,
    person_recent_sessions,
)
from sgsc.shared_apps.identity.member_forms import show_service_error
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.platform_roles import platform_person_add, platform_roles_set
from sgsc.shared_apps.identity.roles import ROLE_LABELS, Capability
from sgsc.shared_apps.identity.selectors import idnp_masked
from sgsc.shared_apps.identity.services import (
    membership_grant,
    membership_revoke,
    personal_data_view_record,
)

PAGE_SIZE = 25
administer = capability_required(Capability.ACCESS_ADMINISTER)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the capability check ran first


def _labels(roles: list[str]) -> list[str]:
    return [str(ROLE_LABELS.get(role, role)) for role in roles]


@administer
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    people = people_list(search=data.get("q", ""), platform_role=data.get("rol", ""),
                         tenant_id=data.get("spatiu"), with_access_only=not data.get("toti"))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = [(person, idnp_masked(person.idnp), _labels(person.platform_roles),
             [(m, _labels(m.roles)) for m in person.live_memberships])  # type: ignore[attr-defined]
            for person in page.object_list]
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "identity/console/person_list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "filtered": any(data.values()),
    })


@administer
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = platform_person_add(actor=_actor(request), **form.cleaned_data)
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Persoana „%(name)s” are acum acces la consola "
                                        "platformei.") % {"name": person})
            return redirect("console-person-detail", pk=person.pk)
    return render(request, "identity/console/person_add.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@administer
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    memberships = person_memberships(user=person)
    limits = membership_institution_limits(memberships)
    personal_data_view_record(actor=_actor(request), subject_id=person.pk, channel="console")
    return render(request, "identity/console/person_detail.html", {
        "person": person, "platform_roles": _labels(person.platform_roles),
        "memberships": [(m, _labels(m.roles), limits.get(m.pk), m.state in LIVE_STATES)
                        for m in memberships],
        "sessions": person_recent_sessions(user=person),
    })


@administer
def person_roles_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    form = PlatformRolesForm(request.POST if request.method == "POST" else None,
                             initial={"roles": person.platform_roles})
    if request.method == "POST" and form.is_valid():
        try:
            platform_roles_set(actor=_actor(request), user=person,
                               roles=form.cleaned_data["roles"])
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Rolurile de platformă au fost salvate."))
            return redirect("console-person-detail", pk=person.pk)
    return render(request, "identity/console/person_roles.html",
                  {"person": person, "form": form},
                  status=400 if request.method == "POST" else 200)


@administer
def membership_grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    form = MembershipGrantForm(request.POST if request.method == "POST" else None,
                               initial={"tenant": request.GET.get("spatiu")})
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_grant(actor=_actor(request), user=person,
                                          **form.grant_arguments())
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Accesul în „%(tenant)s” a fost acordat.")
                             % {"tenant": membership.tenant.name})
            return redirect("console-person-detail", pk=person.pk)
    return render(request, "identity/console/membership_grant.html",
                  {"person": person, "form": form},
                  status=400 if request.method == "POST" else 200)


@administer
def membership_revoke_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    person = person_get(pk=pk)
    membership = (Membership.objects.select_related("tenant")
                  .filter(pk=membership_pk, user=person).first())
    if membership is None:
        raise NotFound(_("Accesul nu a fost găsit."), code="membership_not_found")
    form = MembershipRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_revoke(actor=_actor(request), membership=membership,
                              reason=form.cleaned_data["reason"],
                              note=form.cleaned_data["note"])
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Accesul în „%(tenant)s” a fost revocat.")
                             % {"tenant": membership.tenant.name})
            return redirect("console-person-detail", pk=person.pk)
    return render(request, "identity/console/membership_revoke.html", {
        "person": person, "membership": membership, "role_labels": _labels(membership.roles),
        "form": form,
    }, status=400 if request.method == "POST" else 200)
