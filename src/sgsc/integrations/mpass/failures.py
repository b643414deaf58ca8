"""Refused MPass sign-ins and logouts: a Romanian page with a stable code, and an audit event.

djangosaml2 calls ``acs_failure_response`` (``SAML_ACS_FAILURE_RESPONSE_FUNCTION``) for every
response it refuses; the backend's refusals arrive here too, as ``MPassRefused``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise
from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse
from saml2.sigver import MissingKey, SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from sgsc.integrations.mpass.services import MPassRefused
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record

logger = logging.getLogger(__name__)

_TRY_AGAIN = _("Reveniți la pagina de autentificare și încercați din nou.")
MESSAGES: dict[str, tuple[int, StrPromise, StrPromise]] = {
    "unknown_person": (403, _("Persoana autentificată prin MPass nu are cont în SGSC."),
                       _("Solicitați accesul administratorului instituției dumneavoastră.")),
    "no_membership": (403, _("Nu aveți acces la acest spațiu."),
                      _("Solicitați accesul administratorului acestui spațiu.")),
    "account_inactive": (403, _("Acest cont este dezactivat."),
                         _("Adresați-vă administratorului platformei.")),
    "saml_replayed": (403, _("Răspunsul MPass a fost deja folosit."), _TRY_AGAIN),
    "saml_expired": (403, _("Răspunsul MPass a expirat."), _TRY_AGAIN),
    "saml_invalid_signature": (403, _("Semnătura răspunsului MPass nu este validă."), _TRY_AGAIN),
    "saml_wrong_audience": (403, _("Răspunsul MPass nu este destinat acestui spațiu."),
                            _TRY_AGAIN),
    "saml_unsolicited": (403, _("Răspunsul MPass nu corespunde unei cereri de autentificare."),
                         _TRY_AGAIN),
    "saml_denied": (403, _("MPass nu a confirmat autentificarea."), _TRY_AGAIN),
    "saml_invalid": (400, _("Răspunsul MPass nu este valid."), _TRY_AGAIN),
}


def failure_code(exception: BaseException | None) -> str:
    """The stable code of a refused SAML message."""
    if isinstance(exception, MPassRefused):
        return exception.code
    if isinstance(exception, UnsolicitedResponse):
        return "saml_unsolicited"
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return "saml_expired"
    if isinstance(exception, SignatureError | IncorrectlySigned | MissingKey):
        return "saml_invalid_signature"
    if isinstance(exception, StatusError):
        return "saml_denied"
    text = str(exception or "")
    # pysaml2 raises plain exceptions for these two conditions; their text is all there is.
    if "AudienceRestrictions" in text:
        return "saml_wrong_audience"
    if "Can't use response" in text or "too old" in text:
        return "saml_expired"
    return "saml_invalid"


def refusal_page(request: HttpRequest, *, code: str, action: str, actor_label: str = "",
                 details: dict[str, Any] | None = None, user: Any = None) -> HttpResponse:
    """Audit the refusal and answer with its page."""
    status, message, hint = MESSAGES.get(code, MESSAGES["saml_invalid"])
    audit_record(action=action, outcome=AuditEvent.Outcome.FAILURE, actor=user,
                 actor_label=actor_label, object_type="user" if user else "",
                 object_id=user.pk if user else "",
                 details={"method": "mpass", "reason": code, **(details or {})})
    return render(request, "errors/page.html",
                  {"status": status, "code": code, "message": message, "hint": hint},
                  status=status)


def acs_failure_response(request: HttpRequest, exception: BaseException | None = None,
                         status: int = 403, **kwargs: Any) -> HttpResponse:
    code = failure_code(exception)
    if not isinstance(exception, MPassRefused):
        logger.info("MPass response refused (%s): %s", code, exception)
    refused = exception if isinstance(exception, MPassRefused) else None
    return refusal_page(request, code=code, action="auth.login",
                        actor_label=refused.idnp if refused else "",
                        user=refused.user if refused else None)
