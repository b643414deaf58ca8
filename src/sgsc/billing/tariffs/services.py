"""Writes of tariff schedules: AGE drafts and submits, the Chancellery approves or returns.

Every change and every refusal is in the audit log (platform chain). Each service locks the
schedule row first, so two versions of one schedule are never submitted or approved at once
(the overlap check reads a stable set of approved versions).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.billing.statements.models import Statement
from sgsc.billing.tariffs.models import (
    TariffComponent,
    TariffSchedule,
    TariffScheduleVersion,
    TariffVersionReturn,
)
from sgsc.platform.errors import AccessDenied, Conflict, InvalidInput
from sgsc.provisioning.documents import is_pdf
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.workdays.selectors import local_date

Status = TariffScheduleVersion.Status
Vat = TariffScheduleVersion.Vat
Kind = TariffComponent.Kind

MAX_DECISION_BYTES = 10 * 1024 * 1024
PRICE_PLACES = Decimal("0.0001")
MAX_PRICE = Decimal("10") ** 10  # the column holds 14 digits, 4 of them after the point


@dataclass(frozen=True)
class ComponentInput:
    kind: str
    unit_price: Decimal | str
    allowance_gb: Decimal | str = Decimal("0")
    hub_multiplier: Decimal | str = Decimal("1")


@dataclass(frozen=True)
class _CleanComponent:
    kind: str
    unit_price: Decimal
    allowance_gb: Decimal
    hub_multiplier: Decimal


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def _decimal(value: Decimal | str) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _clean_components(components: Sequence[ComponentInput]) -> list[_CleanComponent]:
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    clean: list[_CleanComponent] = []
    seen: set[str] = set()

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(message)
        codes.append(code)

    for item in components:
        field = f"components.{item.kind}"
        if item.kind not in Kind.values:
            fail("components", _("Componentă necunoscută: %(kind)s.") % {"kind": item.kind},
                 "unknown_component")
            continue
        if item.kind in seen:
            fail(field, _("Fiecare componentă apare o singură dată."), "duplicate_component")
            continue
        seen.add(item.kind)
        price = _decimal(item.unit_price)
        allowance = _decimal(item.allowance_gb)
        multiplier = _decimal(item.hub_multiplier)
        if price is None or allowance is None or multiplier is None:
            fail(field, _("Valoare numerică nevalidă."), "invalid_number")
            continue
        if price < 0:
            fail(field, _("Prețul nu poate fi negativ."), "negative_price")
        elif price != price.quantize(PRICE_PLACES) or price >= MAX_PRICE:
            fail(field, _("Prețul are cel mult 4 zecimale și 10 cifre întregi."),
                 "invalid_price")
        if allowance < 0 or multiplier < 0:
            fail(field, _("Limita inclusă și coeficientul pentru hub nu pot fi negative."),
                 "negative_value")
        elif allowance != allowance.quantize(PRICE_PLACES) \
                or multiplier != multiplier.quantize(PRICE_PLACES) or multiplier >= 10_000:
            fail(field, _("Limita și coeficientul au cel mult 4 zecimale."), "invalid_number")
        if item.kind != Kind.STORAGE_GB_MONTH and allowance != 0:
            fail(field, _("Limita inclusă se aplică doar stocării."), "allowance_not_storage")
        clean.append(_CleanComponent(kind=item.kind, unit_price=price, allowance_gb=allowance,
                                     hub_multiplier=multiplier))
    if errors:
        raise InvalidInput(_("Componentele grilei nu sunt valide."),
                           code=codes[0] if len(set(codes)) == 1 else "invalid_input",
                           fields=errors)
    return clean


def _clean_terms(*, effective_from: date | None, effective_to: date | None,
                 vat_treatment: str,
                 vat_rate: Decimal | str | None) -> tuple[date, Decimal | None]:
    """The checked start date and VAT rate."""
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    if effective_from is None:
        errors["effective_from"] = [_("Câmp obligatoriu.")]
        codes.append("required")
    elif effective_to is not None and effective_to < effective_from:
        errors["effective_to"] = [_("Sfârșitul perioadei este înaintea începutului.")]
        codes.append("invalid_period")
    rate: Decimal | None = None
    if vat_treatment not in Vat.values:
        errors["vat_treatment"] = [_("Regim TVA necunoscut.")]
        codes.append("invalid_vat")
    elif vat_treatment == Vat.EXEMPT:
        if vat_rate not in (None, ""):
            errors["vat_rate"] = [_("Scutirea de TVA nu are cotă.")]
            codes.append("invalid_vat_rate")
    else:
        rate = _decimal(vat_rate) if vat_rate not in (None, "") else None
        if rate is None or not Decimal(0) <= rate <= Decimal(100) \
                or rate != rate.quantize(Decimal("0.01")):
            errors["vat_rate"] = [_("Indicați cota TVA (0-100, cel mult 2 zecimale).")]
            codes.append("invalid_vat_rate")
    if errors:
        raise InvalidInput(_("Perioada sau regimul TVA nu sunt valide."),
                           code=codes[0] if len(codes) == 1 else "invalid_input",
                           fields=errors)
    assert effective_from is not None  # noqa: S101 (narrowed by the checks above)
    return effective_from, rate


def _overlaps(a: TariffScheduleVersion, b: TariffScheduleVersion) -> bool:
    """Whether two versions claim the same day. A version without an end is in force until
    the next version starts, so it overlaps only one that starts the same day."""
    first, second = sorted((a, b), key=lambda version: version.effective_from)
    return first.effective_from == second.effective_from or (
        first.effective_to is not None and first.effective_to >= second.effective_from)


def _check_no_overlap(version: TariffScheduleVersion) -> None:
    approved = (TariffScheduleVersion.objects.filter(schedule_id=version.schedule_id,
                                                     status=Status.APPROVED)
                .exclude(pk=version.pk))
    clashes = sorted(other.number for other in approved if _overlaps(version, other))
    if clashes:
        raise Conflict(
            _("Perioada se suprapune cu versiunea aprobată %(versions)s a grilei %(code)s.")
            % {"versions": ", ".join(f"v{number}" for number in clashes),
               "code": version.schedule.code},
            code="overlapping_period",
            fields={"effective_from": [_("Perioadă suprapusă.")]}, details={"with": clashes})


def _in_force_until(version: TariffScheduleVersion) -> date | None:
    """The last day ``version`` would apply once approved: its end, or without one the day
    before the next approved version starts (``tariff_version_effective``'s rule)."""
    if version.effective_to is not None:
        return version.effective_to
    next_start = (TariffScheduleVersion.objects
                  .filter(schedule_id=version.schedule_id, status=Status.APPROVED,
                          effective_from__gt=version.effective_from)
                  .exclude(pk=version.pk).aggregate(start=Min("effective_from"))["start"])
    return next_start - timedelta(days=1) if next_start is not None else None


def _check_not_billed(version: TariffScheduleVersion) -> None:
    """A version may start in the past, but not over days already billed: an issued
    statement is never edited, so approving it would change a month silently."""
    billed = Statement.objects.filter(
        contract__tariff_schedule_id=version.schedule_id, kind=Statement.Kind.STATEMENT,
        status=Statement.Status.ISSUED, period_end__gte=version.effective_from)
    end = _in_force_until(version)
    if end is not None:
        billed = billed.filter(period_start__lte=end)
    numbers = list(billed.order_by("month", "number").values_list("number", flat=True))
    if numbers:
        raise Conflict(
            _("Perioada versiunii v%(number)s acoperă luni pentru care s-au emis deja "
              "deconturi: %(statements)s. Alegeți un început după aceste luni sau anulați "
              "întâi deconturile.") % {"number": version.number,
                                       "statements": ", ".join(numbers)},
            code="period_already_billed",
            fields={"effective_from": [_("Perioadă deja facturată.")]},
            details={"statements": numbers})


def _frozen(version: TariffScheduleVersion) -> Conflict:
    return Conflict(_("Versiunea aprobată v%(number)s este înghețată; creați o versiune nouă.")
                    % {"number": version.number}, code="version_frozen")


def _wrong_status(version: TariffScheduleVersion, *, allowed: str) -> Conflict:
    if version.status == Status.APPROVED:
        return _frozen(version)
    return Conflict(_("Versiunea v%(number)s este în starea „%(status)s”; acțiunea cere: "
                      "%(allowed)s.") % {"number": version.number,
                                         "status": version.get_status_display(),
                                         "allowed": allowed},
                    code="invalid_transition")


def _lock(version: TariffScheduleVersion) -> TariffScheduleVersion:
    """Lock the schedule, then the version (always in this order: no deadlocks)."""
    schedule = TariffSchedule.objects.select_for_update().get(pk=version.schedule_id)
    locked = TariffScheduleVersion.objects.select_for_update().get(pk=version.pk)
    locked.schedule = schedule
    return locked


def _next_number(schedule: TariffSchedule) -> int:
    last = schedule.versions.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _write_components(version: TariffScheduleVersion,
                      components: Sequence[_CleanComponent]) -> None:
    version.components.all().delete()
    TariffComponent.objects.bulk_create([
        TariffComponent(version=version, kind=c.kind, unit_price=c.unit_price,
                        allowance_gb=c.allowance_gb, hub_multiplier=c.hub_multiplier)
        for c in components])


def _snapshot(version: TariffScheduleVersion) -> dict[str, Any]:
    return {
        "schedule": version.schedule.code, "number": version.number,
        "effective_from": version.effective_from, "effective_to": version.effective_to,
        "vat_treatment": version.vat_treatment, "vat_rate": version.vat_rate,
        "components": {c.kind: {"unit_price": str(c.unit_price),
                                "allowance_gb": str(c.allowance_gb),
                                "hub_multiplier": str(c.hub_multiplier)}
                       for c in version.components.all()},
    }


# ---------------------------------------------------------------------------------------------
# Schedules and drafts (AGE)
# ---------------------------------------------------------------------------------------------

def tariff_schedule_create(*, code: str, name: str, actor: User | None) -> TariffSchedule:
    clean_code, clean_name = code.strip().upper(), name.strip()
    with audited_refusal(action="tariff.schedule.create", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_schedule", object_id=clean_code[:32]):
        errors: dict[str, list[str]] = {}
        if not clean_code or len(clean_code) > 32 or not all(
                ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in clean_code):
            errors["code"] = [_("Codul are 1-32 de caractere: litere, cifre, „-”, „_”, „.”.")]
        if not clean_name or len(clean_name) > 255:
            errors["name"] = [_("Denumirea are 1-255 de caractere.")]
        if errors:
            raise InvalidInput(_("Datele grilei nu sunt valide."), code="invalid_input",
                               fields=errors)
        try:
            with transaction.atomic():
                schedule = TariffSchedule.objects.create(code=clean_code, name=clean_name,
                                                         created_by=actor)
                audit_record(action="tariff.schedule.create", actor=actor, tenant=None,
                             object_type="tariff_schedule", object_id=schedule.pk,
                             details={"code": clean_code, "name": clean_name})
        except IntegrityError as error:
            raise Conflict(_("Există deja o grilă cu codul %(code)s.") % {"code": clean_code},
                           code="schedule_code_taken",
                           fields={"code": [_("Cod ocupat.")]}) from error
    return schedule


def tariff_version_draft(*, schedule: TariffSchedule, effective_from: date | None,
                         effective_to: date | None, vat_treatment: str,
                         vat_rate: Decimal | str | None, components: Sequence[ComponentInput],
                         actor: User | None) -> TariffScheduleVersion:
    """A new draft version of ``schedule``, numbered after the last one."""
    with audited_refusal(action="tariff.version.draft", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_schedule", object_id=schedule.pk), \
            transaction.atomic():
        start, rate = _clean_terms(effective_from=effective_from, effective_to=effective_to,
                                   vat_treatment=vat_treatment, vat_rate=vat_rate)
        clean = _clean_components(components)
        locked = TariffSchedule.objects.select_for_update().get(pk=schedule.pk)
        version = TariffScheduleVersion.objects.create(
            schedule=locked, number=_next_number(locked), effective_from=start,
            effective_to=effective_to, vat_treatment=vat_treatment, vat_rate=rate,
            created_by=actor)
        _write_components(version, clean)
        audit_record(action="tariff.version.draft", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=version.pk,
                     details=_snapshot(version))
    return version


def tariff_version_update(*, version: TariffScheduleVersion, effective_from: date | None,
                          effective_to: date | None, vat_treatment: str,
                          vat_rate: Decimal | str | None, components: Sequence[ComponentInput],
                          actor: User | None) -> TariffScheduleVersion:
    """Replace the terms and components of a draft or returned version."""
    with audited_refusal(action="tariff.version.update", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk), \
            transaction.atomic():
        locked = _lock(version)
        if not locked.is_editable:
            raise _wrong_status(locked, allowed=_("proiect sau returnată"))
        start, rate = _clean_terms(effective_from=effective_from, effective_to=effective_to,
                                   vat_treatment=vat_treatment, vat_rate=vat_rate)
        clean = _clean_components(components)
        before = _snapshot(locked)
        locked.effective_from, locked.effective_to = start, effective_to
        locked.vat_treatment, locked.vat_rate = vat_treatment, rate
        locked.save(update_fields=["effective_from", "effective_to", "vat_treatment",
                                   "vat_rate", "updated_at"])
        _write_components(locked, clean)
        after = _snapshot(locked)
        audit_record(action="tariff.version.update", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=locked.pk,
                     details={"before": before, "after": after})
    return locked


def tariff_version_delete(*, version: TariffScheduleVersion, actor: User | None) -> None:
    """Discard a draft that was never submitted (a returned one keeps its history)."""
    with audited_refusal(action="tariff.version.delete", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk), \
            transaction.atomic():
        locked = _lock(version)
        if locked.status != Status.DRAFT:
            raise _wrong_status(locked, allowed=_("proiect"))
        snapshot = _snapshot(locked)
        pk = locked.pk
        locked.delete()
        audit_record(action="tariff.version.delete", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=pk, details=snapshot)


def tariff_version_submit(*, version: TariffScheduleVersion,
                          actor: User | None) -> TariffScheduleVersion:
    """Send a draft (or a corrected returned version) to the Chancellery."""
    with audited_refusal(action="tariff.version.submit", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk), \
            transaction.atomic():
        locked = _lock(version)
        if not locked.is_editable:
            raise _wrong_status(locked, allowed=_("proiect sau returnată"))
        if not locked.components.exists():
            raise InvalidInput(_("Grila nu are nicio componentă."), code="no_components",
                               fields={"components": [_("Adăugați cel puțin o componentă.")]})
        _check_no_overlap(locked)
        _check_not_billed(locked)
        locked.status = Status.SUBMITTED
        locked.submitted_at, locked.submitted_by = timezone.now(), actor
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        audit_record(action="tariff.version.submit", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=locked.pk,
                     details={"schedule": locked.schedule.code, "number": locked.number})
    return locked


def tariff_version_new_from(*, version: TariffScheduleVersion,
                            actor: User | None) -> TariffScheduleVersion:
    """A new draft copied from an approved version: the only way to change approved tariffs."""
    with audited_refusal(action="tariff.version.new_from", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk), \
            transaction.atomic():
        source = _lock(version)
        if source.status != Status.APPROVED:
            raise Conflict(_("Doar o versiune aprobată poate fi copiată într-o versiune nouă."),
                           code="version_not_approved")
        draft = TariffScheduleVersion.objects.create(
            schedule=source.schedule, number=_next_number(source.schedule), based_on=source,
            effective_from=source.effective_to + timedelta(days=1) if source.effective_to
            else max(source.effective_from, local_date(timezone.now())),
            vat_treatment=source.vat_treatment, vat_rate=source.vat_rate, created_by=actor)
        TariffComponent.objects.bulk_create([
            TariffComponent(version=draft, kind=c.kind, unit_price=c.unit_price,
                            allowance_gb=c.allowance_gb, hub_multiplier=c.hub_multiplier)
            for c in source.components.all()])
        audit_record(action="tariff.version.new_from", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=draft.pk,
                     details={"schedule": source.schedule.code, "number": draft.number,
                              "based_on": source.number})
    return draft


# ---------------------------------------------------------------------------------------------
# The Chancellery's review
# ---------------------------------------------------------------------------------------------

def _check_reviewer(version: TariffScheduleVersion, actor: User | None) -> None:
    # The author is whoever drafted or submitted the version; neither may approve it.
    if actor is not None and actor.pk in (version.created_by_id, version.submitted_by_id):
        raise AccessDenied(_("Nu puteți aproba o grilă pe care ați întocmit-o sau transmis-o."),
                           code="own_draft")


def _check_decision(*, number: str, day: date | None,
                    document: UploadedFile | None) -> tuple[str, date, bytes]:
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    clean_number = number.strip()
    if not clean_number or len(clean_number) > 64:
        errors["decision_number"] = [_("Indicați numărul deciziei (cel mult 64 de caractere).")]
        codes.append("decision_required")
    if day is None:
        errors["decision_date"] = [_("Indicați data deciziei.")]
        codes.append("decision_required")
    elif day > local_date(timezone.now()):
        errors["decision_date"] = [_("Data deciziei nu poate fi în viitor.")]
        codes.append("invalid_decision_date")
    content = b""
    if document is None:
        errors["decision_document"] = [_("Încărcați decizia (PDF).")]
        codes.append("decision_required")
    elif document.size is not None and document.size > MAX_DECISION_BYTES:
        errors["decision_document"] = [_("Cel mult 10 MB.")]
        codes.append("file_too_large")
    else:
        document.seek(0)
        content = document.read(MAX_DECISION_BYTES + 1)
        if len(content) > MAX_DECISION_BYTES:
            errors["decision_document"] = [_("Cel mult 10 MB.")]
            codes.append("file_too_large")
        elif not is_pdf(content):
            errors["decision_document"] = [_("Nu este un fișier PDF.")]
            codes.append("not_pdf")
    if errors:
        raise InvalidInput(_("Decizia Cancelariei de Stat nu este completă."),
                           code=codes[0] if len(set(codes)) == 1 else "invalid_input",
                           fields=errors)
    assert day is not None  # noqa: S101 (narrowed by the checks above)
    return clean_number, day, content


def tariff_version_approve(*, version: TariffScheduleVersion, decision_number: str,
                           decision_date: date | None, decision_document: UploadedFile | None,
                           actor: User | None) -> TariffScheduleVersion:
    """Approve a submitted version with the Chancellery's decision; it is frozen from now."""
    with audited_refusal(action="tariff.version.approve", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk):
        number, day, content = _check_decision(number=decision_number, day=decision_date,
                                               document=decision_document)
        # Cheap refusals before the file is stored; all checked again under the lock.
        current = TariffScheduleVersion.objects.select_related("schedule").get(pk=version.pk)
        _check_approvable(current, actor)
        digest = hashlib.sha256(content).hexdigest()
        name = default_storage.save(
            f"tariffs/{day.year}/{current.schedule.code}-v{current.number}-{digest[:12]}.pdf",
            ContentFile(content))
        try:
            with transaction.atomic():
                locked = _lock(version)
                _check_approvable(locked, actor)
                locked.status = Status.APPROVED
                locked.decision_number, locked.decision_date = number, day
                locked.decision_document = name
                locked.decision_document_name = ((decision_document.name or "")[:255]
                                                  if decision_document else "")
                locked.decision_sha256 = digest
                locked.approved_at, locked.approved_by = timezone.now(), actor
                locked.save(update_fields=[
                    "status", "decision_number", "decision_date", "decision_document",
                    "decision_document_name", "decision_sha256", "approved_at", "approved_by",
                    "updated_at"])
                audit_record(action="tariff.version.approve", actor=actor, tenant=None,
                             object_type="tariff_version", object_id=locked.pk,
                             details={"schedule": locked.schedule.code,
                                      "number": locked.number, "decision_number": number,
                                      "decision_date": day, "sha256": digest})
        except BaseException:
            default_storage.delete(name)  # nothing half-written: no orphan file either
            raise
    return locked


def _check_approvable(version: TariffScheduleVersion, actor: User | None) -> None:
    if version.status != Status.SUBMITTED:
        raise _wrong_status(version, allowed=_("transmisă spre aprobare"))
    _check_reviewer(version, actor)
    _check_no_overlap(version)
    _check_not_billed(version)


def tariff_version_return(*, version: TariffScheduleVersion, comments: str,
                          actor: User | None) -> TariffScheduleVersion:
    """Send a submitted version back to AGE with the Chancellery's comments."""
    with audited_refusal(action="tariff.version.return", tenant=None, with_fields=True, actor=actor,
                          object_type="tariff_version", object_id=version.pk), \
            transaction.atomic():
        text = comments.strip()
        if not text:
            raise InvalidInput(_("Indicați observațiile pentru returnare."),
                               code="comments_required",
                               fields={"comments": [_("Câmp obligatoriu.")]})
        locked = _lock(version)
        if locked.status != Status.SUBMITTED:
            raise _wrong_status(locked, allowed=_("transmisă spre aprobare"))
        TariffVersionReturn.objects.create(version=locked, comments=text, returned_by=actor,
                                           returned_at=timezone.now())
        locked.status = Status.RETURNED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(action="tariff.version.return", actor=actor, tenant=None,
                     object_type="tariff_version", object_id=locked.pk,
                     details={"schedule": locked.schedule.code, "number": locked.number,
                              "comments": text})
    return locked
