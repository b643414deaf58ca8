"""Tenant hosts: the provider admin's one-time activation page."""

from django.urls import URLPattern, URLResolver, path

from sgsc.provisioning.onboarding import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("activare/<str:token>/", views.account_activate, name="account-activate"),
]
