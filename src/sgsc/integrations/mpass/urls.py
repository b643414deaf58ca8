"""SAML endpoints, on every host (each host is its own service provider)."""

from __future__ import annotations

from django.urls import URLPattern, path
from djangosaml2.views import MetadataView

from sgsc.integrations.mpass import views

urlpatterns: list[URLPattern] = [
    path("login/", views.MPassLoginView.as_view(), name="saml2_login"),
    path("acs/", views.MPassAcsView.as_view(), name="saml2_acs"),
    path("ls/post/", views.MPassLogoutServiceView.as_view(), name="saml2_ls_post"),
    path("metadata/", MetadataView.as_view(), name="saml2_metadata"),
]
