"""``/institutii-deservite/``: the institutions the signed-in person serves on this host."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sgsc.platform.access import capability_required
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import ROLE_LABELS, Capability
from sgsc.shared_apps.institutions.selectors import institutions_matching
from sgsc.shared_apps.institutions.served_selectors import (
    served_institution_get_or_deny,
    served_institution_people,
    served_institutions,
)
from sgsc.tenants.models import Tenant

PAGE_SIZE = 25


def _context(request: HttpRequest) -> tuple[User, Tenant]:
    # Only tenant hosts route here (urls_tenant), and the capability check ran first.
    return cast(User, request.user), cast(Tenant, request.tenant)  # type: ignore[attr-defined]


@capability_required(Capability.WORKSPACE_VIEW)
def served_list(request: HttpRequest) -> HttpResponse:
    user, tenant = _context(request)
    search = request.GET.get("q", "").strip()[:100]
    # The registry's search: diacritics and spaces in an IDNO do not matter.
    institutions = institutions_matching(served_institutions(user=user, tenant=tenant),
                                         search=search)
    page = Paginator(institutions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "institutions/served/list.html", {
        "page": page, "search": search, "query": urlencode({"q": search}) if search else "",
        "is_hub": tenant.kind == Tenant.Kind.HUB,
    })


@capability_required(Capability.WORKSPACE_VIEW)
def served_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, tenant = _context(request)
    institution = served_institution_get_or_deny(user=user, tenant=tenant, pk=pk)
    people = [(m, [ROLE_LABELS.get(role, role) for role in m.roles])
              for m in served_institution_people(tenant=tenant, institution=institution)]
    return render(request, "institutions/served/detail.html", {
        "institution": institution, "people": people,
    })
