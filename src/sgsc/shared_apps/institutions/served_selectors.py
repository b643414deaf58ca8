"""The institutions a person serves on a tenant host (hub scoping, invariant 1).

A hub serves its current member institutions; a person limited inside the hub serves only
those granted to them (``identity.scoping``). A provider serves its own institution. Every
page or queue that shows an institution's data filters through ``served_institutions``.
"""

from __future__ import annotations

from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import Capability, capabilities_for
from sgsc.shared_apps.identity.scoping import institution_scope_for, membership_scopes
from sgsc.shared_apps.identity.selectors import membership_get_active
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from sgsc.tenants.models import Tenant


def served_institutions(*, user: User, tenant: Tenant) -> QuerySet[Institution]:
    """What ``user`` may serve on ``tenant``'s host, each with ``served_since``."""
    if tenant.kind == Tenant.Kind.HUB:
        current = HubMembership.objects.filter(hub=tenant, institution=OuterRef("pk"),
                                               left_at__isnull=True)
        institutions = Institution.objects.filter(Exists(current)).annotate(
            served_since=Subquery(current.values("joined_at")[:1]))
        scope = institution_scope_for(membership=membership_get_active(user=user,
                                                                       tenant=tenant))
        if scope is not None:
            institutions = institutions.filter(pk__in=scope)
    else:
        own = Q(pk=tenant.institution_id) if tenant.institution_id else Q(pk__in=[])
        has_access = membership_get_active(user=user, tenant=tenant) is not None
        institutions = Institution.objects.filter(own if has_access else Q(pk__in=[])).annotate(
            served_since=Value(tenant.created_at, output_field=DateTimeField()))
    return institutions.order_by("name", "pk")


def served_institution_get_or_deny(*, user: User, tenant: Tenant, pk: int) -> Institution:
    """One institution ``user`` serves here. Anything else is 404, and since it is an access
    attempt to data outside the person's scope the refusal is recorded (invariant 3)."""
    institution = served_institutions(user=user, tenant=tenant).filter(pk=pk).first()
    if institution is None:
        audit_record(action="access.denied", outcome=AuditEvent.Outcome.FAILURE, actor=user,
                     tenant=tenant, object_type="institution", object_id=pk,
                     details={"reason": "institution_not_served"})
        raise NotFound(_("Instituția nu a fost găsită."), code="institution_not_found")
    return institution


def served_institution_people(*, tenant: Tenant, institution: Institution) -> list[Membership]:
    """The people of ``tenant`` who serve ``institution`` now: everyone whose access is not
    limited, plus those limited ones granted this institution."""
    now = timezone.now()
    memberships = (Membership.objects.filter(tenant=tenant, state=Membership.State.ACTIVE,
                                             valid_from__lte=now)
                   .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
                   .select_related("user").order_by("user__last_name", "user__first_name"))
    limited = [m.user_id for m in memberships if m.limited_to_institutions]
    scopes = membership_scopes(tenant_schema=tenant.schema_name, user_ids=limited) if limited \
        else {}
    return [m for m in memberships
            if not m.limited_to_institutions
            or Capability.INSTITUTIONS_ALL in capabilities_for(m.roles)
            or institution.pk in scopes.get(m.user_id, frozenset())]
