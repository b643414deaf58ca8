"""The configuration over the API (tenant hosts), under ``/api/v1/config/``.

Reads are for everyone who works tickets (operators pick services, categories and queues);
writes for ``tickets.configure``. Most parts are lists (``Endpoint``): list with ``q``, create,
read, change (PATCH: the fields left out keep their value) and delete while nothing references
the row (409 ``in_use`` otherwise: PATCH ``is_active: false`` instead). Serializers check types
only; the services judge the values, with stable codes, and audit every change and refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.pagination import CursorPagination
from sgsc.platform.api.permissions import capability_required
from sgsc.shared_apps.identity.member_views import request_actor
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.catalog import config_selectors as selectors
from sgsc.tenant_apps.catalog import services as config
from sgsc.tenant_apps.catalog.models import (
    CannedReply,
    Category,
    KnowledgeArticle,
    Priority,
    PriorityRule,
    Queue,
    RoutingRule,
    Service,
    ServiceGroup,
    Team,
    TeamMember,
)
from sgsc.tenant_apps.tickets.models import TicketSettings
from sgsc.tenant_apps.tickets.services import ticket_settings_ensure

MAX_ID = 2**63 - 1


class RefField(serializers.IntegerField):
    """A related row's id under the relation's name (``group``, not ``group_id``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return getattr(instance, f"{self.field_name}_id")


class RefsField(serializers.ListField):
    """The ids of a many-to-many relation."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                         max_length=500, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return [row.pk for row in getattr(instance, str(self.field_name)).all()]


class ConfigServiceGroupSerializer(serializers.Serializer[ServiceGroup]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=255)


class ConfigServiceSerializer(serializers.Serializer[Service]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=255)
    name_ru = serializers.CharField(max_length=255, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=255, required=False, allow_blank=True)
    group = RefField()
    institution = RefField(help_text="Într-un hub: o instituție membră; la un prestator: "
                                     "instituția proprie.")
    resolution_hours = serializers.IntegerField(
        required=False, allow_null=True, help_text="Standardul de prestare, în ore lucrătoare.")
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigCategorySerializer(serializers.Serializer[Category]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=255)
    # Popped into the declared fields: it does not shadow the serializer's own ``parent``.
    parent = RefField()  # type: ignore[assignment]
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigPrioritySerializer(serializers.Serializer[Priority]):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    rank = serializers.IntegerField(help_text="1 este cea mai urgentă.")


class ConfigTeamSerializer(serializers.Serializer[Team]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=255)
    level = serializers.IntegerField(required=False, default=Team.Level.L1,
                                     help_text="1, 2 sau 3")
    institution = RefField()
    external_tenant = RefField(help_text="Doar nivelul 3: prestatorul (sau AGE) care o are.")
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigQueueSerializer(serializers.Serializer[Queue]):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=255)
    team = RefField(required=True, allow_null=False)
    auto_assign = serializers.BooleanField(required=False, default=False)
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigRoutingRuleSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True,
                                        help_text="Ordinea în care regulile sunt încercate.")
    name = serializers.CharField(max_length=255)
    channel = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                    help_text="phone, email, portal sau chat; gol: orice canal.")
    service = RefField()
    institution = RefField()
    keywords = serializers.ListField(child=serializers.CharField(max_length=200),
                                     max_length=100, required=False)
    queue = RefField(required=True, allow_null=False)
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigCannedReplySerializer(serializers.Serializer[CannedReply]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=255)
    body = serializers.CharField()
    service = RefField()
    is_active = serializers.BooleanField(required=False, default=True)


class ConfigArticleSerializer(serializers.Serializer[KnowledgeArticle]):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=255)
    body = serializers.CharField()
    services = RefsField()
    is_published = serializers.BooleanField(required=False, default=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ReadOrConfigure(APIView):
    """Reads need ``read_capability`` (``tickets.work``: operators read the catalogue);
    writes need ``tickets.configure``."""

    read_capability: ClassVar[Capability] = Capability.TICKETS_WORK

    def get_permissions(self) -> list[BasePermission]:
        capability = (self.read_capability if self.request.method in SAFE_METHODS
                      else Capability.TICKETS_CONFIGURE)
        return [capability_required(capability)()]


class ConfigPagination(CursorPagination):
    ordering = "id"


@dataclass(frozen=True)
class Endpoint:
    """One configuration list over the API."""

    path: str  # under /api/v1/config/
    model: type[Model]
    serializer: type[serializers.Serializer[Any]]
    rows: Callable[[str], QuerySet[Any]]  # the list, searched
    inputs: type[Any]  # the service's input dataclass
    save: Callable[..., Model]  # save(actor=, data=, pk=)
    paginated: bool = True
    # Who may read the list; a hub's rows tied to its member institutions may need more.
    read_capability: Capability = Capability.TICKETS_WORK


SEARCH = OpenApiParameter("q", str, description="Caută după cod, denumire sau titlu.")


class _ConfigList(ReadOrConfigure, generics.ListCreateAPIView[Any]):
    endpoint: ClassVar[Endpoint]

    def get_queryset(self) -> QuerySet[Any]:
        return self.endpoint.rows(self.request.query_params.get("q", "")[:100])

    @extend_schema(parameters=[SEARCH])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = self.endpoint.save(actor=request_actor(request),
                                 data=self.endpoint.inputs(**payload.validated_data))
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class _ConfigDetail(ReadOrConfigure, generics.RetrieveUpdateDestroyAPIView[Any]):
    endpoint: ClassVar[Endpoint]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return self.endpoint.rows("")

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        payload = self.get_serializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = {**selectors.config_values(row, self.endpoint.inputs),
                  **payload.validated_data}
        saved = self.endpoint.save(actor=request_actor(request),
                                   data=self.endpoint.inputs(**values), pk=row.pk)
        return Response(self.get_serializer(saved).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        config.config_delete(actor=request_actor(request), model=self.endpoint.model,
                             pk=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def endpoint_patterns(endpoint: Endpoint) -> list[URLPattern]:
    attributes = {"endpoint": endpoint, "serializer_class": endpoint.serializer,
                  "pagination_class": ConfigPagination if endpoint.paginated else None,
                  "read_capability": endpoint.read_capability}
    name = endpoint.model.__name__
    listing: type[_ConfigList] = type(f"{name}ListView", (_ConfigList,), attributes)
    detail: type[_ConfigDetail] = type(f"{name}DetailView", (_ConfigDetail,), attributes)
    base = f"api/v1/config/{endpoint.path}/"
    return [path(base, listing.as_view(), name=f"api-config-{endpoint.path}"),
            path(base + "<int:pk>/", detail.as_view(), name=f"api-config-{endpoint.path}-one")]


ENDPOINTS = (
    Endpoint("service-groups", ServiceGroup, ConfigServiceGroupSerializer, selectors.service_group_list,
             config.ServiceGroupInput, config.service_group_save),
    Endpoint("services", Service, ConfigServiceSerializer, selectors.service_list,
             config.ServiceInput, config.service_save),
    Endpoint("categories", Category, ConfigCategorySerializer, selectors.category_list,
             config.CategoryInput, config.category_save),
    Endpoint("priorities", Priority, ConfigPrioritySerializer, selectors.priority_list,
             config.PriorityInput, config.priority_save, paginated=False),
    Endpoint("teams", Team, ConfigTeamSerializer, selectors.team_list, config.TeamInput,
             config.team_save),
    Endpoint("queues", Queue, ConfigQueueSerializer, selectors.queue_list, config.QueueInput,
             config.queue_save),
    # In the order they are tried; a short list, moved with .../move/.
    Endpoint("routing-rules", RoutingRule, ConfigRoutingRuleSerializer, selectors.routing_rule_list,
             config.RoutingRuleInput, config.routing_rule_save, paginated=False),
    Endpoint("canned-replies", CannedReply, ConfigCannedReplySerializer, selectors.canned_reply_list,
             config.CannedReplyInput, config.canned_reply_save),
    Endpoint("articles", KnowledgeArticle, ConfigArticleSerializer, selectors.article_list,
             config.ArticleInput, config.article_save),
)


# --- the priority matrix ------------------------------------------------------------------

class ConfigMatrixCellSerializer(serializers.Serializer[PriorityRule]):
    impact = serializers.IntegerField(help_text="1 = ridicat, 3 = scăzut")
    urgency = serializers.IntegerField(help_text="1 = ridicată, 3 = scăzută")
    priority = serializers.IntegerField(allow_null=True, min_value=1, max_value=MAX_ID)


class ConfigPriorityMatrixSerializer(serializers.Serializer[Any]):
    cells = ConfigMatrixCellSerializer(many=True, help_text="Toate cele nouă celule.")


def _matrix() -> dict[str, Any]:
    return {"cells": [{"impact": impact, "urgency": urgency, "priority": priority}
                      for (impact, urgency), priority in sorted(selectors.priority_matrix()
                                                                .items())]}


class PriorityMatrixView(ReadOrConfigure):
    @extend_schema(responses=ConfigPriorityMatrixSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConfigPriorityMatrixSerializer(_matrix()).data)

    @extend_schema(request=ConfigPriorityMatrixSerializer, responses=ConfigPriorityMatrixSerializer)
    def put(self, request: Request) -> Response:
        payload = ConfigPriorityMatrixSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        config.priority_matrix_set(actor=request_actor(request), cells={
            (cell["impact"], cell["urgency"]): cell["priority"]
            for cell in payload.validated_data["cells"]})
        return Response(ConfigPriorityMatrixSerializer(_matrix()).data)


# --- team members -------------------------------------------------------------------------

class ConfigTeamMemberSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    user = RefField(required=True, allow_null=False,
                    help_text="O persoană cu acces activ care lucrează tichete la nivelul echipei.")
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    on_shift = serializers.BooleanField(required=False, default=False)


class ConfigTeamMemberShiftSerializer(serializers.Serializer[TeamMember]):
    on_shift = serializers.BooleanField()


class TeamMemberListView(ReadOrConfigure):
    @extend_schema(responses=ConfigTeamMemberSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        team = selectors.config_get(Team, pk)
        return Response(ConfigTeamMemberSerializer(selectors.team_member_list(team=team),
                                             many=True).data)

    @extend_schema(request=ConfigTeamMemberSerializer, responses={201: ConfigTeamMemberSerializer})
    def post(self, request: Request, pk: int) -> Response:
        selectors.config_get(Team, pk)  # an unknown team is a 404 whatever the body
        payload = ConfigTeamMemberSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = config.team_member_add(actor=request_actor(request), team_id=pk,
                                        user_id=payload.validated_data["user"],
                                        on_shift=payload.validated_data["on_shift"])
        return Response(ConfigTeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class TeamMemberDetailView(ReadOrConfigure):
    @extend_schema(request=ConfigTeamMemberShiftSerializer, responses=ConfigTeamMemberSerializer)
    def patch(self, request: Request, pk: int, member_pk: int) -> Response:
        # Another team's member is a 404 whatever the body.
        selectors.team_member_get(team_id=pk, member_id=member_pk)
        payload = ConfigTeamMemberShiftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = config.team_member_update(actor=request_actor(request), team_id=pk,
                                           member_id=member_pk,
                                           on_shift=payload.validated_data["on_shift"])
        return Response(ConfigTeamMemberSerializer(member).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, member_pk: int) -> Response:
        config.team_member_remove(actor=request_actor(request), team_id=pk,
                                  member_id=member_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- routing order and ticket settings ----------------------------------------------------

class ConfigRuleMoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


class RoutingRuleMoveView(ReadOrConfigure):
    @extend_schema(request=ConfigRuleMoveSerializer, responses=ConfigRoutingRuleSerializer(many=True))
    def post(self, request: Request, pk: int) -> Response:
        """One place up or down; answers the rules in their new order."""
        selectors.config_get(RoutingRule, pk)  # an unknown rule is a 404 whatever the body
        payload = ConfigRuleMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        config.routing_rule_move(actor=request_actor(request), pk=pk,
                                 up=payload.validated_data["direction"] == "up")
        return Response(ConfigRoutingRuleSerializer(selectors.routing_rule_list(), many=True).data)


class ConfigTicketSettingsSerializer(serializers.Serializer[TicketSettings]):
    number_prefix = serializers.CharField(
        max_length=12, required=False,
        help_text="2-12 litere latine mari și cifre; se aplică doar numerelor noi.")
    reopen_days = serializers.IntegerField(required=False)
    close_after_days = serializers.IntegerField(required=False)
    archive_after_days = serializers.IntegerField(required=False)
    updated_at = serializers.DateTimeField(read_only=True)


class TicketSettingsView(ReadOrConfigure):
    @extend_schema(responses=ConfigTicketSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConfigTicketSettingsSerializer(ticket_settings_ensure()).data)

    @extend_schema(request=ConfigTicketSettingsSerializer, responses=ConfigTicketSettingsSerializer)
    def patch(self, request: Request) -> Response:
        payload = ConfigTicketSettingsSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = {**selectors.config_values(ticket_settings_ensure(),
                                            config.TicketSettingsInput),
                  **payload.validated_data}
        saved = config.ticket_settings_update(actor=request_actor(request),
                                              data=config.TicketSettingsInput(**values))
        return Response(ConfigTicketSettingsSerializer(saved).data)


urlpatterns: list[URLPattern] = [
    *(pattern for endpoint in ENDPOINTS for pattern in endpoint_patterns(endpoint)),
    path("api/v1/config/priority-matrix/", PriorityMatrixView.as_view(),
         name="api-config-priority-matrix"),
    path("api/v1/config/teams/<int:pk>/members/", TeamMemberListView.as_view(),
         name="api-config-team-members"),
    path("api/v1/config/teams/<int:pk>/members/<int:member_pk>/",
         TeamMemberDetailView.as_view(), name="api-config-team-member"),
    path("api/v1/config/routing-rules/<int:pk>/move/", RoutingRuleMoveView.as_view(),
         name="api-config-routing-rule-move"),
    path("api/v1/config/ticket-settings/", TicketSettingsView.as_view(),
         name="api-config-ticket-settings"),
]
