"""The access review on every host (each sees only its own scope)."""

from django.urls import URLPattern, URLResolver, path

from sgsc.shared_apps.identity import access_review_api, access_review_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("acces/revizuire/", access_review_views.access_review, name="access-review"),
    path("acces/revizuire/export.csv", access_review_views.access_review_export,
         name="access-review-export"),
    path("api/v1/access-review/", access_review_api.AccessReviewView.as_view(),
         name="api-access-review"),
]
