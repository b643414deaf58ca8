"""Signing a person in through MPass: find them by IDNP, refresh what MPass says about them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.identity.selectors import user_roles_on
from sgsc.tenants.models import Tenant

LANGUAGES = ("ro", "ru", "en")
# MPass attribute → User field.
ATTRIBUTE_FIELDS = {"FirstName": "first_name", "LastName": "last_name",
                    "EmailAddress": "email", "MobilePhone": "phone",
                    "Language": "preferred_language"}


class MPassRefused(PermissionDenied):
    """A sign-in through MPass that is refused, with a stable ``code`` (see ``failures``)."""

    def __init__(self, code: str, *, user: User | None = None, idnp: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.user = user
        self.idnp = idnp


def _first(attributes: dict[str, list[str]], name: str) -> str:
    values = attributes.get(name) or [""]
    return str(values[0]).strip()


@transaction.atomic
def mpass_user_sign_in(*, idnp: str, attributes: dict[str, list[str]],
                       tenant: Tenant | None) -> User:
    """The person with this IDNP, refreshed from the attributes. Nobody is ever created:
    access is granted on the platform, MPass only proves who someone is.

    Raises ``MPassRefused``: ``unknown_person``, ``account_inactive``, ``no_membership``."""
    user = User.objects.select_for_update().filter(idnp=idnp).first()
    if user is None:
        raise MPassRefused("unknown_person", idnp=idnp)
    if not user.is_active:
        raise MPassRefused("account_inactive", user=user, idnp=idnp)
    if not user_roles_on(user=user, tenant=tenant):
        raise MPassRefused("no_membership", user=user, idnp=idnp)
    changed = []
    for attribute, field_name in ATTRIBUTE_FIELDS.items():
        value = _first(attributes, attribute)
        if field_name == "email":
            value = value.lower()
            # The e-mail is unique: never take one that another person holds.
            if value and User.objects.filter(email=value).exclude(pk=user.pk).exists():
                continue
        if field_name == "preferred_language" and value not in LANGUAGES:
            continue
        if value and getattr(user, field_name) != value:
            setattr(user, field_name, value)
            changed.append(field_name)
    if changed:
        user.save(update_fields=changed)
    return user
