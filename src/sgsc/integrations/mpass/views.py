"""The sign-in page, MPass sign-in (SAML SP views) and single logout."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.overrides import Saml2Client
from djangosaml2.utils import available_idps
from djangosaml2.views import (
    AssertionConsumerServiceView,
    LoginView,
    LogoutView,
    _get_subject_id,
    _set_subject_id,
)
from saml2 import BINDING_HTTP_POST
from saml2.client_base import LogoutError
from saml2.s_utils import UnsupportedBinding

from sgsc.integrations.mpass.backends import BACKEND_PATH, MPassBackend
from sgsc.integrations.mpass.conf import config_loader
from sgsc.integrations.mpass.failures import acs_failure_response, refusal_page
from sgsc.integrations.mpass.posting import allow_form_action, pysaml2_form_response
from sgsc.integrations.mpass.replay import (
    assertion_mark_used,
    assertion_was_used,
    unverified_assertion_id,
)
from sgsc.integrations.mpass.services import MPassRefused
from sgsc.platform.errors import AccessDenied
from sgsc.platform.forms import SignInForm
from sgsc.platform.signals import SIGN_IN_METHOD_ATTR
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import User

logger = logging.getLogger(__name__)
# In the SAML session: the key of the platform session MPass opened, so that a logout the IdP
# starts (a cross-site POST, which carries only the SAML session's cookie) can end it.
SAML_PLATFORM_SESSION_KEY = "sgsc_session_key"


class SignInView(auth_views.LoginView):
    """MPass first; the local password form only where ``LOCAL_PASSWORD_LOGIN`` allows it."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["local_password_login"] = settings.LOCAL_PASSWORD_LOGIN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_PASSWORD_LOGIN:
            audit_record(action="auth.login", outcome=AuditEvent.Outcome.FAILURE,
                         actor_label=str(request.POST.get("username", ""))[:255],
                         details={"method": "password", "reason": "local_login_disabled"})
            raise AccessDenied(_("Autentificarea cu parolă nu este disponibilă. "
                                 "Folosiți MPass."), code="local_login_disabled")
        return super().post(request, *args, **kwargs)


class MPassLoginView(LoginView):
    """Sends the signed AuthnRequest to MPass (HTTP-POST, our template without inline JS)."""

    config_loader_path = "sgsc.integrations.mpass.conf.config_loader"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().get(request, *args, **kwargs)
        conf = getattr(self, "conf", None)
        if conf is not None and response.status_code == 200:
            idp = next(iter(available_idps(conf)))
            location = conf.metadata.single_sign_on_service(idp, BINDING_HTTP_POST)[0]
            allow_form_action(response, location["location"])
        return response


class MPassAcsView(AssertionConsumerServiceView):
    """Checks the Response (pysaml2), refuses a replay, signs the person in."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        assertion_id = unverified_assertion_id(request.POST.get("SAMLResponse", ""))
        if assertion_id and assertion_was_used(assertion_id=assertion_id):
            return acs_failure_response(request, MPassRefused("saml_replayed"))
        return super().post(request, *args, **kwargs)

    def authenticate_user(self, request: HttpRequest, session_info: dict[str, Any],
                          attribute_mapping: Any, create_unknown_user: Any,
                          assertion_info: dict[str, Any]) -> User:
        # Called only after pysaml2 accepted the response. The backend is called directly,
        # not through auth.authenticate: MPass refusals are audited with their own codes and
        # must not count as failed passwords for django-axes.
        if not assertion_mark_used(assertion_id=assertion_info.get("assertion_id", ""),
                                   not_on_or_after=assertion_info.get("not_on_or_after")):
            raise MPassRefused("saml_replayed")
        user = MPassBackend().authenticate(request, session_info=session_info)
        if user is None:
            raise MPassRefused("saml_invalid")
        setattr(request, SIGN_IN_METHOD_ATTR, "mpass")  # the login signal records it
        auth.login(request, user, backend=BACKEND_PATH)
        _set_subject_id(request.saml_session, session_info["name_id"])  # type: ignore[attr-defined]
        request.saml_session[SAML_PLATFORM_SESSION_KEY] = request.session.session_key  # type: ignore[attr-defined]
        return user


def _saml_client(request: HttpRequest) -> tuple[StateCache, Saml2Client]:
    saml_session = request.saml_session  # type: ignore[attr-defined]
    state = StateCache(saml_session)
    client = Saml2Client(config_loader(request), state_cache=state,
                         identity_cache=IdentityCache(saml_session))
    return state, client


class SignOutView(auth_views.LogoutView):
    """"Ieșire": a session opened through MPass leaves through MPass too (single logout);
    a local-password session ends here as before."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        saml_session = request.saml_session  # type: ignore[attr-defined]
        subject_id = _get_subject_id(saml_session)
        opened_by_mpass = (subject_id is not None and request.session.session_key is not None
                           and saml_session.get(SAML_PLATFORM_SESSION_KEY)
                           == request.session.session_key)
        if not opened_by_mpass:
            return super().post(request, *args, **kwargs)
        state, client = _saml_client(request)
        try:
            result = client.global_logout(subject_id)
        except (LogoutError, UnsupportedBinding):
            logger.warning("MPass single logout could not start", exc_info=True)
            result = {}
        # End our session now: MPass's answer comes back without our (SameSite=Lax) cookie.
        auth.logout(request)
        state.sync()
        for logout_info in (result or {}).values():
            if isinstance(logout_info, tuple) and logout_info[0] == BINDING_HTTP_POST:
                return pysaml2_form_response(request, logout_info[1])
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


def _end_platform_session(request: HttpRequest) -> None:
    """End the session MPass opened in this browser (its key is in the SAML session)."""
    session_key = request.saml_session.get(SAML_PLATFORM_SESSION_KEY)  # type: ignore[attr-defined]
    if not session_key:
        return
    store: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)
    user_id = store.get(auth.SESSION_KEY)
    store.delete()
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first()
        audit_record(action="auth.logout", actor=user, object_type="user", object_id=user_id,
                     details={"method": "mpass", "initiated_by": "idp"})


class MPassLogoutServiceView(LogoutView):
    """MPass's answer to our LogoutRequest, or a LogoutRequest MPass starts."""

    logout_error_template = "djangosaml2/logout_error.html"

    def do_logout_service(self, request: HttpRequest, data: Any, binding: str, *args: Any,
                          **kwargs: Any) -> HttpResponseBase:
        try:
            if "SAMLRequest" in data:
                _end_platform_session(request)
            response = super().do_logout_service(request, data, binding, *args, **kwargs)
        except Exception as exc:
            logger.info("MPass logout message refused: %s", exc)
            return refusal_page(request, code="saml_invalid", action="auth.logout")
        content = getattr(response, "content", b"")
        if response.status_code == 200 and b"<form" in content and b"onload" in content:
            return pysaml2_form_response(request, {"data": content.decode("utf-8")})
        return response
