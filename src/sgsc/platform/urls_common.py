"""URL patterns every host serves: sign-in, language, API schema and docs, the API root."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerSplitView

from sgsc.integrations.mpass.views import SignInView, SignOutView
from sgsc.platform import views
from sgsc.platform.api.views import HostSchemaView, MeView

common_patterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("autentificare/", SignInView.as_view(), name="login"),
    path("iesire/", SignOutView.as_view(), name="logout"),
    # MPass (SAML 2.0): every host is its own service provider.
    path("saml2/", include("sgsc.integrations.mpass.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    # The split view serves its script from a URL: no inline script, so the CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/me/", MeView.as_view(), name="api-me"),
    path("", include("sgsc.shared_apps.identity.token_urls")),
]
