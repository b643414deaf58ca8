"""The tenant's people over the API. Input serializers check types only: the IDNP's check
digit, the roles, the hub's institutions and the dates are the services' (stable codes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.selectors import MemberRow
from sgsc.shared_apps.identity.services import REVOCATION_REASONS_MANUAL


def _institution_ids(**kwargs: Any) -> serializers.ListField:
    # The service compares the ids with the hub's members; only their range is checked here.
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                 allow_null=True, max_length=500, **kwargs)


class MemberPersonSerializer(serializers.Serializer[MemberRow]):
    id = serializers.IntegerField(source="membership.user.pk", read_only=True)
    first_name = serializers.CharField(source="membership.user.first_name", read_only=True)
    last_name = serializers.CharField(source="membership.user.last_name", read_only=True)
    email = serializers.EmailField(source="membership.user.email", read_only=True)
    idnp = serializers.CharField(
        read_only=True, help_text="Mascat (2000•••••1234) pentru cine nu are members.manage.")
    phone = serializers.CharField(source="membership.user.phone", read_only=True)
    preferred_language = serializers.CharField(source="membership.user.preferred_language",
                                               read_only=True)


class MemberSerializer(serializers.Serializer[MemberRow]):
    id = serializers.IntegerField(source="membership.pk", read_only=True,
                                  help_text="id-ul accesului (membership)")
    person = MemberPersonSerializer(source="*", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), source="membership.roles",
                                  read_only=True)
    state = serializers.ChoiceField(choices=Membership.State.choices, source="membership.state",
                                    read_only=True)
    institutions = serializers.SerializerMethodField(
        help_text="Instituțiile hubului la care accesul este limitat; null: nelimitat.")
    valid_from = serializers.DateTimeField(source="membership.valid_from", read_only=True)
    valid_until = serializers.DateTimeField(source="membership.valid_until", read_only=True,
                                            allow_null=True)
    last_sign_in = serializers.DateTimeField(source="membership.last_sign_in", read_only=True,
                                             allow_null=True)
    ended_at = serializers.DateTimeField(source="membership.ended_at", read_only=True,
                                         allow_null=True)
    end_reason = serializers.CharField(source="membership.end_reason", read_only=True)
    end_note = serializers.CharField(source="membership.end_note", read_only=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(),
                                               allow_null=True))
    def get_institutions(self, row: MemberRow) -> list[int] | None:
        return None if row.institutions is None else [i.pk for i in row.institutions]


class MemberCreateSerializer(serializers.Serializer[Any]):
    idnp = serializers.CharField(max_length=32)
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    # Plain text (the service checks it): an enum here would repeat the workspace's.
    preferred_language = serializers.CharField(max_length=2, required=False, default="ro",
                                               help_text="ro, ru sau en")
    roles = serializers.ListField(child=serializers.CharField(max_length=32), max_length=20)
    institutions = _institution_ids(
        required=False, default=None,
        help_text="Doar într-un hub: limitează accesul la aceste instituții.")
    valid_until = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                            help_text="Sfârșitul accesului temporar.")


class MemberUpdateSerializer(serializers.Serializer[Any]):
    """Fields left out keep their value; ``institutions: null`` lifts the limit."""

    roles = serializers.ListField(child=serializers.CharField(max_length=32), max_length=20,
                                  required=False)
    institutions = _institution_ids(required=False)
    valid_until = serializers.DateTimeField(required=False, allow_null=True)


class MemberRevokeSerializer(serializers.Serializer[Any]):
    # Free text: the service refuses a missing or unknown reason with ``reason_required``.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=32,
                                   help_text=", ".join(REVOCATION_REASONS_MANUAL))
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=2000)
