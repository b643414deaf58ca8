"""Exchanges on a tenant host: the ones it sent or received."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.exchange import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("schimb/", views.exchange_list_view, name="exchange-list"),
    path("api/v1/exchanges/", api.ExchangeListView.as_view(), name="api-exchange-list"),
]
