"""Production: every required variable must be set; secure cookies, headers and CSP."""

import os

from django.core.exceptions import ImproperlyConfigured

REQUIRED_VARIABLES = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN",
                      # MPass: the IdP's metadata (file or URL) and the SP's key pair.
                      "MPASS_IDP_METADATA", "MPASS_SP_KEY_FILE", "MPASS_SP_CERT_FILE")
_missing = [name for name in REQUIRED_VARIABLES if not os.environ.get(name)]
if _missing:
    raise ImproperlyConfigured(
        "Production settings refuse to start; missing environment variables: "
        + ", ".join(_missing)
    )

from sgsc.platform.settings.base import *  # noqa: E402,F403
from sgsc.platform.settings.base import env  # noqa: E402

DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
