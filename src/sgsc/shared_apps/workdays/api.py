"""Platform API of the working-day calendar (public host)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sgsc.platform.api.pagination import CursorPagination
from sgsc.platform.api.permissions import capability_required
from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import Capability
from sgsc.shared_apps.workdays.calendar import FIRST_YEAR, LAST_YEAR
from sgsc.shared_apps.workdays.models import CalendarException
from sgsc.shared_apps.workdays.parsing import MAX_TERM, parse_iso_date, parse_term, parse_year
from sgsc.shared_apps.workdays.selectors import calendar_exception_list, work_calendar
from sgsc.shared_apps.workdays.services import calendar_exception_add, calendar_exception_remove


class CalendarExceptionSerializer(serializers.ModelSerializer[CalendarException]):
    class Meta:
        model = CalendarException
        fields = ["date", "kind", "legal_act", "note", "created_at"]
        read_only_fields = fields


class CalendarExceptionCreateSerializer(serializers.Serializer[None]):
    date = serializers.DateField(input_formats=["%Y-%m-%d"])
    kind = serializers.ChoiceField(choices=CalendarException.Kind.choices)
    # Checked by the service, which answers ``legal_act_required``.
    legal_act = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class _FromField(serializers.Serializer[None]):
    """``from`` is a Python keyword: the field is declared as ``from_`` and renamed."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class TermDeadlineSerializer(_FromField):
    """Termenul: ziua a N-a lucrătoare după ziua evenimentului."""

    from_ = serializers.DateField(help_text="Ziua evenimentului (nu se numără).")
    working_days = serializers.IntegerField()
    deadline = serializers.DateField(help_text="Ziua a N-a lucrătoare după eveniment; "
                                               "termenul expiră la 23:59:59 (Europe/Chisinau).")


class _ByDate(CursorPagination):
    ordering = "date"


def _actor(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


class CalendarExceptionListView(generics.ListCreateAPIView[CalendarException]):
    """National exceptions to the working-day calendar. Every signed-in user reads them; AGE
    (capability ``calendar.manage``) records them."""

    serializer_class = CalendarExceptionSerializer
    pagination_class = _ByDate

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in SAFE_METHODS:
            return [IsAuthenticated()]
        return [capability_required(Capability.CALENDAR_MANAGE)()]

    def get_queryset(self) -> QuerySet[CalendarException]:
        year_text = self.request.query_params.get("year")
        year = None
        if year_text is not None:
            year = parse_year(year_text)
            if year is None:
                raise InvalidInput(
                    _("Anul trebuie să fie între %(first)s și %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                    code="invalid_year", fields={"year": [_("An invalid.")]})
        return calendar_exception_list(year=year)

    @extend_schema(parameters=[OpenApiParameter("year", int, description="Doar anul dat.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CalendarExceptionCreateSerializer,
                   responses={201: CalendarExceptionSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = CalendarExceptionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        row = calendar_exception_add(day=data["date"], kind=data["kind"],
                                     legal_act=data["legal_act"], note=data["note"],
                                     actor=_actor(request))
        return Response(CalendarExceptionSerializer(row).data, status=status.HTTP_201_CREATED)


class CalendarExceptionDetailView(APIView):
    permission_classes = [capability_required(Capability.CALENDAR_MANAGE)]

    @extend_schema(parameters=[OpenApiParameter("date", OpenApiTypes.DATE,
                                                OpenApiParameter.PATH)],
                   responses={204: None})
    def delete(self, request: Request, date: str) -> Response:
        day = parse_iso_date(date)
        if day is None:
            raise InvalidInput(_("Data trebuie scrisă AAAA-LL-ZZ."), code="invalid_date",
                               fields={"date": [_("Dată invalidă.")]})
        calendar_exception_remove(day=day, actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeadlineView(APIView):
    """The deadline of a term: the Nth working day after a date (the date itself never
    counts), as every deadline of the platform is counted."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, required=True,
                         description="Ziua evenimentului, AAAA-LL-ZZ."),
        OpenApiParameter("days", int, required=True,
                         description=f"Zile lucrătoare, de la 1 la {MAX_TERM}."),
    ], responses=TermDeadlineSerializer)
    def get(self, request: Request) -> Response:
        start = parse_iso_date(request.query_params.get("from", ""))
        days = parse_term(request.query_params.get("days", ""))
        fields: dict[str, list[str]] = {}
        if start is None:
            fields["from"] = [_("Data trebuie scrisă AAAA-LL-ZZ, între anii %(first)s și "
                                "%(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]
        if days is None:
            fields["days"] = [_("Un număr întreg de la 1 la %(max)s.") % {"max": MAX_TERM}]
        if start is None or days is None:
            code = "invalid_date" if start is None else "invalid_term"
            raise InvalidInput(_("Parametrii termenului nu sunt valizi."), code=code,
                               fields=fields)
        deadline = work_calendar().add_working_days(start, days)
        return Response({"from": start.isoformat(), "working_days": days,
                         "deadline": deadline.isoformat()})
