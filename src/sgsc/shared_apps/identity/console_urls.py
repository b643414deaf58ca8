"""AGE's console of people and access (public host)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.identity import console_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("persoane/", console_views.person_list, name="console-person-list"),
    path("persoane/noua/", console_views.person_add, name="console-person-add"),
    path("persoane/<int:pk>/", console_views.person_detail, name="console-person-detail"),
    path("persoane/<int:pk>/roluri/", console_views.person_roles_edit,
         name="console-person-roles"),
    path("persoane/<int:pk>/acces/nou/", console_views.membership_grant_view,
         name="console-membership-grant"),
    path("persoane/<int:pk>/acces/<int:membership_pk>/revocare/",
         console_views.membership_revoke_view, name="console-membership-revoke"),
]
