"""The operator workspace's pages (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.tickets.web import intake_views, queue_views, ticket_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("solicitari/", queue_views.ticket_queue_view, name="ticket-queue"),
    path("solicitari/actiuni/", queue_views.bulk_action, name="ticket-bulk"),
    path("solicitari/vederi/", queue_views.saved_view_save, name="ticket-view-save"),
    path("solicitari/vederi/<int:pk>/stergere/", queue_views.saved_view_remove,
         name="ticket-view-delete"),
    path("solicitari/tura/", queue_views.shift_toggle, name="ticket-shift"),
    path("solicitari/apel/", intake_views.ticket_intake, name="ticket-intake"),
    path("solicitari/apel/solicitant/", intake_views.contact_lookup,
         name="ticket-contact-lookup"),
    path("solicitari/nr/<str:number>/", ticket_views.ticket_by_number, name="ticket-by-number"),
    path("solicitari/<int:pk>/", ticket_views.ticket_detail, name="ticket-detail"),
    path("solicitari/<int:pk>/date/", ticket_views.ticket_update_view, name="ticket-update"),
    path("solicitari/<int:pk>/actiune/<str:action>/", ticket_views.ticket_transition_view,
         name="ticket-transition"),
    path("solicitari/<int:pk>/raspuns/", ticket_views.ticket_reply_view, name="ticket-reply"),
    path("solicitari/<int:pk>/repartizare/", ticket_views.ticket_assign_view,
         name="ticket-assign"),
    path("solicitari/<int:pk>/termen/", ticket_views.ticket_deadline_view,
         name="ticket-deadline"),
    path("solicitari/<int:pk>/corectare/", ticket_views.ticket_correct_view,
         name="ticket-correct"),
]
