"""Audit API: start a verification of every chain (AGE administrators)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.permissions import capability_required
from sgsc.platform.queue import enqueue_on_commit
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenants.tasks import fan_out


class AuditVerificationView(APIView):
    """Queue a check of every audit chain (AGE roles that manage tenants); each result is
    written to the audit log."""

    permission_classes = [capability_required(Capability.TENANTS_MANAGE)]

    @extend_schema(request=None, responses={202: inline_serializer(
        "AuditVerificationQueued", {"status": serializers.CharField()})})
    def post(self, request: Request) -> Response:
        with transaction.atomic():
            audit_record(action="audit.chain.verify.request", object_type="audit_chain",
                         object_id="*")
            enqueue_on_commit(fan_out, kwargs={"task_name": "audit.verify_current_chain",
                                               "include_platform": True, "only_active": False})
        return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)
