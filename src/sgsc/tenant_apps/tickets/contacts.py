"""Requesters: recognised again by IDNP, IDNO, e-mail or phone, in that order."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _

from sgsc.platform.errors import InvalidInput
from sgsc.shared_apps.institutions.validators import validate_idno, validate_idnp
from sgsc.tenant_apps.tickets.models import Contact

MOLDOVA_CODE = "373"
# A national number is 8 digits after the trunk prefix 0 (069 123 456).
NATIONAL_DIGITS = 8


def phone_normalize(phone: str) -> str:
    """Digits with the country code: ``+373 69 123 456``, ``+373 (0)69 123 456``,
    ``069123456`` and ``37369123456`` are one number."""
    if not phone.strip():
        return ""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = MOLDOVA_CODE + digits[1:]
    elif len(digits) == NATIONAL_DIGITS:
        digits = MOLDOVA_CODE + digits
    if digits.startswith(MOLDOVA_CODE + "0") and len(digits) == 4 + NATIONAL_DIGITS:
        # The trunk 0 written after the country code: +373 (0)69 123 456.
        digits = MOLDOVA_CODE + digits[4:]
    if not 8 <= len(digits) <= 15:
        raise InvalidInput(_("Numărul de telefon nu este valid."), code="invalid_phone",
                           fields={"phone": [_("Număr de telefon nevalid.")]})
    return digits


@dataclass(frozen=True)
class Requester:
    name: str = ""
    idnp: str = ""
    idno: str = ""
    email: str = ""
    phone: str = ""


def _clean(requester: Requester) -> Requester:
    idnp = re.sub(r"\s+", "", requester.idnp)
    idno = re.sub(r"\s+", "", requester.idno)
    email = requester.email.strip().lower()
    errors: dict[str, list[str]] = {}
    for field, value, validator in (("idnp", idnp, validate_idnp), ("idno", idno, validate_idno),
                                    ("email", email, validate_email)):
        if value:
            try:
                validator(value)
            except ValidationError as error:
                errors[field] = [str(message) for message in error.messages]
    if errors:
        code = "invalid_idnp" if "idnp" in errors else (
            "invalid_idno" if "idno" in errors else "invalid_email")
        raise InvalidInput(_("Datele solicitantului nu sunt valide."), code=code, fields=errors)
    phone = phone_normalize(requester.phone)
    if not any((idnp, idno, email, phone, requester.name.strip())):
        raise InvalidInput(_("Indicați cel puțin un mod de a contacta solicitantul."),
                           code="requester_required",
                           fields={"requester": [_("Câmp obligatoriu.")]})
    return Requester(name=requester.name.strip()[:255], idnp=idnp, idno=idno, email=email,
                     phone=phone)


def contact_find(requester: Requester) -> Contact | None:
    """The known requester with the first matching identifier (IDNP, IDNO, e-mail, phone).

    A contact holding another IDNP or IDNO than the requester's is somebody else, even with
    the same e-mail or phone (a family's mailbox, a company's switchboard)."""
    other_person = Q()
    for field in ("idnp", "idno"):
        value = getattr(requester, field)
        if value:
            other_person |= ~Q(**{field: ""}) & ~Q(**{field: value})
    for field in ("idnp", "idno", "email", "phone"):
        value = getattr(requester, field)
        if value:
            contact = (Contact.objects.filter(**{field: value}).exclude(other_person)
                       .order_by("pk").first())
            if contact is not None:
                return contact
    return None


def contact_resolve(*, requester: Requester) -> Contact:
    """The known contact, completed with what it lacked, or a new one. Runs inside the
    ticket's transaction."""
    requester = _clean(requester)
    contact = contact_find(requester)
    kind = (Contact.Kind.CITIZEN if requester.idnp else
            Contact.Kind.COMPANY if requester.idno else Contact.Kind.OTHER)
    if contact is None:
        return Contact.objects.create(kind=kind, name=requester.name, idnp=requester.idnp,
                                      idno=requester.idno, email=requester.email,
                                      phone=requester.phone)
    missing = [field for field in ("name", "idnp", "idno", "email", "phone")
               if getattr(requester, field) and not getattr(contact, field)]
    # An identifier already held by another contact stays with it.
    missing = [field for field in missing if field == "name" or not Contact.objects.filter(
        **{field: getattr(requester, field)}).exclude(pk=contact.pk).exists()]
    if missing:
        for field in missing:
            setattr(contact, field, getattr(requester, field))
        if contact.kind == Contact.Kind.OTHER and kind != Contact.Kind.OTHER:
            contact.kind = kind
            missing.append("kind")
        contact.save(update_fields=[*missing, "updated_at"])
    return contact
