"""Tests: like dev, with fast hashing, eager side effects off and a fixed base domain."""

from sgsc.platform.settings.embedded_env import allow_embedded

allow_embedded()

from sgsc.platform.settings.base import *  # noqa: E402,F403
from sgsc.platform.settings.base import REST_FRAMEWORK, env  # noqa: E402

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
BASE_DOMAIN = "sgsc.test"
PUBLIC_HOST = "sgsc.test"
ALLOWED_HOSTS = [".sgsc.test", "sgsc.test", "testserver", "127.0.0.1", ".localhost", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in prod
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"},
}
DEMO_DATA_ALLOWED = True
DEMO_PASSWORD = "Test-SGSC-2026!"  # noqa: S105

LOCAL_PASSWORD_LOGIN = True
MPASS_KEYS_AUTOGENERATE = True
# In-process tests never reach the test IdP over the network; a browser test sets the real URL.
MPASS_TEST_IDP_URL = env("MPASS_TEST_IDP_URL", default="http://idp.sgsc.test")
