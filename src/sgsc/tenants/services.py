"""Writes over tenants: the platform's own rows, creating a tenant, changing its status."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.shared_apps.audit.services import audit_record
from sgsc.tenants.models import Domain, Tenant, schema_name_for_slug, validate_slug

TEMPLATE_SLUG = "template"

_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Tenant.Status.PROVISIONING: frozenset({Tenant.Status.ACTIVE, Tenant.Status.TERMINATED}),
    Tenant.Status.ACTIVE: frozenset({Tenant.Status.SUSPENDED, Tenant.Status.TERMINATED}),
    Tenant.Status.SUSPENDED: frozenset({Tenant.Status.ACTIVE, Tenant.Status.TERMINATED}),
    Tenant.Status.TERMINATED: frozenset(),
}


def tenant_host_for(*, slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


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


def tenant_create(*, slug: str, name: str, kind: str,
                  status: str = Tenant.Status.PROVISIONING) -> Tenant:
    """Create a tenant row, its host ``<slug>.<base domain>`` and its schema (cloned)."""
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
    tenant = Tenant(schema_name=schema_name_for_slug(slug), slug=slug, name=name.strip(),
                    kind=kind, status=status)
    # The schema is created outside the row's transaction by django-tenants; the domain and
    # the audit event go together with the row.
    tenant.save(verbosity=0)
    with transaction.atomic():
        Domain.objects.create(domain=tenant_host_for(slug=slug), tenant=tenant, is_primary=True)
        audit_record(action="tenant.create", tenant=None, object_type="tenant",
                     object_id=tenant.pk, details={"slug": slug, "kind": kind, "status": status})
    return tenant


def tenant_set_status(*, tenant: Tenant, status: str, reason: str) -> Tenant:
    """Move a tenant along its lifecycle; every change states a reason and is audited."""
    if status not in Tenant.Status.values:
        raise InvalidInput(_("Stare necunoscută."), code="invalid_status")
    if not reason.strip():
        raise InvalidInput(_("Motivul este obligatoriu."), code="reason_required",
                           fields={"reason": [_("Câmp obligatoriu.")]})
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if status not in _ALLOWED_TRANSITIONS[locked.status]:
            raise Conflict(
                _("Trecerea din „%(current)s” în „%(target)s” nu este permisă.")
                % {"current": locked.get_status_display(), "target": status},
                code="invalid_transition",
            )
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit_record(action="tenant.status.change", tenant=None, object_type="tenant",
                     object_id=locked.pk,
                     details={"from": previous, "to": status, "reason": reason.strip()})
    return locked
