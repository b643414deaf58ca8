"""Reads for AGE's console of people and access (public host)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _

from sgsc.platform.errors import NotFound
from sgsc.shared_apps.identity.models import Membership, SignInSession, User
from sgsc.shared_apps.identity.scoping import membership_scopes
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.selectors import _folded, fold

# Access that has not ended: a suspended membership comes back when its tenant does.
LIVE_STATES = (Membership.State.ACTIVE, Membership.State.SUSPENDED)
RECENT_SIGN_INS = 10


def person_matches(search: str, *, prefix: str = "") -> Q:
    """Every word of ``search`` in the first name, last name (diacritics ignored) or e-mail of
    the person (``prefix``: the path to the user, e.g. ``"user__"``)."""
    condition = Q()
    for word in search.split():
        folded = Value(fold(word))
        condition &= (Q(Contains(_folded(f"{prefix}first_name"), folded))
                      | Q(Contains(_folded(f"{prefix}last_name"), folded))
                      | Q(**{f"{prefix}email__icontains": word}))
    return condition


def people_list(*, search: str = "", platform_role: str = "", tenant_id: int | None = None,
                with_access_only: bool = True) -> QuerySet[User]:
    """People, each with their live memberships (and tenants) prefetched in one query.

    ``search`` is the whole IDNP, or words of the name or e-mail (``person_matches``)."""
    people = User.objects.all()
    live = Membership.objects.filter(user=OuterRef("pk"), state__in=LIVE_STATES)
    if with_access_only:
        people = people.filter(Q(Exists(live)) | ~Q(platform_roles=[]))
    if platform_role:
        people = people.filter(platform_roles__contains=[platform_role])
    if tenant_id is not None:
        people = people.filter(Exists(live.filter(tenant_id=tenant_id)))
    search = search.strip()
    people = people.filter(Q(idnp=search) if search.isdigit() else person_matches(search))
    return people.prefetch_related(Prefetch(
        "memberships",
        queryset=Membership.objects.filter(state__in=LIVE_STATES).select_related("tenant")
        .order_by("tenant__name"),
        to_attr="live_memberships",
    )).order_by("last_name", "first_name", "pk")


def person_get(*, pk: int) -> User:
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound(_("Persoana nu a fost găsită."), code="person_not_found")
    return person


def person_memberships(*, user: User) -> list[Membership]:
    """Every membership the person ever had, live ones first."""
    memberships = (Membership.objects.filter(user=user)
                   .select_related("tenant", "granted_by", "ended_by")
                   .order_by("tenant__name"))
    return sorted(memberships, key=lambda m: m.state not in LIVE_STATES)


def person_recent_sessions(*, user: User) -> list[SignInSession]:
    return list(SignInSession.objects.filter(user=user).select_related("tenant")
                .order_by("-started_at")[:RECENT_SIGN_INS])


def membership_institution_limits(
        memberships: Iterable[Membership]) -> dict[int, list[Institution]]:
    """The institutions each limited membership may serve, keyed by membership id: one query
    per hub concerned (the grants live in its schema), plus one for the institutions."""
    by_schema: dict[str, list[Membership]] = defaultdict(list)
    for membership in memberships:
        if membership.limited_to_institutions:
            by_schema[membership.tenant.schema_name].append(membership)
    granted: dict[int, frozenset[int]] = {}
    for schema, group in by_schema.items():
        scopes = membership_scopes(tenant_schema=schema, user_ids=[m.user_id for m in group])
        granted.update({m.pk: scopes.get(m.user_id, frozenset()) for m in group})
    names = Institution.objects.in_bulk({pk for pks in granted.values() for pk in pks})
    return {membership_pk: sorted((names[pk] for pk in pks if pk in names),
                                  key=lambda institution: institution.name)
            for membership_pk, pks in granted.items()}
