from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.workdays import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("calendar/", views.calendar_exceptions, name="calendar-exceptions"),
    path("calendar/exceptii/<str:day>/stergere/", views.calendar_exception_delete,
         name="calendar-exception-delete"),
    path("api/v1/calendar/exceptions/", api.CalendarExceptionListView.as_view(),
         name="api-calendar-exception-list"),
    path("api/v1/calendar/exceptions/<str:date>/", api.CalendarExceptionDetailView.as_view(),
         name="api-calendar-exception-detail"),
    path("api/v1/calendar/deadline/", api.DeadlineView.as_view(), name="api-calendar-deadline"),
]
