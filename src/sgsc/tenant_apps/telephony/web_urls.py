"""The phone channel's pages: the operators' calls and the configuration."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.catalog.views import section_patterns
from sgsc.tenant_apps.telephony import config_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("apeluri/", views.call_list, name="call-list"),
    path("apeluri/pierdute/", views.call_missed, name="call-missed"),
    path("apeluri/curent/", views.call_current_view, name="call-current"),
    path("apeluri/<int:pk>/", views.call_detail, name="call-detail"),
    path("apeluri/<int:pk>/apelat-inapoi/", views.call_callback, name="call-callback"),
    *section_patterns(config_views.PHONE_LINES),
    *section_patterns(config_views.EXTENSIONS),
    path("configurare/telefonie/conectori/", config_views.connector_list,
         name="config-phone-connectors"),
    path("configurare/telefonie/conectori/nou/", config_views.connector_add,
         name="config-phone-connector-add"),
    path("configurare/telefonie/conectori/<int:pk>/revocare/", config_views.connector_revoke,
         name="config-phone-connector-revoke"),
]
