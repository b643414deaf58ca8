"""The tenant's people: pages and API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.identity import member_api, member_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("membri/", member_views.member_list, name="member-list"),
    path("membri/adauga/", member_views.member_add_view, name="member-add"),
    path("membri/<int:pk>/", member_views.member_detail, name="member-detail"),
    path("membri/<int:pk>/modificare/", member_views.member_edit, name="member-edit"),
    path("membri/<int:pk>/revocare/", member_views.member_revoke, name="member-revoke"),
    path("api/v1/members/", member_api.MemberListView.as_view(), name="api-member-list"),
    path("api/v1/members/<int:pk>/", member_api.MemberDetailView.as_view(),
         name="api-member-detail"),
    path("api/v1/members/<int:pk>/revoke/", member_api.MemberRevokeView.as_view(),
         name="api-member-revoke"),
]
