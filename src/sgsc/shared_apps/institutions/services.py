"""Writes of the institutions registry; every change and every refusal is audited.

The IDNO is checked with its check digit (``invalid_idno``) and is unique (``idno_taken``);
the hierarchy stays a forest: an institution is never its own parent or ancestor
(``invalid_parent``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from sgsc.platform.errors import Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.validators import validate_idno

_OBJECT_TYPE = "institution"
_TEXT_FIELDS = ("idno", "name", "name_ru", "name_en", "kind", "address", "email", "phone")
EDITABLE_FIELDS = (*_TEXT_FIELDS, "parent")
_MAX_LENGTHS = {"name": 255, "name_ru": 255, "name_en": 255, "address": 500, "email": 254,
                "phone": 32}
_PHONE = re.compile(r"\+?[0-9 ()\-]{5,31}")
# Serialises changes of the hierarchy, so two concurrent changes cannot close a cycle that
# neither sees alone. Any constant distinct from other advisory locks of the platform.
_HIERARCHY_LOCK = 0x5356_0001
# Deeper than any real administrative hierarchy; stops the walk on corrupt data.
_MAX_DEPTH = 100


def _invalid(field: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={field: [message]})


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised values, or the first problem as an error with its code."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in _TEXT_FIELDS:
            if not isinstance(value, str):
                raise _invalid(name, _("Valoare nepermisă."), "invalid_input")
            value = value.strip()
        cleaned[name] = value
    if "idno" in cleaned:
        cleaned["idno"] = re.sub(r"\s+", "", cleaned["idno"])
        try:
            validate_idno(cleaned["idno"])
        except ValidationError as error:
            raise _invalid("idno", _("IDNO „%(value)s” nu este valid: 13 cifre, ultima fiind "
                                     "cifra de control.") % {"value": cleaned["idno"]},
                           "invalid_idno") from error
    if "name" in cleaned and not cleaned["name"]:
        raise _invalid("name", _("Denumirea este obligatorie."), "required")
    for name, limit in _MAX_LENGTHS.items():
        if len(cleaned.get(name) or "") > limit:
            raise _invalid(name, _("Cel mult %(limit)s caractere.") % {"limit": limit},
                           "too_long")
    if "kind" in cleaned and cleaned["kind"] not in Institution.Kind.values:
        raise _invalid("kind", _("Tip de instituție necunoscut."), "invalid_kind")
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError as error:
            raise _invalid("email", _("Adresa de e-mail nu este validă."),
                           "invalid_email") from error
    if cleaned.get("phone") and not _PHONE.fullmatch(cleaned["phone"]):
        raise _invalid("phone", _("Numărul de telefon nu este valid."), "invalid_phone")
    parent = cleaned.get("parent")
    if parent is not None and not isinstance(parent, Institution):
        raise _invalid("parent", _("Instituția ierarhic superioară nu există."),
                       "invalid_parent")
    return cleaned


def _idno_taken(idno: str) -> Conflict:
    message = _("O instituție cu IDNO „%(idno)s” este deja înregistrată.") % {"idno": idno}
    return Conflict(message, code="idno_taken", fields={"idno": [message]})


def _check_parent(*, institution_id: int | None, parent: Institution | None) -> None:
    """The new parent exists and is neither the institution nor one of its descendants."""
    if parent is None:
        return
    if institution_id is not None and parent.pk == institution_id:
        raise _invalid("parent", _("O instituție nu poate fi propria sa instituție ierarhic "
                                   "superioară."), "invalid_parent")
    node: int | None = parent.pk
    for _depth in range(_MAX_DEPTH):
        if node is None:
            return
        found = list(Institution.objects.filter(pk=node).values_list("parent_id", flat=True))
        if not found:
            raise _invalid("parent", _("Instituția ierarhic superioară nu există."),
                           "invalid_parent")
        node = found[0]
        if institution_id is not None and node == institution_id:
            raise _invalid("parent", _("Instituția aleasă îi este subordonată: ierarhia ar "
                                       "deveni circulară."), "invalid_parent")
    raise _invalid("parent", _("Ierarhia instituției superioare este prea adâncă."),
                   "invalid_parent")


def _lock_hierarchy() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_HIERARCHY_LOCK])


def _audit_value(name: str, value: Any) -> Any:
    if name == "parent":
        return value.pk if isinstance(value, Institution) else value
    return value


@contextmanager
def _audited_refusal(*, action: str, object_id: int | str, details: dict[str, Any],
                     actor: User | None) -> Iterator[None]:
    """A refused change is recorded (nothing else is written) and the error goes on."""
    with audited_refusal(action=action, actor=actor, tenant=None, object_type=_OBJECT_TYPE,
                         object_id=object_id, details=details):
        try:
            yield
        except IntegrityError as error:
            if "idno" not in str(error):
                raise
            # The unique IDNO, taken concurrently between the check and the write.
            raise _idno_taken(str(details.get("idno", ""))) from error


def institution_create(*, idno: str, name: str, kind: str = Institution.Kind.OTHER,
                       name_ru: str = "", name_en: str = "", address: str = "",
                       email: str = "", phone: str = "", parent: Institution | None = None,
                       actor: User | None = None) -> Institution:
    values: dict[str, Any] = {"idno": idno, "name": name, "kind": kind, "name_ru": name_ru,
                              "name_en": name_en, "address": address, "email": email,
                              "phone": phone, "parent": parent}
    details = {key: _audit_value(key, value) for key, value in values.items()}
    action = "institution.create"
    with _audited_refusal(action=action, object_id="", details=details, actor=actor):
        cleaned = _clean(values)
        details = {key: _audit_value(key, value) for key, value in cleaned.items()}
        with transaction.atomic():
            if Institution.objects.filter(idno=cleaned["idno"]).exists():
                raise _idno_taken(cleaned["idno"])
            if cleaned["parent"] is not None:
                _lock_hierarchy()
                _check_parent(institution_id=None, parent=cleaned["parent"])
            institution = Institution.objects.create(**cleaned)
            audit_record(action=action, actor=actor, tenant=None, object_type=_OBJECT_TYPE,
                         object_id=institution.pk, details=details)
    return institution


def institution_update(*, institution: Institution | int, actor: User | None = None,
                       **changes: Any) -> Institution:
    """Change some of the editable fields (``EDITABLE_FIELDS``); ``parent`` is an
    ``Institution`` or ``None``."""
    institution_id = institution.pk if isinstance(institution, Institution) else institution
    action = "institution.update"
    details = {key: _audit_value(key, value) for key, value in changes.items()}
    with _audited_refusal(action=action, object_id=institution_id, details=details,
                          actor=actor):
        unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
        if unknown:
            raise InvalidInput(_("Câmpuri necunoscute."), code="unknown_fields",
                               fields={name: [_("Câmp necunoscut.")] for name in unknown})
        cleaned = _clean(changes)
        with transaction.atomic():
            if "parent" in cleaned:
                _lock_hierarchy()  # before the row lock: one lock order for every writer
            locked = Institution.objects.select_for_update().filter(pk=institution_id).first()
            if locked is None:
                raise NotFound(_("Instituția nu există."), code="institution_not_found")
            if ("idno" in cleaned and cleaned["idno"] != locked.idno and Institution.objects
                    .filter(idno=cleaned["idno"]).exclude(pk=locked.pk).exists()):
                raise _idno_taken(cleaned["idno"])
            if "parent" in cleaned:
                _check_parent(institution_id=locked.pk, parent=cleaned["parent"])
            before = {name: _audit_value(name, getattr(locked, name)) for name in cleaned}
            after = {name: _audit_value(name, value) for name, value in cleaned.items()}
            changed = [name for name in cleaned if before[name] != after[name]]
            if changed:
                for name in changed:
                    setattr(locked, name, cleaned[name])
                with transaction.atomic():  # a concurrent IDNO taker surfaces here
                    locked.save(update_fields=[*changed, "updated_at"])
                audit_record(action=action, actor=actor, tenant=None, object_type=_OBJECT_TYPE,
                             object_id=locked.pk,
                             details={"before": {n: before[n] for n in changed},
                                      "after": {n: after[n] for n in changed}})
    return locked
