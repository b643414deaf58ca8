"""Hub scoping: the institutions a person limited inside a hub may serve.

The grants are django-guardian object permissions (``institutions.serve_institution`` on an
``Institution``) kept in the hub's own schema, next to the data they protect. The queries name
the permission and content type by their natural keys inside that schema: content-type ids
differ between schemas and Django's content-type cache is not schema-aware.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django_tenants.utils import schema_context
from guardian.models import UserObjectPermission

from sgsc.shared_apps.identity.models import Membership
from sgsc.shared_apps.identity.roles import Capability, capabilities_for

SERVE_CODENAME = "serve_institution"


def _serve_permission() -> Permission:
    content_type, _created = ContentType.objects.get_or_create(app_label="institutions",
                                                               model="institution")
    permission, _created = Permission.objects.get_or_create(
        codename=SERVE_CODENAME, content_type=content_type,
        defaults={"name": "Can serve the institution's requests"},
    )
    return permission


def _grants_of(user_ids: Collection[int]) -> QuerySet[UserObjectPermission]:
    return UserObjectPermission.objects.filter(
        user_id__in=user_ids, permission__codename=SERVE_CODENAME,
        content_type__app_label="institutions", content_type__model="institution",
    )


def _grants(user_id: int) -> QuerySet[UserObjectPermission]:
    return _grants_of([user_id])


def membership_scope_write(*, membership: Membership, institution_ids: Collection[int] | None) -> None:
    """Replace the person's institution grants in the tenant's schema; ``None`` lifts the
    limit. Callers validate the ids and record the change in the audit log."""
    with schema_context(membership.tenant.schema_name):
        _grants(membership.user_id).delete()
        if institution_ids is not None:
            permission = _serve_permission()
            UserObjectPermission.objects.bulk_create(
                UserObjectPermission(user_id=membership.user_id, permission=permission,
                                     content_type_id=permission.content_type_id,
                                     object_pk=str(pk))
                for pk in sorted(set(institution_ids))
            )
    membership.limited_to_institutions = institution_ids is not None
    membership.save(update_fields=["limited_to_institutions", "updated_at"])


def membership_scope_ids(*, membership: Membership) -> frozenset[int] | None:
    """The institutions a membership is limited to, or ``None`` when it is not limited."""
    if not membership.limited_to_institutions:
        return None
    with schema_context(membership.tenant.schema_name):
        pks = _grants(membership.user_id).values_list("object_pk", flat=True)
        return frozenset(int(pk) for pk in pks)


def membership_scopes(*, tenant_schema: str, user_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """The institution grants of many people in one tenant, in one query (for lists)."""
    scopes: dict[int, set[int]] = {}
    with schema_context(tenant_schema):
        for user_id, pk in _grants_of(user_ids).values_list("user_id", "object_pk"):
            scopes.setdefault(user_id, set()).add(int(pk))
    return {user_id: frozenset(pks) for user_id, pks in scopes.items()}


def institution_scope_for(*, membership: Membership | None) -> frozenset[int] | None:
    """What the member may see of a hub's institutions: ``None`` means all of them (the role
    covers every institution, or the membership is not limited); else the granted ids.
    No membership means nothing."""
    if membership is None:
        return frozenset()
    if Capability.INSTITUTIONS_ALL in capabilities_for(membership.roles):
        return None
    return membership_scope_ids(membership=membership)
