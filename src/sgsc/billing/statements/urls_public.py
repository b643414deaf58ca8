"""Billing on the public host: AGE's metering and statement pages, the Chancellery's console,
and the API."""

from django.urls import URLPattern, URLResolver, path

from sgsc.billing.statements import api, console_views, views
from sgsc.billing.usage import api as usage_api
from sgsc.billing.usage import views as usage_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("facturare/utilizare/", usage_views.billing_usage, name="billing-usage"),
    path("facturare/deconturi/", views.statement_list, name="statement-list"),
    path("facturare/deconturi/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("facturare/deconturi/<int:pk>/emitere/", views.statement_issue_view,
         name="statement-issue"),
    path("facturare/deconturi/<int:pk>/anulare/", views.statement_void_view,
         name="statement-void"),
    path("facturare/deconturi/<int:pk>/cheie-hub/", views.hub_allocation_key_view,
         name="hub-allocation-key"),
    path("facturare/deconturi/<int:pk>/pdf/", views.statement_document, {"fmt": "pdf"},
         name="statement-pdf"),
    path("facturare/deconturi/<int:pk>/csv/", views.statement_document, {"fmt": "csv"},
         name="statement-csv"),
    path("cancelarie/utilizare/", console_views.console_usage, name="billing-console"),
    path("cancelarie/utilizare/<slug:slug>/", console_views.console_provider,
         name="billing-console-provider"),
    path("cancelarie/utilizare/<slug:slug>/simulare/", console_views.console_what_if,
         name="billing-console-what-if"),
    path("api/v1/usage/records/", usage_api.UsageRecordListView.as_view(),
         name="api-usage-records"),
    path("api/v1/usage/meterings/", usage_api.MeteringView.as_view(), name="api-usage-meterings"),
    path("api/v1/usage/adjustments/", usage_api.AdjustmentView.as_view(),
         name="api-usage-adjustments"),
    path("api/v1/statements/", api.StatementListView.as_view(), name="api-statement-list"),
    path("api/v1/statements/summary/", api.BillingSummaryView.as_view(),
         name="api-statement-summary"),
    path("api/v1/statements/<int:pk>/", api.StatementDetailView.as_view(),
         name="api-statement-detail"),
    path("api/v1/statements/<int:pk>/issue/", api.StatementIssueView.as_view(),
         name="api-statement-issue"),
    path("api/v1/statements/<int:pk>/void/", api.StatementVoidView.as_view(),
         name="api-statement-void"),
    path("api/v1/hubs/<slug:slug>/allocation-key/", api.HubAllocationKeyView.as_view(),
         name="api-hub-allocation-key"),
]
