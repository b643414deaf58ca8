"""Personal API tokens, on every host (each token is valid only on the host it belongs to)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.identity import token_api, token_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("profil/tokenuri/", token_views.token_list, name="token-list"),
    path("profil/tokenuri/<int:pk>/revocare/", token_views.token_revoke, name="token-revoke"),
    path("api/v1/tokens/", token_api.ApiTokenListView.as_view(), name="api-token-list"),
    path("api/v1/tokens/<int:pk>/", token_api.ApiTokenDetailView.as_view(),
         name="api-token-detail"),
]
