"""Development: embedded servers when no URLs are given, demo credentials allowed."""

from sgsc.platform.settings.embedded_env import allow_embedded

allow_embedded()

from sgsc.platform.settings.base import *  # noqa: E402,F403
from sgsc.platform.settings.base import ALLOWED_HOSTS, env  # noqa: E402

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEMO_DATA_ALLOWED = True
# Demo accounts only: `sgsc up` loads them into an empty database.
DEMO_PASSWORD = "Demo-SGSC-2026!"  # noqa: S105

LOCAL_PASSWORD_LOGIN = env.bool("LOCAL_PASSWORD_LOGIN", default=True)
MPASS_KEYS_AUTOGENERATE = True
