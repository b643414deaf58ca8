"""The person's notifications page (tenant hosts): unread first, mark one or all as read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sgsc.platform.access import capability_required
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.notifications.selectors import (
    notification_unread_count,
    notifications_of,
)
from sgsc.tenant_apps.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
)

PAGE_SIZE = 25


@capability_required(Capability.TICKETS_WORK)
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_actor(request)
    page = Paginator(notifications_of(user=user), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "notifications/list.html", {
        "page": page, "notifications": page.object_list,
        "unread": notification_unread_count(user=user),
    })


@capability_required(Capability.TICKETS_WORK)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(user=request_actor(request), notification_id=pk)
    return _back_to_list(request)


@capability_required(Capability.TICKETS_WORK)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request_actor(request))
    messages.success(request, ngettext("%(count)d notificare marcată ca citită.",
                                       "%(count)d notificări marcate ca citite.", count)
                     % {"count": count})
    return _back_to_list(request)


def _back_to_list(request: HttpRequest) -> HttpResponse:
    """Back to the page the person was on (a number, nothing else, travels in the form)."""
    page = request.POST.get("pagina", "")
    response = redirect("notification-list")
    if page.isdigit():
        response["Location"] += f"?pagina={page}"
    return response
