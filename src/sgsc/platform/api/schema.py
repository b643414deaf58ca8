"""OpenAPI pieces shared by the API views: the one error body, and the refusals an
operation documents with their stable codes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

API_ERROR = inline_serializer("ApiError", {"error": inline_serializer("ApiErrorDetail", {
    "code": serializers.CharField(help_text="Stabil: după el decide clientul."),
    "message": serializers.CharField(help_text="Pentru oameni, în limba interfeței."),
    "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    required=False,
                                    help_text="Câmpurile greșite, fiecare cu mesajele lui."),
})})


def refusals(**answers: str) -> dict[int, OpenApiResponse]:
    """The documented refusals of an operation: ``refusals(e404="call_not_found")``."""
    return {int(name[1:]): OpenApiResponse(API_ERROR, description=codes)
            for name, codes in answers.items()}
