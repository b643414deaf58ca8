"""Writes over tenants: the platform's own rows, creating a tenant, its lifecycle, its export."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.models import TenantMixin
from django_tenants.signals import post_schema_sync
from django_tenants.utils import (
    get_creation_fakes_migrations,
    schema_context,
    schema_exists,
    tenant_context,
)

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.services import memberships_follow_tenant
from sgsc.shared_apps.institutions.models import Institution
from sgsc.tenants.models import Domain, Tenant, schema_name_for_slug, validate_slug

TEMPLATE_SLUG = "template"

_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Tenant.Status.PROVISIONING: frozenset({Tenant.Status.ACTIVE, Tenant.Status.TERMINATED}),
    Tenant.Status.ACTIVE: frozenset({Tenant.Status.SUSPENDED, Tenant.Status.TERMINATED}),
    Tenant.Status.SUSPENDED: frozenset({Tenant.Status.ACTIVE, Tenant.Status.TERMINATED}),
    Tenant.Status.TERMINATED: frozenset(),
}
# Suspension and termination take away access: they need the legal basis (Annex 2 §37).
_NEEDS_LEGAL_BASIS = frozenset({Tenant.Status.SUSPENDED, Tenant.Status.TERMINATED})


def tenant_host_for(*, slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _url_scheme() -> str:
    configured: str = getattr(settings, "TENANT_URL_SCHEME", "")
    if configured:
        return configured
    # Development names (RFC 6761: localhost, .test) never have public certificates.
    domain = settings.BASE_DOMAIN
    if settings.DEBUG or domain == "localhost" or domain.endswith((".localhost", ".test")) \
            or domain == "test":
        return "http"
    return "https"


def _absolute_url(host: str, path: str) -> str:
    port: str = str(getattr(settings, "TENANT_URL_PORT", "") or "")
    return f"{_url_scheme()}://{host}{':' + port if port else ''}{path}"


def tenant_url(*, slug: str, path: str = "/") -> str:
    """Absolute URL on a tenant's host, as sent by e-mail (activation link, access package)."""
    return _absolute_url(tenant_host_for(slug=slug), path)


def public_url(*, path: str = "/") -> str:
    """Absolute URL on the public host, as sent by e-mail (a connection request's answer
    link)."""
    return _absolute_url(settings.PUBLIC_HOST, path)


def platform_bootstrap() -> Tenant:
    """Make sure the public tenant, its host and the template schema exist. Idempotent."""
    public, _ = Tenant.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={"slug": "age", "name": "Agenția de Guvernare Electronică",
                  "kind": Tenant.Kind.PLATFORM, "status": Tenant.Status.ACTIVE},
    )
    Domain.objects.get_or_create(domain=settings.PUBLIC_HOST,
                                 defaults={"tenant": public, "is_primary": True})
    if not Tenant.objects.filter(is_template=True).exists():
        # Created by migrating (no template exists yet to clone from); migrate_schemas keeps it
        # current because it is an ordinary tenant row.
        template = Tenant(schema_name=settings.TENANT_BASE_SCHEMA, slug=TEMPLATE_SLUG,
                          name="Șablon de schemă", kind=Tenant.Kind.PROVIDER,
                          status=Tenant.Status.PROVISIONING, is_template=True)
        template.save(verbosity=0)
    return public


def _check_new_tenant(*, slug: str, name: str, kind: str) -> None:
    try:
        validate_slug(slug)
    except ValidationError as error:
        raise InvalidInput(str(error.messages[0]), code=error.code or "invalid_slug",
                           fields={"slug": list(error.messages)}) from error
    if kind not in (Tenant.Kind.PROVIDER, Tenant.Kind.HUB):
        raise InvalidInput(_("Tipul trebuie să fie „provider” sau „hub”."), code="invalid_kind",
                           fields={"kind": [_("Valoare nepermisă.")]})
    if not name.strip():
        raise InvalidInput(_("Denumirea este obligatorie."), code="required",
                           fields={"name": [_("Câmp obligatoriu.")]})
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(_("Identificatorul „%(slug)s” este deja folosit.") % {"slug": slug},
                       code="slug_taken")


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _catalog(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _execute_all(statements: list[str]) -> None:
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(statements))


def _index_names(schema: str) -> dict[tuple[str, str], list[str]]:
    """Index names by (table, definition without the index's and the schema's names)."""
    found: dict[tuple[str, str], list[str]] = {}
    for index, table, definition in _catalog(
            "SELECT i.relname, t.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = %s::regnamespace", [schema]):
        shape = (definition.replace(f" {_quote(index)} ON ", " ON ")
                 .replace(f" {index} ON ", " ON ").replace(f" {schema}.", " "))
        found.setdefault((table, shape), []).append(index)
    return found


def schema_clone_supported(source: str) -> bool:
    """Whether ``schema_clone`` copies everything ``source`` holds: tables, their indexes,
    constraints, sequences, triggers and the functions they call (plain functions, no
    aggregates or procedures); no views or types of its own."""
    kinds = {kind for (kind,) in _catalog(
        "SELECT DISTINCT relkind FROM pg_class WHERE relnamespace = %s::regnamespace",
        [source])}
    others = _catalog(
        "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = %s::regnamespace "
        " AND prokind <> 'f') + "
        "(SELECT count(*) FROM pg_type t WHERE typnamespace = %s::regnamespace "
        " AND typrelid = 0 AND typcategory <> 'A')", [source, source])[0][0]
    return kinds <= {"r", "i", "S"} and not others


def schema_clone(*, source: str, target: str) -> None:
    """Create schema ``target`` as a copy of ``source``: tables with their columns, defaults,
    identities, checks and indexes (``LIKE ... INCLUDING ALL``), the same index and constraint
    names, foreign keys (to tables of ``target`` or of public), triggers, rows and sequence
    positions. Call in the public schema, inside the caller's transaction.

    Every catalogue query is limited to ``source``, so the time stays at 0.05-0.1 s whatever
    the number of schemas. django-tenants' ``clone_schema`` function (a generic plpgsql
    cloner) took 0.15-0.4 s, grew to about 1 s per tenant when a process created 100 tenants
    one after another, and renames unique constraints (``..._key`` instead of Django's
    ``..._uniq``); see bench/provisioning.py and tests/tenants/test_schema_clone.py.
    """
    src, dst = _quote(source), _quote(target)
    tables = [name for (name,) in _catalog(
        "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r' "
        "ORDER BY relname", [source])]
    _execute_all([f"CREATE SCHEMA {dst}"] + [
        f"CREATE TABLE {dst}.{_quote(t)} (LIKE {src}.{_quote(t)} INCLUDING ALL)"
        for t in tables])
    # LIKE names the copied indexes (and so their unique and primary-key constraints) itself;
    # migrations find constraints by name, so the names must be the template's.
    wanted, present = _index_names(source), _index_names(target)
    statements = [
        f"ALTER INDEX {dst}.{_quote(names[0])} RENAME TO {_quote(wanted[key][0])}"
        for key, names in present.items()
        if len(names) == 1 and len(wanted.get(key, [])) == 1 and names[0] != wanted[key][0]
    ]
    # The functions the triggers call (e.g. the journal's append-only guard), before them.
    for (definition,) in _catalog(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
            "WHERE p.pronamespace = %s::regnamespace ORDER BY p.proname", [source]):
        statements.append(definition.replace(f"FUNCTION {source}.", f"FUNCTION {dst}.", 1))
    # With public as the search path, references to the source's tables come qualified.
    for table, name, definition in _catalog(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.connamespace = %s::regnamespace AND c.contype = 'f' ORDER BY 1, 2",
            [source]):
        statements.append(f"ALTER TABLE {dst}.{_quote(table)} ADD CONSTRAINT {_quote(name)} "
                          + definition.replace(f"{source}.", f"{target}."))
    for (definition,) in _catalog(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c "
            "ON c.oid = t.tgrelid WHERE c.relnamespace = %s::regnamespace "
            "AND NOT t.tgisinternal", [source]):
        statements.append(definition.replace(f" {source}.", f" {target}."))
    statements += [f"INSERT INTO {dst}.{_quote(t)} OVERRIDING SYSTEM VALUE "  # noqa: S608
                   f"SELECT * FROM {src}.{_quote(t)}" for t in tables]
    _execute_all(statements)
    positions = []
    for (sequence,) in _catalog("SELECT relname FROM pg_class WHERE relnamespace = "
                                "%s::regnamespace AND relkind = 'S'", [source]):
        last, called = _catalog(f"SELECT last_value, is_called FROM {src}.{_quote(sequence)}",  # noqa: S608
                                [])[0]
        positions.append(f"SELECT setval('{dst}.{_quote(sequence)}', {int(last)}, "
                         f"{'true' if called else 'false'})")
    _execute_all(positions)


def tenant_schema_create(*, slug: str, name: str, kind: str,
                         status: str = Tenant.Status.PROVISIONING,
                         institution: Institution | None = None) -> Tenant:
    """Create the tenant row and its schema (cloned from the template), without a host.

    One transaction (PostgreSQL DDL is transactional): a failure leaves neither row nor
    schema behind, and a caller's own atomic block makes it part of a larger step.
    """
    _check_new_tenant(slug=slug, name=name, kind=kind)
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        tenant = Tenant(schema_name=schema_name_for_slug(slug), slug=slug, name=name.strip(),
                        kind=kind, status=status, institution=institution)
        template = settings.TENANT_BASE_SCHEMA
        if get_creation_fakes_migrations() and schema_exists(template) \
                and schema_clone_supported(template):
            # The template's rows include its django_migrations: the copy is migrated too.
            tenant.auto_create_schema = False
            tenant.save(verbosity=0)
            schema_clone(source=template, target=tenant.schema_name)
            post_schema_sync.send(sender=TenantMixin, tenant=tenant.serializable_fields())
        else:  # django-tenants builds it (by migrating, or with its own clone function)
            tenant.save(verbosity=0)
        audit_record(action="tenant.create", tenant=None, object_type="tenant",
                     object_id=tenant.pk, details={"slug": slug, "kind": kind, "status": status})
    return tenant


def tenant_domain_ensure(*, tenant: Tenant) -> Domain:
    """The tenant's primary host ``<slug>.<base domain>``; running it again changes nothing."""
    host = tenant_host_for(slug=tenant.slug)
    with transaction.atomic():
        domain = Domain.objects.select_for_update().filter(domain=host).first()
        if domain is not None:
            if domain.tenant_id != tenant.pk:
                raise Conflict(_("Adresa %(host)s aparține altui spațiu.") % {"host": host},
                               code="host_taken")
            return domain
        domain = Domain.objects.create(domain=host, tenant=tenant, is_primary=True)
        audit_record(action="tenant.domain.create", tenant=None, object_type="tenant",
                     object_id=tenant.pk, details={"host": host})
    return domain


def tenant_create(*, slug: str, name: str, kind: str,
                  status: str = Tenant.Status.PROVISIONING,
                  institution: Institution | None = None) -> Tenant:
    """Create a tenant row, its schema (cloned) and its host ``<slug>.<base domain>``."""
    with transaction.atomic():
        tenant = tenant_schema_create(slug=slug, name=name, kind=kind, status=status,
                                      institution=institution)
        tenant_domain_ensure(tenant=tenant)
    return tenant


def tenant_set_status(*, tenant: Tenant, status: str, reason: str, legal_basis: str = "",
                      actor: User | None = None) -> Tenant:
    """Move a tenant along its lifecycle; every change states a reason and is audited, and
    so is every refusal.

    Suspension and termination also state their legal basis. Access follows (Annex 2 §37):
    suspension suspends every membership, reactivation restores them, termination revokes
    them; both end the sessions and API tokens open on the tenant's host. A terminated
    tenant's data stays in its schema, unreachable but exportable.
    """
    try:
        # Tenant rows are written from the public schema only (django-tenants refuses others).
        with schema_context(settings.PUBLIC_SCHEMA_NAME):
            return _tenant_set_status(tenant=tenant, status=status, reason=reason.strip(),
                                      legal_basis=legal_basis.strip(), actor=actor)
    except ApplicationError as error:
        audit_record(action="tenant.status.change", outcome=AuditEvent.Outcome.FAILURE,
                     tenant=None, actor=actor, object_type="tenant", object_id=tenant.pk,
                     details={"code": error.code, "to": status})
        raise


def _tenant_set_status(*, tenant: Tenant, status: str, reason: str, legal_basis: str,
                       actor: User | None) -> Tenant:
    if status not in Tenant.Status.values:
        raise InvalidInput(_("Stare necunoscută."), code="invalid_status")
    if not reason:
        raise InvalidInput(_("Motivul este obligatoriu."), code="reason_required",
                           fields={"reason": [_("Câmp obligatoriu.")]})
    if status in _NEEDS_LEGAL_BASIS and not legal_basis:
        raise InvalidInput(_("Temeiul legal este obligatoriu pentru suspendare și încetare."),
                           code="legal_basis_required",
                           fields={"legal_basis": [_("Câmp obligatoriu.")]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if locked.is_template or locked.is_public:
            raise Conflict(_("Starea acestui spațiu nu se schimbă."), code="invalid_transition")
        if status not in _ALLOWED_TRANSITIONS[locked.status]:
            raise Conflict(
                _("Trecerea din „%(current)s” în „%(target)s” nu este permisă.")
                % {"current": locked.get_status_display(), "target": status},
                code="invalid_transition",
            )
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        details: dict[str, Any] = {"from": previous, "to": status, "reason": reason,
                                   "legal_basis": legal_basis}
        details["access"] = memberships_follow_tenant(tenant=locked, status=status,
                                                      actor=actor)
        audit_record(action="tenant.status.change", tenant=None, actor=actor,
                     object_type="tenant", object_id=locked.pk, details=details)
        _contracts_follow(tenant=locked, status=status, reason=reason, legal_basis=legal_basis,
                          actor=actor)
    return locked


# A tenant's status and its contract's move together (Annex 2 §37: access follows the contract).
_CONTRACT_STATUS_FOR = {
    Tenant.Status.SUSPENDED: ("active",),
    Tenant.Status.ACTIVE: ("suspended",),
    Tenant.Status.TERMINATED: ("active", "suspended", "signed"),
}


def _contracts_follow(*, tenant: Tenant, status: str, reason: str, legal_basis: str,
                      actor: User | None) -> None:
    # Imported here: contracts build on tenants, not the other way round.
    from sgsc.provisioning.contracts.models import Contract
    from sgsc.provisioning.contracts.services import contract_set_status

    from_statuses = _CONTRACT_STATUS_FOR.get(Tenant.Status(status), ())
    for contract in Contract.objects.filter(tenant=tenant, status__in=from_statuses):
        contract_set_status(contract=contract, status=status, reason=reason,
                            legal_basis=legal_basis, actor=actor)


def _tenant_only_models() -> list[type[Any]]:
    """The models whose tables live only in tenant schemas (the tenant apps' own data)."""
    shared = set(settings.SHARED_APPS)
    models: list[type[Any]] = []
    for app_name in settings.TENANT_APPS:
        if app_name in shared:
            continue
        config = next(c for c in apps.get_app_configs() if c.name == app_name)
        models.extend(m for m in config.get_models() if not m._meta.proxy)
    return models


def tenant_export(*, tenant: Tenant, actor: User | None = None) -> tuple[str, bytes]:
    """A ZIP of JSON files: one per table of the tenant's apps, plus the tenant's public rows
    (the tenant, its hosts, its memberships). Read only; audited. Returns (file name, bytes).
    """
    exported_at = timezone.now()
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with tenant_context(tenant):
            for model in _tenant_only_models():
                rows = list(model._default_manager.order_by("pk"))
                label = model._meta.label_lower
                counts[label] = len(rows)
                archive.writestr(f"{label}.json",
                                 serializers.serialize("json", rows, indent=2))
        memberships = [
            {"email": m.user.email, "idnp": m.user.idnp, "name": m.user.get_full_name(),
             "roles": list(m.roles), "state": m.state, "valid_from": m.valid_from,
             "valid_until": m.valid_until}
            for m in Membership.objects.filter(tenant=tenant).select_related("user")
            .order_by("pk")
        ]
        counts["identity.membership"] = len(memberships)
        archive.writestr("memberships.json",
                         json.dumps(memberships, cls=DjangoJSONEncoder, indent=2,
                                    ensure_ascii=False))
        manifest = {
            "tenant": {"slug": tenant.slug, "name": tenant.name, "kind": tenant.kind,
                       "status": tenant.status, "schema": tenant.schema_name,
                       "institution_idno": tenant.institution.idno
                       if tenant.institution is not None else None,
                       "hosts": list(tenant.domains.values_list("domain", flat=True)),
                       "created_at": tenant.created_at},
            "exported_at": exported_at,
            "exported_by": actor.email if actor is not None else None,
            "tables": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder,
                                                     indent=2, ensure_ascii=False))
    audit_record(action="tenant.export", tenant=None, actor=actor, object_type="tenant",
                 object_id=tenant.pk, details={"slug": tenant.slug, "status": tenant.status,
                                               "tables": counts})
    stamp = timezone.localtime(exported_at).strftime("%Y%m%d-%H%M%S")
    return f"sgsc-{tenant.slug}-{stamp}.zip", buffer.getvalue()

