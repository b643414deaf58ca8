"""Writes about people and their access: identities, memberships, sessions and API tokens.

Every grant, change, revocation and refusal is audited on the tenant's chain (invariant 3).
Ending access ends the person's sessions and API tokens on that host in the same transaction,
so the very next request is refused (Annex 2 §37).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import AccessDenied, ApplicationError, Conflict, InvalidInput
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import (
    ApiToken,
    Membership,
    RevocationReason,
    SignInSession,
    User,
)
from sgsc.shared_apps.identity.roles import (
    TENANT_ROLES,
    Capability,
    TenantRole,
    capabilities_for,
    role_is_grantable,
)
from sgsc.shared_apps.identity.scoping import membership_scope_ids, membership_scope_write
from sgsc.shared_apps.identity.selectors import grantor_capabilities
from sgsc.shared_apps.institutions.validators import validate_idnp
from sgsc.tenants.models import Tenant

SYSTEM_LABEL = "sistem"
ENDED_STATES = (Membership.State.REVOKED, Membership.State.EXPIRED)
# A person states one of these; the end of temporary access is the system's.
REVOCATION_REASONS_MANUAL = tuple(r for r in RevocationReason.values
                                  if r != RevocationReason.ACCESS_EXPIRED)


# --- identities -----------------------------------------------------------------------------

def _user_register(*, idnp: str, email: str, first_name: str, last_name: str, phone: str,
                   preferred_language: str, actor: User | None) -> User:
    idnp = idnp.strip()
    email = email.strip().lower()
    try:
        validate_idnp(idnp)
    except ValidationError as error:
        raise InvalidInput(_("IDNP-ul nu este valid."), code="invalid_idnp",
                           fields={"idnp": [str(m) for m in error.messages]}) from error
    existing = User.objects.filter(idnp=idnp).first()
    if existing is not None:
        return existing
    if preferred_language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Limba aleasă nu este disponibilă."), code="invalid_language",
                           fields={"preferred_language": [_("Alegeți ro, ru sau en.")]})
    if User.objects.filter(email=email).exists():
        raise Conflict(_("Adresa de e-mail aparține deja altei persoane."), code="email_taken",
                       fields={"email": [_("Adresa este deja folosită.")]})
    user = User.objects.create_user(email=email, idnp=idnp, first_name=first_name.strip(),
                                    last_name=last_name.strip(), phone=phone.strip(),
                                    preferred_language=preferred_language)
    user.set_unusable_password()  # people sign in through MPass
    user.save(update_fields=["password"])
    audit_record(action="identity.user.create", actor=actor, object_type="user",
                 object_id=user.pk, details={"email": user.email})
    return user


def user_register(*, idnp: str, email: str, first_name: str, last_name: str, phone: str = "",
                  preferred_language: str = "ro", actor: User | None = None) -> User:
    """The person with this IDNP, created if new. An existing person keeps their data (MPass
    refreshes it at each sign-in); an e-mail already used by someone else is refused."""
    try:
        with transaction.atomic():
            return _user_register(idnp=idnp, email=email, first_name=first_name,
                                  last_name=last_name, phone=phone,
                                  preferred_language=preferred_language, actor=actor)
    except ApplicationError as error:
        # The IDNP tried is personal data: the event keeps only why it was refused.
        audit_record(action="identity.user.create", outcome=AuditEvent.Outcome.FAILURE,
                     actor=actor, object_type="user", details={"code": error.code})
        raise


def personal_data_view_record(*, actor: User, subject_id: int, channel: str,
                              membership_id: int | None = None) -> None:
    """Someone was shown a person's data (MLog's personal-data view): who saw whose, where."""
    audit_record(action="personal_data.view", actor=actor, object_type="user",
                 object_id=subject_id, details={"membership": membership_id, "channel": channel})


# --- memberships ----------------------------------------------------------------------------

def _check_roles(*, roles: Collection[str], added: Collection[str],
                 grantor: frozenset[Capability]) -> list[str]:
    if not roles:
        raise InvalidInput(_("Alegeți cel puțin un rol."), code="roles_required",
                           fields={"roles": [_("Câmp obligatoriu.")]})
    unknown = sorted(set(roles) - TENANT_ROLES)
    if unknown:
        raise InvalidInput(_("Rol necunoscut: %(roles)s.") % {"roles": ", ".join(unknown)},
                           code="unknown_role", fields={"roles": unknown})
    refused = sorted(r for r in added if not role_is_grantable(role=r, grantor_capabilities=grantor))
    if refused:
        raise InvalidInput(
            _("Nu puteți acorda un rol cu drepturi pe care nu le dețineți: %(roles)s.")
            % {"roles": ", ".join(refused)},
            code="role_not_grantable", fields={"roles": refused})
    return sorted(set(roles))


def _check_scope(*, tenant: Tenant, roles: Collection[str],
                 institution_ids: Collection[int] | None) -> None:
    if institution_ids is None:
        return
    # Imported here: institutions' hub helpers import tenants, which import identity.
    from sgsc.provisioning.onboarding.hubs import hub_members_current

    if tenant.kind != Tenant.Kind.HUB:
        raise InvalidInput(_("Doar într-un hub accesul se limitează la anumite instituții."),
                           code="scope_not_hub")
    if Capability.INSTITUTIONS_ALL in capabilities_for(list(roles)):
        raise InvalidInput(_("Rolurile alese acoperă toate instituțiile hubului; accesul lor "
                             "nu se poate limita."), code="scope_conflicts_role")
    if not institution_ids:
        raise InvalidInput(_("Alegeți cel puțin o instituție."), code="institutions_required",
                           fields={"institutions": [_("Câmp obligatoriu.")]})
    members = set(hub_members_current(tenant).values_list("institution_id", flat=True))
    outside = sorted(set(institution_ids) - members)
    if outside:
        raise InvalidInput(_("Instituțiile alese nu sunt deservite de acest hub."),
                           code="institution_not_in_hub",
                           fields={"institutions": [str(pk) for pk in outside]})


def _check_validity(valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= timezone.now():
        raise InvalidInput(_("Data de încheiere a accesului trebuie să fie în viitor."),
                           code="invalid_validity",
                           fields={"valid_until": [_("Alegeți o dată viitoare.")]})


def _other_admins(membership: Membership) -> bool:
    now = timezone.now()
    return (Membership.objects.filter(tenant_id=membership.tenant_id, state=Membership.State.ACTIVE,
                                      roles__contains=[TenantRole.TENANT_ADMIN])
            .exclude(pk=membership.pk)
            .exclude(valid_until__lte=now)
            .exists())


def _check_not_last_admin(*, membership: Membership, grantor: frozenset[Capability]) -> None:
    # AGE may still act (e.g. a security violation); a tenant must not lock itself out.
    if Capability.ACCESS_ADMINISTER in grantor:
        return
    if TenantRole.TENANT_ADMIN in membership.roles and not _other_admins(membership):
        raise Conflict(_("Este ultimul administrator al spațiului: numiți mai întâi alt "
                         "administrator."), code="last_tenant_admin")


def _membership_grant(*, actor: User, tenant: Tenant, user: User, roles: Collection[str],
                      institution_ids: Collection[int] | None,
                      valid_until: datetime | None) -> Membership:
    grantor = grantor_capabilities(user=actor, tenant=tenant)
    if tenant.status == Tenant.Status.TERMINATED or tenant.is_template or tenant.is_public:
        raise Conflict(_("Acest spațiu nu mai primește membri."), code="tenant_unavailable")
    clean_roles = _check_roles(roles=roles, added=roles, grantor=grantor)
    _check_scope(tenant=tenant, roles=clean_roles, institution_ids=institution_ids)
    _check_validity(valid_until)
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            user=user, tenant=tenant,
            defaults={"roles": clean_roles, "granted_by": actor, "valid_until": valid_until})
        if not created and membership.state in (Membership.State.ACTIVE,
                                                Membership.State.SUSPENDED):
            raise Conflict(_("Persoana are deja acces în acest spațiu."),
                           code="membership_exists")
        if not created:
            membership.roles = clean_roles
            membership.state = Membership.State.ACTIVE
            membership.valid_from = timezone.now()
            membership.valid_until = valid_until
            membership.granted_by = actor
            membership.ended_at = membership.ended_by = None
            membership.end_reason = membership.end_note = ""
        if tenant.status == Tenant.Status.SUSPENDED:
            # Granted while the tenant is suspended: it starts with the tenant's reactivation.
            membership.state = Membership.State.SUSPENDED
            membership.end_reason = RevocationReason.CONTRACT_SUSPENDED
            membership.ended_at = timezone.now()
        membership.save()
        membership_scope_write(membership=membership, institution_ids=institution_ids)
        audit_record(action="membership.grant", actor=actor, tenant=tenant,
                     object_type="membership", object_id=membership.pk,
                     details={"user": user.pk, "roles": clean_roles,
                              "institutions": sorted(institution_ids or []) or None,
                              "valid_until": valid_until, "state": membership.state})
    return membership


def _check_manageable(*, membership: Membership, grantor: frozenset[Capability]) -> None:
    """Changing or ending access is granting's mirror: allowed only to whoever could grant
    every role the person holds (so a tenant administrator cannot dismiss the auditor AGE
    appointed to watch them, nor can someone without ``members.manage`` act at all)."""
    foreign = sorted(r for r in membership.roles
                     if not role_is_grantable(role=r, grantor_capabilities=grantor))
    if foreign:
        raise AccessDenied(
            _("Accesul acestei persoane include roluri pe care nu le puteți acorda: "
              "%(roles)s.") % {"roles": ", ".join(foreign)},
            code="membership_not_manageable")


def membership_grant(*, actor: User, tenant: Tenant, user: User, roles: Collection[str],
                     institution_ids: Collection[int] | None = None,
                     valid_until: datetime | None = None) -> Membership:
    """Give ``user`` access to ``tenant`` with ``roles``; optionally limited to some of a hub's
    institutions and until a date. A person whose access ended gets it anew."""
    with audited_refusal(action="membership.grant", actor=actor, tenant=tenant,
                         object_type="membership",
                         details={"user": user.pk, "roles": sorted(roles)}):
        return _membership_grant(actor=actor, tenant=tenant, user=user, roles=roles,
                                 institution_ids=institution_ids, valid_until=valid_until)


def member_add(*, actor: User, tenant: Tenant, idnp: str, email: str, first_name: str,
               last_name: str, phone: str = "", preferred_language: str = "ro",
               roles: Collection[str], institution_ids: Collection[int] | None = None,
               valid_until: datetime | None = None) -> Membership:
    """Register the person by IDNP (or find them) and grant access, all or nothing: a refused
    grant leaves no new identity behind."""
    with (audited_refusal(action="membership.grant", actor=actor, tenant=tenant,
                          object_type="membership", details={"roles": sorted(roles)}),
          transaction.atomic()):
        user = _user_register(idnp=idnp, email=email, first_name=first_name,
                              last_name=last_name, phone=phone,
                              preferred_language=preferred_language, actor=actor)
        return _membership_grant(actor=actor, tenant=tenant, user=user, roles=roles,
                                 institution_ids=institution_ids, valid_until=valid_until)


def membership_update(*, actor: User, membership: Membership, roles: Collection[str],
                      institution_ids: Collection[int] | None = None,
                      valid_until: datetime | None = None) -> Membership:
    """Change a membership's roles, institution limit and end date."""
    tenant = membership.tenant
    grantor = grantor_capabilities(user=actor, tenant=tenant)
    with audited_refusal(action="membership.change", actor=actor, tenant=tenant,
                         object_type="membership", object_id=membership.pk,
                         details={"roles": sorted(roles)}), transaction.atomic():
        # Only the membership row (of=self): FOR UPDATE on the joined tenant row would block
        # the key-share check of every concurrent audit event of that tenant (a deadlock).
        locked = Membership.objects.select_for_update(of=("self",)).select_related("tenant").get(
            pk=membership.pk)
        if locked.state != Membership.State.ACTIVE:
            raise Conflict(_("Accesul acestei persoane nu este activ."),
                           code="membership_not_active")
        _check_manageable(membership=locked, grantor=grantor)
        before = {"roles": sorted(locked.roles),
                  "institutions": sorted(membership_scope_ids(membership=locked) or []) or None,
                  "valid_until": locked.valid_until}
        added = set(roles) - set(locked.roles)
        clean_roles = _check_roles(roles=roles, added=added, grantor=grantor)
        _check_scope(tenant=tenant, roles=clean_roles, institution_ids=institution_ids)
        _check_validity(valid_until)
        if TenantRole.TENANT_ADMIN not in clean_roles:
            _check_not_last_admin(membership=locked, grantor=grantor)
        locked.roles = clean_roles
        locked.valid_until = valid_until
        locked.save(update_fields=["roles", "valid_until", "updated_at"])
        membership_scope_write(membership=locked, institution_ids=institution_ids)
        after = {"roles": clean_roles,
                 "institutions": sorted(institution_ids or []) or None,
                 "valid_until": valid_until}
        audit_record(action="membership.change", actor=actor, tenant=tenant,
                     object_type="membership", object_id=locked.pk,
                     details={"user": locked.user_id, "before": before, "after": after})
    return locked


def _end_access(*, membership: Membership, state: str, reason: str, note: str,
                actor: User | None) -> dict[str, int]:
    """Move a locked membership to an ended state and end its sessions and tokens."""
    membership.state = state
    membership.ended_at = timezone.now()
    membership.ended_by = actor
    membership.end_reason = reason
    membership.end_note = note
    membership.save(update_fields=["state", "ended_at", "ended_by", "end_reason", "end_note",
                                   "updated_at"])
    return {
        "sessions_ended": sessions_end(user_id=membership.user_id, tenant=membership.tenant,
                                       reason=reason),
        "tokens_revoked": api_tokens_revoke_for(user_id=membership.user_id,
                                                tenant=membership.tenant, reason=reason),
    }


def membership_revoke(*, actor: User, membership: Membership, reason: str,
                      note: str = "") -> Membership:
    """Revoke a person's access to a tenant, stating why (Annex 2 §37)."""
    tenant = membership.tenant
    grantor = grantor_capabilities(user=actor, tenant=tenant)
    with audited_refusal(action="membership.revoke", actor=actor, tenant=tenant,
                         object_type="membership", object_id=membership.pk,
                         details={"reason": reason}):
        if reason not in REVOCATION_REASONS_MANUAL:
            raise InvalidInput(_("Alegeți motivul revocării."), code="reason_required",
                               fields={"reason": [_("Câmp obligatoriu.")]})
        with transaction.atomic():
            locked = Membership.objects.select_for_update(of=("self",)).select_related("tenant").get(
                pk=membership.pk)
            if locked.state in ENDED_STATES:
                raise Conflict(_("Accesul acestei persoane a încetat deja."),
                               code="membership_not_active")
            _check_manageable(membership=locked, grantor=grantor)
            _check_not_last_admin(membership=locked, grantor=grantor)
            ended = _end_access(membership=locked, state=Membership.State.REVOKED,
                                reason=reason, note=note.strip(), actor=actor)
            audit_record(action="membership.revoke", actor=actor, tenant=tenant,
                         object_type="membership", object_id=locked.pk,
                         details={"user": locked.user_id, "reason": reason,
                                  "note": note.strip(), **ended})
    return locked


def memberships_expire_due() -> int:
    """End temporary access whose end date has passed (run periodically). Returns how many."""
    expired = 0
    due = Membership.objects.filter(state=Membership.State.ACTIVE,
                                    valid_until__lte=timezone.now())
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = (Membership.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("tenant")
                      .filter(pk=pk, state=Membership.State.ACTIVE,
                              valid_until__lte=timezone.now())
                      .first())
            if locked is None:
                continue
            ended = _end_access(membership=locked, state=Membership.State.EXPIRED,
                                reason=RevocationReason.ACCESS_EXPIRED, note="", actor=None)
            audit_record(action="membership.expire", actor_label=SYSTEM_LABEL,
                         tenant=locked.tenant, object_type="membership", object_id=locked.pk,
                         details={"user": locked.user_id, "valid_until": locked.valid_until,
                                  **ended})
            expired += 1
    return expired


def memberships_follow_tenant(*, tenant: Tenant, status: str, actor: User | None) -> dict[str, int]:
    """Access follows the tenant (and so its contract): suspension suspends every active
    membership, reactivation restores the ones the suspension took, termination ends all.
    Runs inside the caller's transaction."""
    counts = {"memberships": 0, "sessions_ended": 0, "tokens_revoked": 0}
    if status == Tenant.Status.ACTIVE:
        counts["memberships"] = Membership.objects.filter(
            tenant=tenant, state=Membership.State.SUSPENDED,
            end_reason=RevocationReason.CONTRACT_SUSPENDED,
        ).update(state=Membership.State.ACTIVE, ended_at=None, ended_by=None, end_reason="",
                 updated_at=timezone.now())
        return counts
    if status == Tenant.Status.SUSPENDED:
        states = [Membership.State.ACTIVE]
        target, reason = Membership.State.SUSPENDED, RevocationReason.CONTRACT_SUSPENDED
    elif status == Tenant.Status.TERMINATED:
        states = [Membership.State.ACTIVE, Membership.State.SUSPENDED]
        target, reason = Membership.State.REVOKED, RevocationReason.CONTRACT_TERMINATED
    else:
        return counts
    for membership in Membership.objects.select_for_update(of=("self",)).select_related("tenant").filter(
            tenant=tenant, state__in=states):
        ended = _end_access(membership=membership, state=target, reason=reason, note="",
                            actor=actor)
        counts["memberships"] += 1
        counts["sessions_ended"] += ended["sessions_ended"]
        counts["tokens_revoked"] += ended["tokens_revoked"]
    return counts


# --- sessions -------------------------------------------------------------------------------

def sign_in_session_register(*, session_key: str, user: User, tenant: Tenant | None,
                             method: str, ip: str | None, user_agent: str) -> SignInSession:
    """Remember which host a new session belongs to, so that ending access can end it."""
    session, _created = SignInSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "tenant": tenant, "method": method, "ip": ip,
                  "user_agent": user_agent[:255], "started_at": timezone.now(),
                  "ended_at": None, "end_reason": ""},
    )
    return session


def sign_in_session_close(*, session_key: str, reason: str) -> None:
    SignInSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason)


def sessions_end(*, user_id: int, tenant: Tenant | None, reason: str) -> int:
    """End the open sessions of one person on one tenant's host (``None``: the public one)."""
    keys = list(SignInSession.objects.filter(ended_at__isnull=True, user_id=user_id,
                                             tenant=tenant)
                .values_list("session_key", flat=True))
    if keys:
        Session.objects.filter(session_key__in=keys).delete()
        SignInSession.objects.filter(session_key__in=keys).update(ended_at=timezone.now(),
                                                                  end_reason=reason)
    return len(keys)


# --- API tokens -----------------------------------------------------------------------------

TOKEN_BYTES = 32


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: User, tenant: Tenant | None, name: str,
                    valid_days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal token for one host. The key is returned once; only its hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Dați un nume tokenului."), code="name_required",
                           fields={"name": [_("Câmp obligatoriu.")]})
    if valid_days is not None and not 1 <= valid_days <= 366:
        raise InvalidInput(_("Valabilitatea este între 1 și 366 de zile."),
                           code="invalid_validity", fields={"valid_days": [_("Între 1 și 366.")]})
    key = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = timezone.now() + timedelta(days=valid_days) if valid_days else None
    token = ApiToken.objects.create(user=user, tenant=tenant, name=name, prefix=key[:8],
                                    key_sha256=api_token_digest(key), expires_at=expires_at)
    audit_record(action="identity.token.issue", actor=user, tenant=tenant,
                 object_type="api_token", object_id=token.pk,
                 details={"name": name, "expires_at": expires_at})
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoke_reason = "revoked_by_user"
        token.save(update_fields=["revoked_at", "revoke_reason"])
        audit_record(action="identity.token.revoke", actor=actor, tenant=token.tenant,
                     object_type="api_token", object_id=token.pk)
    return token


def api_tokens_revoke_for(*, user_id: int, tenant: Tenant | None, reason: str) -> int:
    return ApiToken.objects.filter(user_id=user_id, tenant=tenant, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason)
