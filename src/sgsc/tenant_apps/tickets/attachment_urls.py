"""Ticket attachments: pages and API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.tickets import attachment_api, attachment_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("solicitari/<int:ticket_id>/fisiere/", attachment_views.ticket_attachments,
         name="ticket-attachments"),
    path("solicitari/<int:ticket_id>/fisiere/<int:attachment_id>/descarcare/",
         attachment_views.attachment_download, name="ticket-attachment-download"),
    path("api/v1/tickets/<int:ticket_id>/attachments/",
         attachment_api.TicketAttachmentListView.as_view(), name="api-ticket-attachments"),
    path("api/v1/tickets/<int:ticket_id>/attachments/<int:attachment_id>/download/",
         attachment_api.TicketAttachmentDownloadView.as_view(),
         name="api-ticket-attachment-download"),
]
