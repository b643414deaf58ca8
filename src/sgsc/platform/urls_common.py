"""URL patterns every host serves: sign-in, language, API schema and docs, the API root."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerSplitView

from sgsc.platform import views
from sgsc.platform.api.views import HostSchemaView, MeView
from sgsc.platform.forms import SignInForm

common_patterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("autentificare/", auth_views.LoginView.as_view(
        authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("iesire/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", HostSchemaView.as_view(), name="api-schema"),
    # The split view serves its script from a URL: no inline script, so the CSP holds.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/me/", MeView.as_view(), name="api-me"),
]
