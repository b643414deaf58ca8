"""Platform roles (public host): who works in AGE's console and with which powers.

Only holders of ``access.administer`` change them (``role_is_grantable``); the platform never
loses its last AGE administrator; taking a role away ends the person's sessions and API tokens
on the public host at once, so the next request already runs with the new rights. Every
change and every refusal is audited on the platform chain.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.roles import PLATFORM_ROLES, PlatformRole, role_is_grantable
from sgsc.shared_apps.identity.selectors import user_capabilities_on
from sgsc.shared_apps.identity.services import api_tokens_revoke_for, sessions_end, user_register

END_REASON = "platform_role_removed"


def _check_platform_roles(*, actor: User, before: Collection[str],
                          roles: Collection[str]) -> list[str]:
    unknown = sorted(set(roles) - PLATFORM_ROLES)
    if unknown:
        raise InvalidInput(_("Rol necunoscut: %(roles)s.") % {"roles": ", ".join(unknown)},
                           code="unknown_role", fields={"roles": unknown})
    grantor = user_capabilities_on(user=actor, tenant=None)
    # Taking a role away is as much a change of powers as giving it.
    changed = set(roles) ^ set(before)
    refused = sorted(r for r in changed if not role_is_grantable(role=r,
                                                                  grantor_capabilities=grantor))
    if refused:
        raise InvalidInput(
            _("Nu puteți acorda sau retrage un rol cu drepturi pe care nu le dețineți: "
              "%(roles)s.") % {"roles": ", ".join(refused)},
            code="role_not_grantable", fields={"roles": refused})
    return sorted(set(roles))


def _check_not_last_admin(*, user: User, roles: Collection[str]) -> None:
    if PlatformRole.AGE_ADMIN not in user.platform_roles or PlatformRole.AGE_ADMIN in roles:
        return
    # Every administrator row is locked: two administrators removing each other at the same
    # time are serialised, so one of them stays.
    admins = list(User.objects.select_for_update()
                  .filter(platform_roles__contains=[PlatformRole.AGE_ADMIN], is_active=True)
                  .values_list("pk", flat=True))
    if not set(admins) - {user.pk}:
        raise Conflict(_("Este ultimul administrator AGE al platformei: numiți mai întâi alt "
                         "administrator."), code="last_platform_admin")


def platform_roles_set(*, actor: User, user: User, roles: Collection[str]) -> User:
    """Give ``user`` exactly ``roles`` on the platform (an empty list ends platform access)."""
    # A refusal records the roles as they were found under the lock, once they are known.
    refused = {"before": sorted(user.platform_roles), "after": sorted(roles)}
    with (audited_refusal(action="platform_roles.change", actor=actor, tenant=None,
                          object_type="user", object_id=user.pk, details=refused),
          transaction.atomic()):
        locked = User.objects.select_for_update().get(pk=user.pk)
        refused["before"] = before = sorted(locked.platform_roles)
        clean = _check_platform_roles(actor=actor, before=before, roles=roles)
        if clean == before:
            return locked
        _check_not_last_admin(user=locked, roles=clean)
        locked.platform_roles = clean
        locked.save(update_fields=["platform_roles"])
        ended = {"sessions_ended": 0, "tokens_revoked": 0}
        if set(before) - set(clean):
            ended = {
                "sessions_ended": sessions_end(user_id=locked.pk, tenant=None,
                                               reason=END_REASON),
                "tokens_revoked": api_tokens_revoke_for(user_id=locked.pk, tenant=None,
                                                        reason=END_REASON),
            }
        audit_record(action="platform_roles.change", actor=actor, tenant=None,
                     object_type="user", object_id=locked.pk,
                     details={"before": before, "after": clean, **ended})
    user.platform_roles = clean
    return locked


def platform_person_add(*, actor: User, idnp: str, email: str, first_name: str,
                        last_name: str, roles: Collection[str], phone: str = "") -> User:
    """Register a person by IDNP (or find them) and give them platform roles on top of the
    ones they hold."""
    # Recorded after the rollback, so the refusal stays in the log.
    with audited_refusal(action="platform_person.add", actor=actor, tenant=None,
                         object_type="user",
                         details={"roles": sorted(roles), "email": email.strip().lower()}):
        if not roles:
            raise InvalidInput(_("Alegeți cel puțin un rol."), code="roles_required",
                               fields={"roles": [_("Câmp obligatoriu.")]})
        _check_platform_roles(actor=actor, before=(), roles=roles)
        with transaction.atomic():
            user = user_register(idnp=idnp, email=email, first_name=first_name,
                                 last_name=last_name, phone=phone, actor=actor)
            return platform_roles_set(actor=actor, user=user,
                                      roles=set(user.platform_roles) | set(roles))
