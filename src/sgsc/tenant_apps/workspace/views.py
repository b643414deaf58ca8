"""The workspace profile page: everyone in the tenant reads it; the tenant admin edits it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sgsc.platform.access import capability_required
from sgsc.platform.api.permissions import request_capabilities
from sgsc.platform.errors import ApplicationError
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.workspace.forms import WorkspaceProfileForm
from sgsc.tenant_apps.workspace.selectors import workspace_profile_get
from sgsc.tenant_apps.workspace.services import workspace_profile_update


@capability_required(Capability.WORKSPACE_VIEW)
def profile(request: HttpRequest) -> HttpResponse:
    current = workspace_profile_get()
    can_edit = Capability.WORKSPACE_MANAGE in request_capabilities(request)
    form = WorkspaceProfileForm(request.POST or None, instance=current) if can_edit else None
    if request.method == "POST":
        if form is None:
            return capability_required(Capability.WORKSPACE_MANAGE)(profile)(request)
        if form.is_valid():
            try:
                workspace_profile_update(**form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Profilul a fost salvat."))
                return redirect("workspace-profile")
    return render(request, "workspace/profile.html",
                  {"profile": current, "form": form, "can_edit": can_edit})
