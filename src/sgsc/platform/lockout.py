"""The page django-axes answers with when a username+address pair is locked out.

The refused attempt itself is audited by the ``user_login_failed`` handler in ``signals``
(reason ``account_locked``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(request, "errors/page.html", {
        "status": 429, "code": "account_locked",
        "message": _("Prea multe încercări eșuate de autentificare."),
        "hint": _("Contul este blocat temporar pentru %(minutes)s minute. Încercați mai târziu "
                  "sau autentificați-vă prin MPass.") % {"minutes": minutes},
    }, status=429)
