"""The person's notifications over the API (tenant hosts): list (newest first, optionally
only the unread), mark one or all as read."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.notifications.models import Notification
from sgsc.tenant_apps.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
)

CAN_WORK = [capability_required(Capability.TICKETS_WORK)]


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True,
                                          allow_null=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "ticket", "ticket_number", "title", "body",
                  "created_at", "read_at"]
        read_only_fields = fields


class NotificationListView(generics.ListAPIView[Notification]):
    permission_classes = CAN_WORK
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        notices = Notification.objects.filter(recipient=request_actor(self.request))
        if self.request.query_params.get("unread") in ("1", "true"):
            notices = notices.filter(read_at__isnull=True)
        return notices.select_related("ticket")

    @extend_schema(parameters=[OpenApiParameter(
        "unread", bool, description="Doar notificările necitite.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    permission_classes = CAN_WORK

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notice = notification_mark_read(user=request_actor(request), notification_id=pk)
        return Response(NotificationSerializer(notice).data)


class NotificationReadAllView(APIView):
    permission_classes = CAN_WORK

    @extend_schema(request=None, responses=inline_serializer(
        "NotificationsReadAll", {"marked": serializers.IntegerField()}))
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(user=request_actor(request))})
