"""Settings shared by every environment.

One ``env`` object reads the environment; ``dev``, ``test`` and ``prod`` only adjust.
"""

from pathlib import Path
from urllib.parse import unquote

import django_stubs_ext
import environ

from sgsc.platform.settings.embedded_env import apply_embedded_defaults

# Lets models, forms and serializers be subscripted with their type at run time.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent  # src/sgsc
PROJECT_DIR = PACKAGE_DIR.parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    BASE_DOMAIN=(str, "localhost"),
    PUBLIC_HOST=(str, ""),
    SENTRY_DSN=(str, ""),
    SENTRY_ENVIRONMENT=(str, "development"),
    LOG_LEVEL=(str, "INFO"),
    LOG_JSON=(bool, True),
    SGSC_HOME=(str, str(PROJECT_DIR / "var")),
)
SGSC_HOME = Path(env("SGSC_HOME")).resolve()
apply_embedded_defaults(SGSC_HOME)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY")

# Hosts: the public host is the base domain itself; each tenant is <slug>.<base domain>.
BASE_DOMAIN: str = env("BASE_DOMAIN")
PUBLIC_HOST: str = env("PUBLIC_HOST") or BASE_DOMAIN
ALLOWED_HOSTS = [PUBLIC_HOST, f".{BASE_DOMAIN}", "127.0.0.1"]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A unix-socket folder arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(str(DATABASES["default"].get("HOST", "")))
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

REDIS_URL: str = env("REDIS_URL")

# Apps in the public schema. contenttypes and auth are in both lists so that each tenant
# keeps its own permission tables.
SHARED_APPS = [
    "django_tenants",
    "sgsc.tenants",
    "sgsc.shared_apps.identity",
    "sgsc.shared_apps.institutions",
    "sgsc.shared_apps.audit",
    "sgsc.integrations.mlog",
    "sgsc.shared_apps.workdays",
    "sgsc.shared_apps.exchange",
    "sgsc.provisioning.requests",
    "sgsc.provisioning.contracts",
    "sgsc.provisioning.onboarding",
    "sgsc.billing.tariffs",
    "sgsc.billing.usage",
    "sgsc.billing.statements",
    "sgsc.platform",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.postgres",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    # Before djangosaml2: its templates (logout error) are overridden in Romanian.
    "sgsc.integrations.mpass",
    "djangosaml2",
    "axes",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "guardian",
    "sgsc.tenant_apps.workspace",
    "sgsc.tenant_apps.catalog",
    "sgsc.tenant_apps.sla",
    "sgsc.tenant_apps.tickets",
    "sgsc.tenant_apps.hub",
    "sgsc.tenant_apps.notifications",
    "sgsc.tenant_apps.telephony",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from a template schema that migrate_schemas keeps current.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "sgsc.platform.urls_public"
ROOT_URLCONF = "sgsc.platform.urls_tenant"
# Set the search_path once per request instead of before every query.
TENANT_LIMIT_SET_CALLS = True
# migrate_schemas leaves out tenant schemas that already have every migration.
GET_EXECUTOR_FUNCTION = "sgsc.tenants.executors.get_executor"
DEFAULT_NOT_FOUND_TENANT_VIEW = "sgsc.tenants.views.UnknownHostView"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    # django-axes refuses a locked-out username+IP before any other backend runs.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sgsc.integrations.mpass.backends.MPassBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the platform has none
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

MIDDLEWARE = [
    "sgsc.platform.middleware.HealthCheckMiddleware",
    "sgsc.platform.middleware.RequestContextMiddleware",
    "sgsc.tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sgsc.integrations.mpass.middleware.SamlSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sgsc.platform.middleware.UserContextMiddleware",
    "sgsc.platform.language.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sgsc.platform.middleware.ApplicationErrorMiddleware",
    "sgsc.platform.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Everything is served from our own host (htmx, scripts, API docs): no inline script runs,
# in every environment, so a violation shows up in development and in the browser tests.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sgsc.platform.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "sgsc.platform.wsgi.application"
ASGI_APPLICATION = "sgsc.platform.asgi.application"

LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", "Română"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "platform" / "locale"]
TIME_ZONE = "Europe/Chisinau"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = SGSC_HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = SGSC_HOME / "media"
# Connection requests: the largest document (PDF) a provider may upload.
CONNECTION_REQUEST_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A bot must not fill the registry: connection-request submissions per client address (public
# form and API counted together); every "N/period" window applies (periods: s, min, hour, day).
CONNECTION_REQUEST_SUBMIT_RATES: list[str] = env.list("CONNECTION_REQUEST_SUBMIT_RATES",
                                                      default=["5/hour", "20/day"])
# The applicant's one-time link to answer AGE's request for more information.
INFO_REQUEST_LINK_TTL_HOURS = env.int("INFO_REQUEST_LINK_TTL_HOURS", default=240)
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_NAME = "sgsc_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sgsc",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
        "sgsc.shared_apps.identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sgsc.platform.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sgsc.platform.api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SGSC API",
    "DESCRIPTION": "API-ul platformei Serviciului Guvernamental de Suport pentru Clienți.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields named "kind", "status" or "channels" carry different choices in different
    # resources: each choice set gets its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "TenantKindEnum": "sgsc.tenants.models.Tenant.Kind",
        "TariffComponentKindEnum": "sgsc.billing.tariffs.models.TariffComponent.Kind",
        "TenantStatusEnum": "sgsc.tenants.models.Tenant.Status",
        "InstitutionKindEnum": "sgsc.shared_apps.institutions.models.Institution.Kind",
        "CalendarExceptionKindEnum": "sgsc.shared_apps.workdays.models.CalendarException.Kind",
        "ChannelEnum": "sgsc.provisioning.requests.models.Channel",
        "ConnectionRequestStatusEnum":
            "sgsc.provisioning.requests.models.ConnectionRequest.Status",
        "RequestDocumentKindEnum": "sgsc.provisioning.requests.models.RequestDocument.Kind",
        "UsageRecordKindEnum": "sgsc.billing.usage.models.UsageRecord.Kind",
        "TicketStatusEnum": "sgsc.tenant_apps.tickets.models.Ticket.Status",
        "ExchangeStatusEnum": "sgsc.shared_apps.exchange.models.Exchange.Status",
        "StatementKindEnum": "sgsc.billing.statements.models.Statement.Kind",
        "StatementStatusEnum": "sgsc.billing.statements.models.Statement.Status",
        "AllocationKeyEnum": "sgsc.billing.statements.models.AllocationKey",
    },
}

# Celery: tenant-schemas-celery carries the schema in a message header.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(SGSC_HOME / "celerybeat-schedule")

# MPass (SAML 2.0): every host is its own service provider (sgsc.integrations.mpass.conf).
# Production names the IdP metadata (file or URL) and the SP key pair (settings/prod.py
# requires them); dev and test generate a throwaway pair under SGSC_HOME and trust the local
# test IdP (`sgsc mpass_idp`) at MPASS_TEST_IDP_URL.
MPASS_IDP_METADATA: str = env("MPASS_IDP_METADATA", default="")
MPASS_SP_KEY_FILE: str = env("MPASS_SP_KEY_FILE", default=str(SGSC_HOME / "mpass" / "sp-key.pem"))
MPASS_SP_CERT_FILE: str = env("MPASS_SP_CERT_FILE",
                              default=str(SGSC_HOME / "mpass" / "sp-cert.pem"))
MPASS_KEYS_AUTOGENERATE = False
MPASS_TEST_IDP_URL: str = env("MPASS_TEST_IDP_URL", default="http://localhost:8090")
MPASS_WANT_ASSERTIONS_SIGNED = env.bool("MPASS_WANT_ASSERTIONS_SIGNED", default=True)
MPASS_WANT_RESPONSE_SIGNED = env.bool("MPASS_WANT_RESPONSE_SIGNED", default=True)
MPASS_ACCEPTED_TIME_DIFF_SECONDS = env.int("MPASS_ACCEPTED_TIME_DIFF_SECONDS", default=60)
SAML_CONFIG_LOADER = "sgsc.integrations.mpass.conf.config_loader"
SAML_ACS_FAILURE_RESPONSE_FUNCTION = "sgsc.integrations.mpass.failures.acs_failure_response"
SAML2_CUSTOM_POST_BINDING_FORM_TEMPLATE = "mpass/post_binding.html"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
SAML_CREATE_UNKNOWN_USER = False
SAML_USE_NAME_ID_AS_USERNAME = True
SAML_DJANGO_USER_MAIN_ATTRIBUTE = "idnp"
SAML_ATTRIBUTE_MAPPING: dict[str, tuple[str, ...]] = {}  # the backend maps the attributes
SAML_CSP_HANDLER = ""  # our views set the CSP of their POST-binding pages themselves
SAML_SESSION_COOKIE_NAME = "sgsc_saml"
# Local password accounts exist for emergencies and development only; production shows the
# password form only when this is set.
LOCAL_PASSWORD_LOGIN = env.bool("LOCAL_PASSWORD_LOGIN", default=False)

# django-axes: 5 failed password sign-ins for one username from one address within 15
# minutes lock that pair for 15 minutes (sgsc.platform.lockout renders the page).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the form's field (axes defaults to USERNAME_FIELD)
AXES_RESET_ON_SUCCESS = True
# A locked-out attempt is refused by the backend, which marks the request before the
# user_login_failed signal: the audit records it as "account_locked". Attempts during the
# lockout do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log
AXES_LOCKOUT_CALLABLE = "sgsc.platform.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sgsc.platform.middleware.client_ip"
AXES_VERBOSE = False

# MLog, the legal-events registrar (egov4dev guides/mlog): the audit log is shipped there.
# MLOG_URL is the base address (staging https://mlog.staging.egov.md:8443, production
# https://mlog.gov.md:8443); empty turns the adapter off (no outbox rows). MLog knows us by the
# client certificate (STISC/CTS); MLOG_CA_FILE empty trusts the system's CAs. The legal entity
# of platform events is the platform operator's IDNO. Batches stay under MLog's 256 KB.
MLOG_URL: str = env("MLOG_URL", default="")
MLOG_CERT_FILE: str = env("MLOG_CERT_FILE", default="")
MLOG_KEY_FILE: str = env("MLOG_KEY_FILE", default="")
MLOG_CA_FILE: str = env("MLOG_CA_FILE", default="")
MLOG_LEGAL_ENTITY_IDNO: str = env("MLOG_LEGAL_ENTITY_IDNO", default="")
MLOG_BATCH_MAX_BYTES = env.int("MLOG_BATCH_MAX_BYTES", default=256_000)
MLOG_CONNECT_TIMEOUT = env.float("MLOG_CONNECT_TIMEOUT", default=5.0)
MLOG_READ_TIMEOUT = env.float("MLOG_READ_TIMEOUT", default=30.0)
MLOG_RETRY_MAX_SECONDS = env.int("MLOG_RETRY_MAX_SECONDS", default=3600)

# Demo data: only dev and test settings allow it and give its password.
DEMO_DATA_ALLOWED = False
DEMO_PASSWORD = ""

# The tariff schedule (by code) a new connection contract points to; contracts migration 0004
# creates it.
CONTRACT_DEFAULT_TARIFF_CODE = "TARIF-2027-STD"

# Onboarding: the provider admin's one-time activation link lives 10 days; the access package
# names AGE's contacts. Links in e-mails use https, or http for development names (localhost,
# .test) unless TENANT_URL_SCHEME says otherwise; TENANT_URL_PORT when hosts are not on 443/80.
ACTIVATION_LINK_TTL_HOURS = env.int("ACTIVATION_LINK_TTL_HOURS", default=240)
AGE_SUPPORT_CONTACT: str = env("AGE_SUPPORT_CONTACT",
                               default="Agenția de Guvernare Electronică, sgsc@age.gov.md")
TENANT_URL_SCHEME: str = env("TENANT_URL_SCHEME", default="")
TENANT_URL_PORT: str = env("TENANT_URL_PORT", default="")

SENTRY_DSN: str = env("SENTRY_DSN")
SENTRY_ENVIRONMENT: str = env("SENTRY_ENVIRONMENT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "sgsc.platform.log_context.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(tenant)s %(user)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(tenant)s %(user)s %(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if env("LOG_JSON") else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        # pysaml2 and its schema library are chatty at INFO.
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
    },
}

# Attachments and virus scanning
# CLAMAV_SOCKET is clamd's unix socket; empty means scanning is not configured and every scan
# is "unavailable". clamd's StreamMaxLength must be above ATTACHMENT_MAX_BYTES, the largest
# attachment accepted.
CLAMAV_SOCKET: str = env.str("CLAMAV_SOCKET", default="")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
