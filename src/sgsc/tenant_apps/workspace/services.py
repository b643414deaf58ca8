"""Writes of the current tenant's workspace; call inside the tenant's schema."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.audit.services import audit_record
from sgsc.tenant_apps.workspace.models import WorkspaceProfile

_EDITABLE = ("display_name", "support_email", "support_phone", "default_language")


def workspace_profile_update(**changes: str) -> WorkspaceProfile:
    """Create or change the profile; only the editable fields, validated as a whole."""
    unknown = sorted(set(changes) - set(_EDITABLE))
    if unknown:
        raise InvalidInput(_("Câmpuri necunoscute."), code="unknown_fields",
                           fields={name: [_("Câmp necunoscut.")] for name in unknown})
    with transaction.atomic():
        profile = (WorkspaceProfile.objects.select_for_update()
                   .filter(pk=WorkspaceProfile.SINGLETON_ID).first()
                   or WorkspaceProfile(pk=WorkspaceProfile.SINGLETON_ID))
        before = {name: getattr(profile, name) for name in changes}
        for name, value in changes.items():
            setattr(profile, name, value)
        profile.full_clean()
        profile.save()
        audit_record(action="workspace.profile.update", object_type="workspace_profile",
                     object_id=profile.pk, details={"before": before, "after": changes})
    return profile
