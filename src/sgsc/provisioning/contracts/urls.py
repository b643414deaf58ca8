"""Contracts on the public host: the AGE console pages and the API."""

from django.urls import URLPattern, URLResolver, path

from sgsc.provisioning.contracts import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("contracte/", views.contract_list, name="contract-list"),
    path("contracte/sabloane/", views.contract_template_list, name="contract-template-list"),
    path("contracte/sabloane/<int:pk>/", views.contract_template_detail,
         name="contract-template-detail"),
    path("contracte/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracte/<int:pk>/proiect/", views.contract_update, name="contract-update"),
    path("contracte/<int:pk>/semnare/", views.contract_sign_view, name="contract-sign"),
    path("contracte/<int:pk>/anulare/", views.contract_cancel, name="contract-cancel"),
    path("contracte/<int:pk>/predare/", views.contract_handover, name="contract-handover"),
    path("contracte/<int:pk>/pdf/", views.contract_pdf, name="contract-pdf"),
    path("contracte/<int:pk>/document-semnat/", views.contract_signed_document,
         name="contract-signed-document"),
    path("api/v1/contracts/", api.ContractListView.as_view(), name="api-contract-list"),
    path("api/v1/contracts/<int:pk>/", api.ContractDetailView.as_view(),
         name="api-contract-detail"),
    path("api/v1/contracts/<int:pk>/sign/", api.ContractSignView.as_view(),
         name="api-contract-sign"),
    path("api/v1/contracts/<int:pk>/cancel/", api.ContractCancelView.as_view(),
         name="api-contract-cancel"),
    path("api/v1/contracts/<int:pk>/handover/", api.ContractHandoverView.as_view(),
         name="api-contract-handover"),
]
