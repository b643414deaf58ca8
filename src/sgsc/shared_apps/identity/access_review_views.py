"""The access review page and its CSV, on every host: a tenant reviews its own people, AGE
every tenant and the platform roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sgsc.platform.access import capability_required
from sgsc.platform.csv_export import csv_streaming_response
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.access_review import (
    ENDING_WITHIN_DAYS,
    INACTIVE_AFTER_DAYS,
    StateFilter,
    access_review_csv_rows,
    access_review_memberships,
    access_review_platform_people,
    access_review_platform_rows,
    access_review_rows,
    csv_header,
)
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.identity.selectors import host_tenant
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real

PAGE_SIZE = 50
PLATFORM_CHOICE = "platforma"


class AccessReviewFilterForm(forms.Form):
    q = forms.CharField(label=_("Persoana"), required=False, max_length=100)
    stare = forms.ChoiceField(label=_("Starea"), required=False, choices=[
        (StateFilter.CURRENT, _("Acces existent (activ sau suspendat)")),
        (StateFilter.ATTENTION, _("Necesită atenție")),
        *Membership.State.choices,
        (StateFilter.ALL, _("Toate")),
    ])
    spatiu = forms.ChoiceField(label=_("Spațiul"), required=False)

    def __init__(self, *args: Any, tenant: Tenant | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tenant is not None:
            del self.fields["spatiu"]  # a tenant reviews only itself
        else:
            cast(forms.ChoiceField, self.fields["spatiu"]).choices = [
                ("", _("Toate (inclusiv platforma)")), (PLATFORM_CHOICE, _("Platformă (AGE)")),
                *((str(t.pk), t.name) for t in tenant_list_real().order_by("name")),
            ]


@dataclass(frozen=True)
class _Report:
    platform_people: QuerySet[User] | None
    memberships: QuerySet[Membership]
    filters: dict[str, str]


def _report(request: HttpRequest) -> tuple[AccessReviewFilterForm, _Report]:
    """The form and what it selects; invalid input falls back to the default filters."""
    tenant = host_tenant(request)
    form = AccessReviewFilterForm(request.GET, tenant=tenant)
    data = form.cleaned_data if form.is_valid() else {}
    search = data.get("q", "").strip()
    state = data.get("stare", StateFilter.CURRENT)
    chosen = data.get("spatiu", "")
    tenant_id = int(chosen) if chosen and chosen != PLATFORM_CHOICE else None
    memberships = access_review_memberships(tenant=tenant, tenant_id=tenant_id, state=state,
                                            search=search)
    if chosen == PLATFORM_CHOICE:
        memberships = memberships.none()
    # Platform roles are AGE's to review; a filter on a membership state leaves them out.
    show_platform = (tenant is None and tenant_id is None
                     and state in (StateFilter.CURRENT, StateFilter.ALL, StateFilter.ATTENTION))
    platform_people = (access_review_platform_people(
        search=search, attention=state == StateFilter.ATTENTION) if show_platform else None)
    filters = {"q": search, "stare": state, "spatiu": chosen}
    return form, _Report(platform_people, memberships, filters)


@capability_required(Capability.ACCESS_REVIEW)
def access_review(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    page = Paginator(report.memberships, PAGE_SIZE).get_page(request.GET.get("pagina"))
    platform_rows = []
    if report.platform_people is not None and page.number == 1:
        platform_rows = access_review_platform_rows(report.platform_people)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "identity/access_review/list.html", {
        "form": form, "page": page, "rows": access_review_rows(page.object_list),
        "platform_rows": platform_rows, "query": query.urlencode(),
        "inactive_days": INACTIVE_AFTER_DAYS, "ending_days": ENDING_WITHIN_DAYS,
    })


# A streamed file is not an HttpResponse, which is all the decorator's type admits.
@capability_required(Capability.ACCESS_REVIEW)  # type: ignore[arg-type]
def access_review_export(request: HttpRequest) -> HttpResponseBase:
    """The same rows as the page, all of them, as CSV; the export is audited."""
    _form, report = _report(request)
    platform_people = report.platform_people
    rows = report.memberships.count()
    if platform_people is not None:
        rows += platform_people.count()
    audit_record(action="access.review.export", object_type="access_review",
                 details={"filters": report.filters, "rows": rows})
    stamp = timezone.localtime(timezone.now(), local_zone()).strftime("%Y%m%d-%H%M")
    return csv_streaming_response(
        f"revizuirea-accesului-{stamp}.csv", csv_header(),
        access_review_csv_rows(platform_people=platform_people, memberships=report.memberships))
