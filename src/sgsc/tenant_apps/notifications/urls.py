"""Notifications: page and API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.notifications import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("notificari/", views.notification_list, name="notification-list"),
    path("notificari/<int:pk>/citita/", views.notification_read, name="notification-read"),
    path("notificari/citite/", views.notification_read_all, name="notification-read-all"),
    path("api/v1/notifications/", api.NotificationListView.as_view(),
         name="api-notification-list"),
    path("api/v1/notifications/<int:pk>/read/", api.NotificationReadView.as_view(),
         name="api-notification-read"),
    path("api/v1/notifications/read-all/", api.NotificationReadAllView.as_view(),
         name="api-notification-read-all"),
]
