"""Ticket attachments over the API: list and upload (multipart), download.

Everyone who works tickets may list and download the attachments of the tickets they see
(hub scoping applies); uploading needs the ticket's support level. Refusals have the codes of
``tickets.attachments`` (``file_infected``, ``file_too_large``, ``file_quarantined``...).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.access import ticket_access_for
from sgsc.tenant_apps.tickets.attachment_views import attachment_response
from sgsc.tenant_apps.tickets.attachments import (
    attachment_add,
    attachment_download_open,
    attachment_list,
)
from sgsc.tenant_apps.tickets.models import Attachment
from sgsc.tenant_apps.tickets.selectors import ticket_get


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    uploaded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "ticket", "name", "content_type", "size", "sha256", "scan", "signature",
                  "uploaded_by", "uploaded_by_name", "uploaded_at", "scanned_at"]
        read_only_fields = fields

    def get_uploaded_by_name(self, attachment: Attachment) -> str:
        return str(attachment.uploaded_by) if attachment.uploaded_by is not None else ""


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    # Empty files reach the service, which refuses them with its own code (file_empty).
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class TicketAttachmentListView(generics.ListAPIView[Attachment]):
    permission_classes = [capability_required(Capability.TICKETS_WORK)]
    serializer_class = AttachmentSerializer

    def get_queryset(self) -> QuerySet[Attachment]:
        return attachment_list(access=ticket_access_for(self.request),
                               ticket_id=self.kwargs["ticket_id"])

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        """Attach a file; ``scan`` is ``quarantined`` when the virus scanner could not be
        reached (the file is served once a later scan finds it clean)."""
        access = ticket_access_for(request)
        # A ticket the caller cannot see is a 404 whatever the body holds.
        ticket = ticket_get(access=access, ticket_id=ticket_id)
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        attachment = attachment_add(access=access, ticket_id=ticket.pk, stream=upload,
                                    name=upload.name or "")
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class TicketAttachmentDownloadView(APIView):
    permission_classes = [capability_required(Capability.TICKETS_WORK)]

    def perform_content_negotiation(self, request: Request,
                                    force: bool = False) -> tuple[BaseRenderer, str]:
        # The answer is the file whatever the Accept header asks for; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={
        (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
        409: OpenApiResponse(description="file_quarantined"),
        410: OpenApiResponse(description="file_infected")})
    def get(self, request: Request, ticket_id: int, attachment_id: int) -> FileResponse:
        attachment, handle = attachment_download_open(access=ticket_access_for(request),
                                                      ticket_id=ticket_id,
                                                      attachment_id=attachment_id)
        return attachment_response(attachment, handle)
