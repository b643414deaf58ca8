"""The periodic access review (Annex 2 §37): who holds which access, where, since when, and
which rows need a look (nobody signed in for a long time; temporary access about to end).

A tenant sees only its own memberships; AGE (``tenant=None``) sees every tenant and the
platform roles. The CSV is streamed in chunks with the institution limits read per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sgsc.shared_apps.identity.console_selectors import (
    LIVE_STATES,
    membership_institution_limits,
    person_matches,
)
from sgsc.shared_apps.identity.models import Membership, SignInSession, User
from sgsc.shared_apps.identity.roles import ROLE_LABELS
from sgsc.shared_apps.identity.selectors import idnp_masked
from sgsc.shared_apps.workdays.selectors import local_zone
from sgsc.tenants.models import Tenant

INACTIVE_AFTER_DAYS = 90
ENDING_WITHIN_DAYS = 7
CHUNK_SIZE = 500


class StateFilter:
    CURRENT = ""  # active and suspended: the access that exists
    ALL = "toate"
    ATTENTION = "atentie"


def _last_sign_in(tenant_field: str | None) -> Subquery:
    sessions = SignInSession.objects.filter(user=OuterRef("user_id" if tenant_field else "pk"))
    sessions = (sessions.filter(tenant=OuterRef(tenant_field)) if tenant_field
                else sessions.filter(tenant__isnull=True))
    return Subquery(sessions.order_by("-started_at").values("started_at")[:1],
                    output_field=DateTimeField())


def access_review_memberships(*, tenant: Tenant | None, tenant_id: int | None = None,
                              state: str = StateFilter.CURRENT,
                              search: str = "") -> QuerySet[Membership]:
    """The memberships to review: of ``tenant`` only, or (``tenant=None``) of every tenant,
    optionally one (``tenant_id``). Each carries ``last_sign_in`` on that tenant's host."""
    memberships = (Membership.objects.exclude(tenant__is_template=True)
                   .select_related("user", "tenant", "granted_by")
                   .annotate(last_sign_in=_last_sign_in("tenant_id")))
    if tenant is not None:
        memberships = memberships.filter(tenant=tenant)
    elif tenant_id is not None:
        memberships = memberships.filter(tenant_id=tenant_id)
    if state == StateFilter.ATTENTION:
        memberships = memberships.filter(_needs_attention(timezone.now()))
    elif state in Membership.State.values:
        memberships = memberships.filter(state=state)
    elif state != StateFilter.ALL:
        memberships = memberships.filter(state__in=LIVE_STATES)
    memberships = memberships.filter(person_matches(search, prefix="user__"))
    return memberships.order_by("tenant__name", "user__last_name", "user__first_name", "pk")


def _needs_attention(now: datetime) -> Q:
    inactive_since = now - timedelta(days=INACTIVE_AFTER_DAYS)
    return Q(state=Membership.State.ACTIVE) & (
        Q(valid_until__gt=now, valid_until__lte=now + timedelta(days=ENDING_WITHIN_DAYS))
        | Q(pk__in=Membership.objects.annotate(
            seen=Coalesce(_last_sign_in("tenant_id"), F("valid_from")))
            .filter(seen__lt=inactive_since).values("pk"))
    )


def access_review_platform_people(*, search: str = "", attention: bool = False) -> QuerySet[User]:
    """Holders of platform roles, each with ``last_sign_in`` on the public host; with
    ``attention``, only those not seen there for too long (platform roles have no end date)."""
    people = (User.objects.exclude(platform_roles=[])
              .annotate(last_sign_in=_last_sign_in(None)))
    if attention:
        inactive_since = timezone.now() - timedelta(days=INACTIVE_AFTER_DAYS)
        people = (people.annotate(seen=Coalesce("last_sign_in", F("date_joined")))
                  .filter(is_active=True, seen__lt=inactive_since))
    people = people.filter(person_matches(search))
    return people.order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class AccessReviewRow:
    membership_id: int | None  # None: platform roles
    user_id: int
    person: str
    email: str
    idnp_masked: str
    tenant_slug: str
    tenant_name: str
    roles: tuple[str, ...]
    institutions: tuple[str, ...] | None  # None: not limited
    valid_from: datetime
    valid_until: datetime | None
    state: str
    state_label: str
    granted_by: str
    last_sign_in: datetime | None
    days_since_sign_in: int | None
    inactive: bool
    ending_soon: bool

    @property
    def needs_attention(self) -> bool:
        return self.inactive or self.ending_soon

    @property
    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS.get(role, role)) for role in self.roles]


def _flags(*, now: datetime, active: bool, seen: datetime,
           valid_until: datetime | None) -> tuple[bool, bool]:
    if not active:
        return False, False
    inactive = now - seen > timedelta(days=INACTIVE_AFTER_DAYS)
    ending = valid_until is not None and now < valid_until <= now + timedelta(
        days=ENDING_WITHIN_DAYS)
    return inactive, ending


def access_review_rows(memberships: Iterable[Membership]) -> list[AccessReviewRow]:
    """Rows for memberships from ``access_review_memberships`` (one query per hub for the
    institution limits)."""
    memberships = list(memberships)
    limits = membership_institution_limits(memberships)
    now = timezone.now()
    rows = []
    for m in memberships:
        last: datetime | None = getattr(m, "last_sign_in", None)
        inactive, ending = _flags(now=now, active=m.state == Membership.State.ACTIVE,
                                  seen=last or m.valid_from, valid_until=m.valid_until)
        rows.append(AccessReviewRow(
            membership_id=m.pk, user_id=m.user_id, person=m.user.get_full_name(),
            email=m.user.email, idnp_masked=idnp_masked(m.user.idnp),
            tenant_slug=m.tenant.slug, tenant_name=m.tenant.name, roles=tuple(m.roles),
            institutions=(tuple(i.name for i in limits.get(m.pk, []))
                          if m.limited_to_institutions else None),
            valid_from=m.valid_from, valid_until=m.valid_until, state=m.state,
            state_label=str(m.get_state_display()),
            granted_by=str(m.granted_by) if m.granted_by else "",
            last_sign_in=last, days_since_sign_in=(now - last).days if last else None,
            inactive=inactive, ending_soon=ending,
        ))
    return rows


def access_review_platform_rows(people: Iterable[User]) -> list[AccessReviewRow]:
    now = timezone.now()
    platform = _("Platformă (AGE)")
    rows = []
    for user in people:
        last: datetime | None = getattr(user, "last_sign_in", None)
        inactive, _ending = _flags(now=now, active=user.is_active,
                                   seen=last or user.date_joined, valid_until=None)
        state = Membership.State.ACTIVE if user.is_active else Membership.State.SUSPENDED
        rows.append(AccessReviewRow(
            membership_id=None, user_id=user.pk, person=user.get_full_name(),
            email=user.email, idnp_masked=idnp_masked(user.idnp), tenant_slug="",
            tenant_name=platform, roles=tuple(user.platform_roles), institutions=None,
            valid_from=user.date_joined, valid_until=None, state=state,
            state_label=str(Membership.State(state).label), granted_by="",
            last_sign_in=last, days_since_sign_in=(now - last).days if last else None,
            inactive=inactive, ending_soon=False,
        ))
    return rows


# --- CSV ------------------------------------------------------------------------------------

def _local_time(value: datetime | None) -> str:
    return "" if value is None else timezone.localtime(value, local_zone()).strftime(
        "%Y-%m-%d %H:%M")


def csv_header() -> list[str]:
    return [_("Persoana"), _("E-mail"), _("IDNP (mascat)"), _("Spațiu"), _("Roluri"),
            _("Limitat la instituțiile"), _("Valabil de la (ora Chișinăului)"),
            _("Valabil până la (ora Chișinăului)"), _("Starea"), _("Acordat de"),
            _("Ultima autentificare (ora Chișinăului)"), _("Zile de la ultima autentificare"),
            _("Necesită atenție")]


def _csv_values(row: AccessReviewRow) -> list[Any]:
    attention = [label for flag, label in (
        (row.inactive, _("fără autentificare de %(days)s zile") % {"days": INACTIVE_AFTER_DAYS}),
        (row.ending_soon, _("accesul temporar se încheie curând"))) if flag]
    return [row.person, row.email, row.idnp_masked, row.tenant_name,
            ", ".join(row.role_labels),
            _("toate") if row.institutions is None else ", ".join(row.institutions),
            _local_time(row.valid_from), _local_time(row.valid_until), row.state_label,
            row.granted_by, _local_time(row.last_sign_in), row.days_since_sign_in,
            "; ".join(attention)]


def _chunked(iterator: Iterator[Membership]) -> Iterator[list[Membership]]:
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield chunk


def access_review_csv_rows(*, platform_people: QuerySet[User] | None,
                           memberships: QuerySet[Membership]) -> Iterator[list[Any]]:
    """The report's rows under ``csv_header``, read in chunks, in the request's language
    (Romanian first), times in Europe/Chisinau."""
    # The rows are read after the view has returned and the request's language is gone.
    language = translation.get_language()

    def rows() -> Iterator[list[Any]]:
        with translation.override(language):
            if platform_people is not None:
                for row in access_review_platform_rows(platform_people):
                    yield _csv_values(row)
            for chunk in _chunked(memberships.iterator(chunk_size=CHUNK_SIZE)):
                for row in access_review_rows(chunk):
                    yield _csv_values(row)

    return rows()
