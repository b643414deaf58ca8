"""The djangosaml2 backend: the NameID is the IDNP of an existing person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from djangosaml2.backends import Saml2Backend

from sgsc.integrations.mpass.services import MPassRefused, mpass_user_sign_in
from sgsc.shared_apps.identity.models import User

BACKEND_PATH = "sgsc.integrations.mpass.backends.MPassBackend"


class MPassBackend(Saml2Backend):
    """Find (never create) the person; refuse with ``MPassRefused`` and its code.

    Sessions opened through MPass name this backend, so it also loads their user."""

    def authenticate(self, request: HttpRequest | None, session_info: dict[str, Any] | None = None,
                     **kwargs: Any) -> User | None:
        if request is None or session_info is None:
            return None  # a password sign-in: not ours
        name_id = session_info.get("name_id")
        idnp = (getattr(name_id, "text", "") or "").strip()
        if not idnp:
            raise MPassRefused("saml_invalid")
        return mpass_user_sign_in(idnp=idnp, attributes=session_info.get("ava") or {},
                                  tenant=getattr(request, "tenant", None))
