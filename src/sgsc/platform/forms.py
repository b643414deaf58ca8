"""The sign-in form: local accounts (emergency and development) until MPass."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.selectors import user_roles_on


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresa de e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("E-mailul sau parola nu sunt corecte."),
        "inactive": _("Acest cont este dezactivat."),
        "no_access": _("Nu aveți acces la acest spațiu. Solicitați accesul administratorului."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("Parola")

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        tenant = getattr(self.request, "tenant", None)
        if not user_roles_on(user=user, tenant=tenant):
            audit_record(action="auth.login", outcome=AuditEvent.Outcome.FAILURE, actor=user,
                         object_type="user", object_id=user.pk,
                         details={"reason": "no_access_on_host"})
            raise forms.ValidationError(self.error_messages["no_access"], code="no_access")
