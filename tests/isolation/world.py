"""The isolation proof's world: a victim tenant (prov-b) and a victim institution (Y, inside
the hub) seeded with one object of every kind, each carrying a unique marker; the attackers
(a member of prov-a holding every tenant role, an ``l1_operator`` of the hub limited to
institution X); the identifiers an attacker would try; and fingerprints of the victims' data.

Identifiers are made unambiguous first: every sequence of the public, prov-b and hub schemas
jumps to its own range (``_spread_sequences``), so an id taken from the victim names exactly
one row, the victim's, and never one of the attacker's own rows (which would make a
legitimate 200 look like a leak).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.utils import timezone
from django_tenants.utils import schema_context
from guardian.models import GroupObjectPermission, UserObjectPermission

from sgsc.billing.statements.models import Statement
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.platform.signals import SESSION_TENANT_KEY
from sgsc.provisioning.onboarding.models import ProvisioningJob
from sgsc.provisioning.onboarding.services import activation_link_issue
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.shared_apps.identity.services import (
    api_token_issue,
    membership_grant,
    membership_revoke,
    sign_in_session_register,
)
from sgsc.shared_apps.institutions.models import (
    HubAgreement,
    HubAmendment,
    HubMembership,
    Institution,
)
from sgsc.tenant_apps.telephony.services import connector_issue
from sgsc.tenant_apps.tickets.models import JournalEntry, Ticket
from sgsc.tenant_apps.workspace.services import workspace_profile_update
from sgsc.tenants.models import Tenant
from tests.factories import InstitutionFactory, UserFactory
from tests.isolation.routes import Candidate
from tests.isolation.world_telephony import (
    hub_phone_rows,
    seed_hub_telephony_of,
    seed_prov_b_telephony,
)
from tests.isolation.world_tickets import seed_hub_ticket_of, seed_prov_b_tickets
from tests.provisioning.onboarding.helpers import make_signed_contract, valid_idnp

ALL_TENANT_ROLES = sorted(role.value for role in TenantRole)
SEQUENCE_BASE = 40_000_000
SEQUENCE_STRIDE = 1_000_000


def new_marker(prefix: str) -> str:
    return f"SECRET-{prefix}-{uuid.uuid4().hex[:12].upper()}"


# --- sessions --------------------------------------------------------------------------------

def session_for(user: User, *, schema: str) -> str:
    """A session as a sign-in on ``schema``'s host leaves it (bound to that host)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_TENANT_KEY] = schema
    store.create()
    return str(store.session_key)


# --- fingerprints ----------------------------------------------------------------------------

def _digest(rows: Any) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _schema_tables(schema: str) -> dict[str, str]:
    """A digest of every table of a tenant schema, rows included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = %s AND table_type = 'BASE TABLE' "
                       "ORDER BY table_name", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        digests = {}
        for table in tables:
            cursor.execute(
                f'SELECT md5(coalesce(string_agg(t::text, %s ORDER BY t::text), %s)) '  # noqa: S608
                f'FROM "{schema}"."{table}" t', ["|", ""])
            digests[f"{schema}.{table}"] = cursor.fetchone()[0]
    return digests


def tenant_foreign_keys() -> list[tuple[type[models.Model], str]]:
    """Every (public model, field) pointing at a tenant, ``related_name="+"`` ones included
    (a tenant app's model naming another tenant, like an external L3 team, lives in a tenant
    schema and is seeded there)."""
    found = []
    tenant_only = set(settings.TENANT_APPS) - set(settings.SHARED_APPS)
    for model in apps.get_models():
        if model._meta.app_config.name in tenant_only:
            continue
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is Tenant:
                found.append((model, model_field.name))
    return found


def _rows(queryset: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    return list(queryset.order_by("pk").values_list())


@dataclass
class Snapshot:
    digests: dict[str, str]
    audit_ids: frozenset[int]

    def differences(self, later: Snapshot, *, chain: str | None) -> list[str]:
        changed = sorted(name for name in self.digests.keys() | later.digests.keys()
                         if self.digests.get(name) != later.digests.get(name))
        lost = self.audit_ids - later.audit_ids
        if lost:
            changed.append(f"audit events removed: {sorted(lost)}")
        if chain is not None:
            # The log grows by the refusals it records; anything else there is an action
            # that succeeded on the victim's side.
            added = AuditEvent.objects.filter(chain=chain).exclude(pk__in=self.audit_ids)
            succeeded = list(added.exclude(outcome=AuditEvent.Outcome.FAILURE)
                             .values_list("action", "object_type", "object_id"))
            if succeeded:
                changed.append(f"successful actions recorded on chain {chain}: {succeeded}")
        return changed


# --- the victims -----------------------------------------------------------------------------

@dataclass
class Victim:
    """Whose data must stay out of reach, and the ways an attacker could name it."""

    label: str
    tenant: Tenant
    markers: tuple[str, ...]
    candidates: list[Candidate]
    json_body: dict[str, Any]
    query_probes: list[dict[str, str]]
    fingerprint: Callable[[], Snapshot]
    chain: str | None  # the audit chain where only refusals may be added
    ids: dict[str, int]  # a few seeded ids by kind, for the task checks

    def leaked(self, text: str) -> list[str]:
        lowered = text.lower()
        return [marker for marker in self.markers if marker.lower() in lowered]


@dataclass
class Attacker:
    label: str
    user: User
    tenant: Tenant
    roles: tuple[str, ...]
    api_key: str
    # The key of a PBX connector of the attacker's tenant ("" when none): valid at home for
    # the call-events endpoint, it must count for nothing on any other host.
    connector_key: str = ""


@dataclass
class World:
    prov_a: Tenant
    prov_b: Tenant
    hub: Tenant
    victim_b: Victim
    victim_y: Victim
    attacker_a: Attacker
    operator_x: Attacker
    snapshot_b: Snapshot
    snapshot_y: Snapshot
    institution_x: Institution
    institution_y: Institution


def _spread_sequences(schemas: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, sequencename, coalesce(last_value, 0), max_value "
                       "FROM pg_sequences WHERE schemaname = ANY(%s) "
                       "ORDER BY schemaname, sequencename", [schemas])
        for index, (schema, name, last, maximum) in enumerate(cursor.fetchall()):
            base = SEQUENCE_BASE + index * SEQUENCE_STRIDE
            if last < base <= maximum:
                cursor.execute("SELECT setval(%s, %s)", [f'"{schema}"."{name}"', base])


def _int(value: int, label: str) -> Candidate:
    return Candidate(value=str(value), label=label)


def _seed_prov_b(*, tenant: Tenant, marker: str, age_admin: User, hub: Tenant) -> Victim:
    admin_b = UserFactory(first_name=marker, last_name=marker, email=f"admin-{uuid.uuid4().hex[:8]}@b.test",
                          idnp=valid_idnp(7_000_001), phone="+37360000001")
    leaver_b = UserFactory(first_name=marker, last_name="Plecat")
    membership = membership_grant(actor=age_admin, tenant=tenant, user=admin_b,
                                  roles=ALL_TENANT_ROLES)
    leaver = membership_grant(actor=age_admin, tenant=tenant, user=leaver_b,
                              roles=["l1_operator"])
    membership_revoke(actor=age_admin, membership=leaver, reason="employment_ended",
                      note=marker)

    session_key = session_for(admin_b, schema=tenant.schema_name)
    sign_in = sign_in_session_register(session_key=session_key, user=admin_b, tenant=tenant,
                                       method="password", ip="10.9.9.9", user_agent=marker)
    token, api_key = api_token_issue(user=admin_b, tenant=tenant, name=marker, valid_days=30)
    link, activation_token = activation_link_issue(user=leaver_b, tenant=tenant)
    contract = make_signed_contract(slug=tenant.slug)
    contract.institution.name = marker
    contract.institution.save(update_fields=["name"])
    contract.request.contact_name = marker
    contract.request.save(update_fields=["contact_name"])
    contract.tenant = tenant
    contract.save(update_fields=["tenant"])
    job = ProvisioningJob.objects.create(contract=contract, tenant=tenant, attempts=1,
                                         status=ProvisioningJob.Status.DONE)
    usage = UsageRecord.objects.create(tenant=tenant, day=date(2026, 1, 12), metric=Metric.SEATS,
                                       quantity=Decimal(2), source={"note": marker},
                                       computed_at=timezone.now())
    statement = Statement.objects.create(
        contract=contract, tenant=tenant, month=date(2026, 1, 1), period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31), net_amount=Decimal(100), vat_amount=Decimal(20),
        total=Decimal(120), void_reason=marker)
    event = audit_record(action="isolation.seed", tenant=tenant, actor=admin_b,
                           object_type="probe", object_id=marker, details={"note": marker})
    with schema_context(tenant.schema_name):
        workspace_profile_update(display_name=marker, support_email="suport@b.test",
                                 support_phone="+37360000002")
        group = Group.objects.create(name=marker)
        # Natural keys, not get_for_model(): Django's content-type cache is not per schema.
        group_type = ContentType.objects.filter(app_label="auth", model="group").get()
        change_group = Permission.objects.get(content_type=group_type, codename="change_group")
        user_grant = UserObjectPermission.objects.create(
            user=admin_b, permission=change_group, content_type=group_type,
            object_pk=str(group.pk))
        group_grant = GroupObjectPermission.objects.create(
            group=group, permission=change_group, content_type=group_type,
            object_pk=str(group.pk))

    candidates = [
        _int(admin_b.pk, "B's administrator (user)"),
        _int(membership.pk, "B's membership"),
        _int(leaver.pk, "B's revoked membership"),
        _int(sign_in.pk, "B's sign-in session"),
        _int(token.pk, "B's API token"),
        _int(link.pk, "B's activation link"),
        _int(contract.pk, "B's contract"),
        _int(contract.request_id, "B's connection request"),
        _int(job.pk, "B's provisioning job"),
        _int(usage.pk, "B's usage record"),
        _int(statement.pk, "B's statement"),
        _int(contract.institution_id, "B's institution"),
        _int(group.pk, "a group in B's schema"),
        _int(user_grant.pk, "a user object permission in B's schema"),
        _int(group_grant.pk, "a group object permission in B's schema"),
        _int(event.pk, "an audit event on B's chain"),
        Candidate(tenant.slug, "B's slug"),
        Candidate(tenant.schema_name, "B's schema"),
        Candidate(str(tenant.pk), "B's tenant id"),
        Candidate(contract.request.number, "B's connection request number"),
        Candidate(contract.number, "B's contract number"),
        Candidate(contract.institution.idno, "B's institution IDNO"),
        Candidate(str(admin_b.idnp), "B's administrator IDNP"),
        Candidate(admin_b.email, "B's administrator e-mail"),
        Candidate(token.prefix, "B's API token prefix"),
        Candidate(activation_token, "B's activation token", secret=True),
        Candidate(session_key, "B's session key", secret=True),
        Candidate(api_key, "B's API key", secret=True),
        *seed_prov_b_tickets(tenant=tenant, admin=admin_b, marker=marker,
                             idnp=valid_idnp(7_000_002), l3_tenant=hub),
    ]
    phone = seed_prov_b_telephony(tenant=tenant, admin=admin_b, marker=marker)
    candidates = _unique([*candidates, *phone.candidates])

    def fingerprint() -> Snapshot:
        # A request leaves the connection in its host's schema: read the public rows there.
        connection.set_schema_to_public()
        digests = _schema_tables(tenant.schema_name)
        for model, name in tenant_foreign_keys():
            if model is AuditEvent:
                continue
            digests[f"{model._meta.label}.{name}=B"] = _digest(
                _rows(model.objects.filter(**{name: tenant})))
        digests["tenants.Tenant(B)"] = _digest(_rows(Tenant.objects.filter(pk=tenant.pk)))
        digests["identity.User(B)"] = _digest(_rows(User.objects.filter(
            pk__in=[admin_b.pk, leaver_b.pk])))
        digests["sessions.Session(B)"] = _digest(_rows(Session.objects.filter(
            session_key=session_key)))
        digests["B's request, institution"] = _digest([
            _rows(type(contract.request).objects.filter(pk=contract.request_id)),
            _rows(Institution.objects.filter(pk=contract.institution_id))])
        digests["guardian.UserObjectPermission(public, B's users)"] = _digest(_rows(
            UserObjectPermission.objects.filter(user_id__in=[admin_b.pk, leaver_b.pk])))
        return Snapshot(digests=digests, audit_ids=frozenset(
            AuditEvent.objects.filter(chain=tenant.schema_name).values_list("pk", flat=True)))

    json_body = {
        "id": membership.pk, "pk": membership.pk, "user": admin_b.pk, "user_id": admin_b.pk,
        "membership": membership.pk, "token": token.pk, "tenant": tenant.slug,
        "institution": contract.institution_id, "roles": ALL_TENANT_ROLES,
        "reason": "employment_ended", "note": "isolation probe", "name": "isolation probe",
        **phone.json_body,
    }
    query_probes = [{"tenant": tenant.slug},
                    {"tenant": tenant.schema_name, "actor_id": str(admin_b.pk),
                     "user": str(admin_b.pk), "object_id": str(membership.pk),
                     "membership": str(membership.pk)},
                    phone.query_probe]
    return Victim(label="prov-b", tenant=tenant, markers=(marker,), candidates=candidates,
                  json_body=json_body, query_probes=query_probes, fingerprint=fingerprint,
                  chain=tenant.schema_name,
                  ids={"contract": contract.pk, "membership": membership.pk,
                       "user": admin_b.pk, "token": token.pk, "audit_event": event.pk})


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.value, candidate)
    return list(seen.values())


def _seed_hub(*, hub: Tenant, marker: str, age_admin: User) -> tuple[Victim, Attacker,
                                                                    Institution, Institution]:
    coordinator = InstitutionFactory(name="Coordonatorul hubului (izolare)")
    institution_x = InstitutionFactory(name="Instituția X (izolare)")
    institution_y = InstitutionFactory(name=marker, address=marker)
    agreement = HubAgreement.objects.create(hub=hub, coordinator=coordinator,
                                            number="AI-IZOLARE", signed_on=date(2026, 1, 15))
    original = HubAmendment.objects.create(agreement=agreement, number="AI-IZOLARE",
                                           signed_on=date(2026, 1, 15))
    HubMembership.objects.create(hub=hub, institution=institution_x, joined_by=original)
    served_y = HubMembership.objects.create(hub=hub, institution=institution_y,
                                            joined_by=original)

    operator = UserFactory(first_name="Operatorul X")
    membership_grant(actor=age_admin, tenant=hub, user=operator, roles=["l1_operator"],
                     institution_ids=[institution_x.pk])
    _token, operator_key = api_token_issue(user=operator, tenant=hub, name="probe")
    serving_y = UserFactory(first_name=marker)
    membership_y = membership_grant(actor=age_admin, tenant=hub, user=serving_y,
                                    roles=["l1_operator"], institution_ids=[institution_y.pk])
    with schema_context(hub.schema_name):
        grants_y = list(UserObjectPermission.objects.filter(object_pk=str(institution_y.pk))
                        .values_list("pk", flat=True))
    tickets_y = seed_hub_ticket_of(hub=hub, user=serving_y, institution=institution_y,
                                   marker=marker, idnp=valid_idnp(7_000_003))
    phone_y = seed_hub_telephony_of(hub=hub, actor=age_admin, institution=institution_y,
                                    marker=marker)

    candidates = _unique([
        _int(institution_y.pk, "institution Y"),
        _int(served_y.pk, "the hub's membership row of Y"),
        _int(serving_y.pk, "a person serving only Y (user)"),
        _int(membership_y.pk, "the membership of a person serving only Y"),
        *[_int(pk, "an object permission on Y in the hub's schema") for pk in grants_y],
        Candidate(institution_y.idno, "Y's IDNO"),
        Candidate(serving_y.email, "the e-mail of a person serving only Y"),
        *tickets_y,
        *phone_y.candidates,
    ])

    def fingerprint() -> Snapshot:
        connection.set_schema_to_public()
        with schema_context(hub.schema_name):
            grants = _rows(UserObjectPermission.objects.filter(object_pk=str(institution_y.pk)))
            tickets = _rows(Ticket.objects.filter(institution=institution_y))
            journal = _rows(JournalEntry.objects.filter(ticket__institution=institution_y))
            phones = {name: _digest(rows) for name, rows in hub_phone_rows(institution_y).items()}
        return Snapshot(digests={
            **phones,
            "institutions.Institution(Y)": _digest(_rows(Institution.objects.filter(
                pk=institution_y.pk))),
            "institutions.HubMembership(Y)": _digest(_rows(HubMembership.objects.filter(
                institution=institution_y))),
            "identity.Membership(serving Y)": _digest(_rows(Membership.objects.filter(
                user=serving_y))),
            "identity.User(serving Y)": _digest(_rows(User.objects.filter(pk=serving_y.pk))),
            "guardian.UserObjectPermission(Y, hub schema)": _digest(grants),
            "tickets.Ticket(Y, hub schema)": _digest(tickets),
            "tickets.JournalEntry(Y, hub schema)": _digest(journal),
        }, audit_ids=frozenset())

    victim = Victim(
        label="institution Y", tenant=hub, markers=(marker,), candidates=candidates,
        json_body={"id": institution_y.pk, "pk": institution_y.pk,
                   "institution": institution_y.pk, "institution_id": institution_y.pk,
                   "institutions": [institution_y.pk], "user": serving_y.pk,
                   "membership": membership_y.pk, "name": "isolation probe",
                   **phone_y.json_body},
        query_probes=[{"institution": str(institution_y.pk)},
                      {"institution_id": str(institution_y.pk), "institutie": str(institution_y.pk),
                       "idno": institution_y.idno},
                      phone_y.query_probe],
        fingerprint=fingerprint, chain=None,
        ids={"institution": institution_y.pk, "membership": membership_y.pk})
    attacker = Attacker(label="hub l1_operator limited to institution X", user=operator,
                        tenant=hub, roles=("l1_operator",), api_key=operator_key)
    return victim, attacker, institution_x, institution_y


def world_build() -> World:
    tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=["prov-a", "prov-b",
                                                                    "hub-test"])}
    prov_a, prov_b, hub = tenants["prov-a"], tenants["prov-b"], tenants["hub-test"]
    _spread_sequences(["public", prov_b.schema_name, hub.schema_name])
    age_admin = UserFactory(platform_roles=["age_admin"])
    victim_b = _seed_prov_b(tenant=prov_b, marker=new_marker("B"), age_admin=age_admin, hub=hub)
    victim_y, operator_x, institution_x, institution_y = _seed_hub(
        hub=hub, marker=new_marker("Y"), age_admin=age_admin)

    attacker = UserFactory(first_name="Atacatorul A")
    Membership.objects.create(user=attacker, tenant=prov_a, roles=ALL_TENANT_ROLES)
    _token, attacker_key = api_token_issue(user=attacker, tenant=prov_a, name="probe")
    with schema_context(prov_a.schema_name):
        _connector, connector_key = connector_issue(actor=attacker, name="PBX probe")
    # Every schema seeds priorities 1-4: ids as small as the tenants' own, so "B's tenant id"
    # would name one of the attacker's priorities. Move them out of that range.
    with schema_context(prov_a.schema_name), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("UPDATE catalog_priorityrule SET priority_id = priority_id + 30000000")
        cursor.execute("UPDATE catalog_priority SET id = id + 30000000")
    connection.set_schema_to_public()
    return World(
        prov_a=prov_a, prov_b=prov_b, hub=hub, victim_b=victim_b, victim_y=victim_y,
        attacker_a=Attacker(label="prov-a member with every tenant role", user=attacker,
                            tenant=prov_a, roles=tuple(ALL_TENANT_ROLES),
                            api_key=attacker_key, connector_key=connector_key),
        operator_x=operator_x, snapshot_b=victim_b.fingerprint(),
        snapshot_y=victim_y.fingerprint(), institution_x=institution_x,
        institution_y=institution_y)
