"""The tenant's people and their access (Annex 2 §33-34, §37), on tenant hosts: the list, adding
a person, one person's page with changes to their access, and revocation.

Memberships are always selected through the host's tenant, so another tenant's id is a 404.
Opening a person's page is a view of their personal data and is audited as such.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from rest_framework.request import Request

from sgsc.platform.access import capability_required
from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.member_forms import (
    MemberAddForm,
    MemberEditForm,
    MemberFilterForm,
    MemberRevokeForm,
    show_service_error,
)
from sgsc.shared_apps.identity.models import Membership, RevocationReason, User
from sgsc.shared_apps.identity.roles import ROLE_LABELS, Capability, TenantRole, role_is_grantable
from sgsc.shared_apps.identity.selectors import (
    grantor_capabilities,
    host_tenant,
    member_rows,
    membership_get,
    membership_list,
    sign_in_sessions_recent,
)
from sgsc.shared_apps.identity.services import (
    ENDED_STATES,
    member_add,
    membership_revoke,
    membership_update,
    personal_data_view_record,
)
from sgsc.tenants.models import Tenant

PAGE_SIZE = 25
TEMPLATES = "identity/members/"


def request_tenant(request: HttpRequest | Request) -> Tenant:
    """The host's tenant (pages and API): the routes exist on tenant hosts only."""
    tenant = host_tenant(request)
    if tenant is None:
        raise Http404
    return tenant


def request_actor(request: HttpRequest | Request) -> User:
    assert isinstance(request.user, User)  # noqa: S101 (the capability checks signed them in)
    return request.user


def sees_full_idnp(request: HttpRequest | Request) -> bool:
    """Only those who manage members see whole IDNPs (and search by them)."""
    return Capability.MEMBERS_MANAGE in request_capabilities(request)


def _grantable_roles(actor: User, tenant: Tenant) -> list[str]:
    grantor = grantor_capabilities(user=actor, tenant=tenant)
    return [r.value for r in TenantRole if role_is_grantable(role=r, grantor_capabilities=grantor)]


def _institution_choices(tenant: Tenant) -> list[tuple[Any, Any]] | None:
    """The hub's current member institutions; ``None`` outside a hub (no limit possible)."""
    if tenant.kind != Tenant.Kind.HUB:
        return None
    # Imported here: the hub helpers import tenants, which import identity.
    from sgsc.provisioning.onboarding.hubs import hub_members_current

    return [(m.institution_id, m.institution.name) for m in hub_members_current(tenant)]


@capability_required(Capability.MEMBERS_VIEW)
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    full_idnp = sees_full_idnp(request)
    filters = MemberFilterForm(request.GET)
    chosen = {name: filters.value(name) for name in ("q", "rol", "stare")}
    memberships = membership_list(tenant=tenant, search=chosen["q"], role=chosen["rol"],
                                  state=chosen["stare"], search_idnp=full_idnp)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = urlencode({name: value for name, value in chosen.items() if value})
    context = {
        "page": page, "filters": filters, "query": query, "filtered": bool(query),
        "can_manage": full_idnp, "is_hub": tenant.kind == Tenant.Kind.HUB,
        "rows": member_rows(tenant=tenant, memberships=list(page.object_list),
                            full_idnp=full_idnp),
    }
    # htmx asks for the table alone while the filters change.
    template = "_table.html" if request.htmx else "list.html"  # type: ignore[attr-defined]
    response = render(request, TEMPLATES + template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@capability_required(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_add_view(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    actor = request_actor(request)
    form = MemberAddForm(request.POST or None, grantable_roles=_grantable_roles(actor, tenant),
                         institutions=_institution_choices(tenant))
    if request.method == "POST" and form.is_valid():
        try:
            membership = member_add(actor=actor, tenant=tenant, **form.person(),
                                    **form.access())
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Accesul a fost acordat: %(name)s.")
                             % {"name": membership.user})
            return redirect("member-detail", pk=membership.pk)
    return render(request, TEMPLATES + "add.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _render_detail(request: HttpRequest, membership: Membership, *,
                   edit_form: MemberEditForm | None = None, status: int = 200) -> HttpResponse:
    """One person's page; each rendering is a view of their personal data, audited once."""
    tenant = membership.tenant
    actor = request_actor(request)
    full_idnp = sees_full_idnp(request)
    row = member_rows(tenant=tenant, memberships=[membership], full_idnp=full_idnp)[0]
    grantable = _grantable_roles(actor, tenant) if full_idnp else []
    manageable = full_idnp and set(membership.roles) <= set(grantable)
    active = membership.state == Membership.State.ACTIVE
    if edit_form is None and manageable and active:
        edit_form = MemberEditForm(
            membership=membership, grantable_roles=grantable,
            scope=[i.pk for i in row.institutions] if row.institutions is not None else None,
            institutions=_institution_choices(tenant))
    personal_data_view_record(actor=actor, subject_id=membership.user_id,
                              membership_id=membership.pk, channel="web")
    return render(request, TEMPLATES + "detail.html", {
        "row": row, "membership": membership, "person": membership.user,
        "edit_form": edit_form, "can_manage": full_idnp, "manageable": manageable,
        "can_revoke": manageable and membership.state not in ENDED_STATES,
        "end_reason": (RevocationReason(membership.end_reason).label
                       if membership.end_reason else ""),
        "sessions": sign_in_sessions_recent(user_id=membership.user_id, tenant=tenant),
    }, status=status)


@capability_required(Capability.MEMBERS_VIEW)
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_get(tenant=request_tenant(request), membership_id=pk)
    return _render_detail(request, membership)


@capability_required(Capability.MEMBERS_MANAGE)
@require_POST
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request_tenant(request)
    actor = request_actor(request)
    membership = membership_get(tenant=tenant, membership_id=pk)
    form = MemberEditForm(request.POST, membership=membership,
                          grantable_roles=_grantable_roles(actor, tenant), scope=None,
                          institutions=_institution_choices(tenant))
    if form.is_valid():
        try:
            membership_update(actor=actor, membership=membership, **form.access())
        except ApplicationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Modificările au fost salvate."))
            return redirect("member-detail", pk=pk)
    return _render_detail(request, membership, edit_form=form, status=400)


@capability_required(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revocation in two steps: the reason, then a confirmation (htmx: inside the person's
    page; without JavaScript: on a page of its own)."""
    tenant = request_tenant(request)
    membership = membership_get(tenant=tenant, membership_id=pk)
    form = MemberRevokeForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmare") != "1":
            confirming = True
        else:
            try:
                membership_revoke(actor=request_actor(request), membership=membership,
                                  reason=form.cleaned_data["reason"],
                                  note=form.cleaned_data["note"])
            except ApplicationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Accesul persoanei %(name)s a fost revocat.")
                                 % {"name": membership.user})
                target = reverse("member-detail", kwargs={"pk": pk})
                if request.htmx:  # type: ignore[attr-defined]
                    return HttpResponseClientRedirect(target)
                return redirect(target)
    context = {
        "membership": membership, "form": form, "confirming": confirming,
        "ended": membership.state in ENDED_STATES,
        "role_labels": [ROLE_LABELS.get(r, r) for r in membership.roles],
        "reason_label": (RevocationReason(form.cleaned_data["reason"]).label
                         if confirming else ""),
    }
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers: errors come back inside the panel.
        return render(request, TEMPLATES + "_revoke.html", context)
    failed = request.method == "POST" and not confirming
    return render(request, TEMPLATES + "revoke.html", context, status=400 if failed else 200)
