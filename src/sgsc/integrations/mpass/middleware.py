"""djangosaml2's SAML session, with its cookie always ``Secure``.

The IdP posts back to us from another site, and a ``SameSite=Lax`` cookie (our session's) is
not sent on such a POST; djangosaml2 therefore keeps the SAML state (outstanding requests,
the subject for logout) in a second session whose cookie is ``SameSite=None``. Browsers accept
``SameSite=None`` only with ``Secure``, which they also allow on ``http://localhost`` and
``*.localhost`` (development), so it is set everywhere, not only where sessions are secure.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from djangosaml2.middleware import SamlSessionMiddleware as _SamlSessionMiddleware


class SamlSessionMiddleware(_SamlSessionMiddleware):
    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        cookie = response.cookies.get(self.cookie_name)
        if cookie is not None:
            cookie["secure"] = True
        return response
