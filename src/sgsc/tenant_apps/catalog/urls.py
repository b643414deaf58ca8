"""The configuration pages and API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.tenant_apps.catalog import api, views
from sgsc.tenant_apps.sla import config_api as sla_api
from sgsc.tenant_apps.sla import config_views as sla_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("configurare/", views.config_home, name="config-home"),
    path("configurare/prioritati/matrice/", views.priority_matrix, name="config-matrix"),
    path("configurare/program/", sla_views.business_hours, name="config-hours"),
    path("configurare/tichete/", views.ticket_settings, name="config-ticket-settings"),
    path("configurare/echipe/<int:pk>/membri/", views.team_members, name="config-team-members"),
    path("configurare/echipe/<int:pk>/membri/<int:member_pk>/tura/", views.team_member_shift,
         name="config-team-member-shift"),
    path("configurare/echipe/<int:pk>/membri/<int:member_pk>/eliminare/",
         views.team_member_remove, name="config-team-member-remove"),
    path("configurare/rutare/<int:pk>/mutare/", views.routing_rule_move,
         name="config-rule-move"),
    *(pattern for section in (views.SERVICE_GROUPS, views.SERVICES, views.CATEGORIES,
                              views.PRIORITIES, sla_views.SLA_POLICIES, sla_views.CLOSED_DAYS,
                              views.TEAMS, views.QUEUES, views.ROUTING_RULES,
                              views.CANNED_REPLIES, views.ARTICLES)
      for pattern in views.section_patterns(section)),
    *api.urlpatterns,
    *sla_api.urlpatterns,
]
