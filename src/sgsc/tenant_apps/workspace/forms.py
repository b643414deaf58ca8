from __future__ import annotations

from django import forms

from sgsc.tenant_apps.workspace.models import WorkspaceProfile


class WorkspaceProfileForm(forms.ModelForm[WorkspaceProfile]):
    class Meta:
        model = WorkspaceProfile
        fields = ["display_name", "support_email", "support_phone", "default_language"]
