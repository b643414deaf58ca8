"""Billing on a tenant host: the provider admin's own usage and issued statements."""

from django.urls import URLPattern, URLResolver, path

from sgsc.billing.statements import api, views
from sgsc.billing.usage import api as usage_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("facturare/", views.own_billing, name="own-billing"),
    path("facturare/deconturi/<int:pk>/pdf/", views.own_statement_document, {"fmt": "pdf"},
         name="own-statement-pdf"),
    path("facturare/deconturi/<int:pk>/csv/", views.own_statement_document, {"fmt": "csv"},
         name="own-statement-csv"),
    path("api/v1/usage/records/", usage_api.OwnUsageRecordListView.as_view(),
         name="api-own-usage-records"),
    path("api/v1/statements/", api.OwnStatementListView.as_view(), name="api-own-statements"),
]
