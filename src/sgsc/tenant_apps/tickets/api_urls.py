"""Tickets over the API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.tickets import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/tickets/", api.TicketListView.as_view(), name="api-ticket-list"),
    path("api/v1/tickets/by-number/<str:number>/", api.TicketByNumberView.as_view(),
         name="api-ticket-by-number"),
    path("api/v1/tickets/<int:ticket_id>/", api.TicketDetailView.as_view(),
         name="api-ticket-detail"),
    path("api/v1/tickets/<int:ticket_id>/actions/<str:action>/",
         api.TicketActionView.as_view(), name="api-ticket-action"),
    path("api/v1/tickets/<int:ticket_id>/replies/", api.TicketReplyView.as_view(),
         name="api-ticket-replies"),
    path("api/v1/tickets/<int:ticket_id>/assign/", api.TicketAssignView.as_view(),
         name="api-ticket-assign"),
    path("api/v1/tickets/<int:ticket_id>/deadline/", api.TicketDeadlineView.as_view(),
         name="api-ticket-deadline"),
    path("api/v1/tickets/<int:ticket_id>/journal/", api.TicketJournalView.as_view(),
         name="api-ticket-journal"),
    path("api/v1/tickets/<int:ticket_id>/journal/<int:seq>/correct/",
         api.JournalCorrectView.as_view(), name="api-ticket-journal-correct"),
    path("api/v1/tickets/<int:ticket_id>/as-of/", api.TicketAsOfView.as_view(),
         name="api-ticket-as-of"),
    path("api/v1/queues/", api.QueueCountsView.as_view(), name="api-queue-counts"),
]
