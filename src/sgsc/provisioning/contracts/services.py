"""Writes of connection contracts (Annex 1 §9-11) and of AGE's standard contract template.

A contract is drafted from an approved connection request, edited while it is a draft, signed
by both parties (which starts provisioning), then follows its lifecycle. Every change and every
refusal is in the audit log (platform chain).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.template import TemplateSyntaxError, engines
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.billing.tariffs.models import TariffSchedule
from sgsc.billing.tariffs.selectors import tariff_schedule_get, tariff_version_effective
from sgsc.platform.errors import Conflict, InvalidInput, NotFound
from sgsc.platform.queue import enqueue_on_commit
from sgsc.provisioning.contracts.models import (
    Contract,
    ContractNumberCounter,
    ContractSignature,
    ContractTemplate,
)
from sgsc.provisioning.documents import is_pdf
from sgsc.provisioning.numbering import yearly_number_take
from sgsc.provisioning.requests.models import Channel, ConnectionRequest
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.workdays.selectors import deadline_after, local_date
from sgsc.tenants.models import Tenant, validate_slug

HANDOVER_WORKING_DAYS = 10  # Annex 1 §11: access within 10 working days from signature
MAX_SIGNED_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_TERM_MONTHS = 120
PROVISION_TASK = "onboarding.provision"

# Who may follow whom after signature; draft -> signed only through contract_sign.
_TRANSITIONS: dict[str, frozenset[str]] = {
    Contract.Status.DRAFT: frozenset(),
    Contract.Status.SIGNED: frozenset({Contract.Status.ACTIVE, Contract.Status.TERMINATED}),
    Contract.Status.ACTIVE: frozenset({Contract.Status.SUSPENDED, Contract.Status.TERMINATED,
                                       Contract.Status.EXPIRED}),
    Contract.Status.SUSPENDED: frozenset({Contract.Status.ACTIVE, Contract.Status.TERMINATED,
                                          Contract.Status.EXPIRED}),
    Contract.Status.TERMINATED: frozenset(),
    Contract.Status.EXPIRED: frozenset(),
    Contract.Status.CANCELLED: frozenset(),
}
# Suspension and termination need a reason and the legal basis (Annex 2 §37).
_NEEDS_GROUNDS = frozenset({Contract.Status.SUSPENDED, Contract.Status.TERMINATED})


def _not_draft(contract: Contract) -> Conflict:
    return Conflict(
        _("Contractul %(number)s nu mai este un proiect (stare: %(status)s).")
        % {"number": contract.number, "status": contract.get_status_display()},
        code="contract_not_draft",
    )


def _request_not_approved(request: ConnectionRequest) -> Conflict:
    return Conflict(
        _("Cererea %(number)s nu este aprobată (stare: %(status)s).")
        % {"number": request.number, "status": request.get_status_display()},
        code="request_not_approved",
    )


# ---------------------------------------------------------------------------------------------
# The standard contract template
# ---------------------------------------------------------------------------------------------

def _compile_template(body: str) -> Any:
    try:
        return engines["django"].from_string(body)
    except TemplateSyntaxError as error:
        raise InvalidInput(_("Textul contractului nu este un șablon valid: %(error)s")
                           % {"error": error}, code="invalid_template",
                           fields={"body": [str(error)]}) from error


def _clean_template_fields(*, title: str, body: str, effective_from: date | None) -> str:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Câmp obligatoriu.")]
    if not body.strip():
        errors["body"] = [_("Câmp obligatoriu.")]
    if effective_from is None:
        errors["effective_from"] = [_("Câmp obligatoriu.")]
    if errors:
        raise InvalidInput(_("Completați câmpurile obligatorii."), code="required",
                           fields=errors)
    compiled = _compile_template(body)
    try:
        # Errors that only show when rendering (an unknown URL name, a bad argument).
        compiled.render({})
    except Exception as error:
        raise InvalidInput(_("Textul contractului nu poate fi generat: %(error)s")
                           % {"error": error}, code="invalid_template",
                           fields={"body": [str(error)]}) from error
    return title.strip()


def contract_template_create_version(*, title: str, body: str, effective_from: date,
                                     actor: User | None) -> ContractTemplate:
    """A new version of the standard contract; earlier versions stay as they were."""
    with audited_refusal(action="contract.template.create", tenant=None, actor=actor,
                         object_type="contract_template", object_id=""):
        clean_title = _clean_template_fields(title=title, body=body,
                                             effective_from=effective_from)
        try:
            with transaction.atomic():
                latest = (ContractTemplate.objects.select_for_update()
                          .order_by("-version").first())
                version = (latest.version if latest else 0) + 1
                template = ContractTemplate.objects.create(
                    version=version, title=clean_title, body=body,
                    effective_from=effective_from, created_by=actor)
                audit_record(action="contract.template.create", actor=actor, tenant=None,
                             object_type="contract_template", object_id=template.pk,
                             details={"version": version, "title": clean_title,
                                      "effective_from": effective_from.isoformat(),
                                      "body_sha256": _sha256_text(body)})
        except IntegrityError as error:  # a concurrent creator took the same number
            raise Conflict(_("O altă versiune a fost creată în același timp. Reîncercați."),
                           code="version_taken") from error
    return template


def contract_template_update(*, template: ContractTemplate, title: str, body: str,
                             effective_from: date, actor: User | None) -> ContractTemplate:
    """Correct a version no contract uses yet; a used version is never edited."""
    with audited_refusal(action="contract.template.update", tenant=None, actor=actor,
                         object_type="contract_template", object_id=template.pk):
        clean_title = _clean_template_fields(title=title, body=body,
                                             effective_from=effective_from)
        with transaction.atomic():
            locked = ContractTemplate.objects.select_for_update().get(pk=template.pk)
            if Contract.objects.filter(template=locked).exists():
                raise Conflict(
                    _("Versiunea %(version)s este folosită de contracte și nu mai poate fi "
                      "modificată; creați o versiune nouă.") % {"version": locked.version},
                    code="template_in_use")
            locked.title, locked.body, locked.effective_from = clean_title, body, effective_from
            locked.save(update_fields=["title", "body", "effective_from"])
            audit_record(action="contract.template.update", actor=actor, tenant=None,
                         object_type="contract_template", object_id=locked.pk,
                         details={"version": locked.version, "title": clean_title,
                                  "effective_from": effective_from.isoformat(),
                                  "body_sha256": _sha256_text(body)})
    return locked


def contract_template_current(on: date | None = None) -> ContractTemplate | None:
    """The version that applies on ``on`` (today by default): the latest one in effect."""
    day = on or local_date(timezone.now())
    return (ContractTemplate.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version").first())


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------------------------

_STOP_WORDS = frozenset({
    "a", "al", "ale", "ai", "si", "de", "din", "la", "in", "pe", "cu", "pentru", "privind",
    "sau", "prin", "sub", "lui", "i", "ip", "institutia", "publica", "the", "of", "and",
})


_LEGAL_FORM = re.compile(r"^\W*i\W*p\W+")  # "Î.P." (public institution) says nothing


def _ascii_words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold())
    ascii_text = _LEGAL_FORM.sub("", folded.encode("ascii", "ignore").decode())
    return [word for word in re.split(r"[^a-z0-9]+", ascii_text) if word]


def _slug_taken(slug: str, *, exclude_contract: int | None = None) -> bool:
    if Tenant.objects.filter(slug=slug).exists():
        return True
    contracts = Contract.objects.filter(tenant_slug=slug)
    if exclude_contract is not None:
        contracts = contracts.exclude(pk=exclude_contract)
    return contracts.exists()


def _slug_valid(slug: str) -> bool:
    try:
        validate_slug(slug)
    except ValidationError:
        return False
    return True


def tenant_slug_propose(*, name: str, exclude_contract: int | None = None) -> str:
    """An ASCII slug for the institution's space: initials of the significant words
    ("Casa Națională de Asigurări Sociale" -> "cnas"), else the words themselves; unique among
    tenants and contracts, with a number appended when needed."""
    words = _ascii_words(name)
    significant = [word for word in words if word not in _STOP_WORDS] or words or ["prestator"]
    initials = "".join(word[0] for word in significant if word[0].isalpha())
    joined = "-".join(significant)[:42].strip("-")
    candidates = [c for c in (initials, joined) if _slug_valid(c)]
    if not candidates:
        base = ("p-" + joined)[:38].strip("-") if joined else "prestator"
        candidates = [base if _slug_valid(base) else "prestator"]
    for candidate in candidates:
        if not _slug_taken(candidate, exclude_contract=exclude_contract):
            return candidate
    base = candidates[0][:36].strip("-")
    suffix = 2
    while True:
        candidate = f"{base}-{suffix}"
        if _slug_valid(candidate) and not _slug_taken(candidate,
                                                       exclude_contract=exclude_contract):
            return candidate
        suffix += 1


def contract_draft_for_request(*, connection_request: ConnectionRequest,
                               actor: User | None) -> Contract:
    """The draft contract of an approved request, from the standard contract in effect today.

    Runs inside the caller's transaction when there is one (the request's approval).
    """
    with audited_refusal(action="contract.draft", tenant=None, actor=actor,
                         object_type="connection_request",
                         object_id=connection_request.pk), transaction.atomic():
        request = (ConnectionRequest.objects.select_for_update()
                   .select_related("institution").get(pk=connection_request.pk))
        if request.status != ConnectionRequest.Status.APPROVED:
            raise _request_not_approved(request)
        existing = Contract.objects.filter(request=request).first()
        if existing is not None:
            raise Conflict(_("Cererea %(request)s are deja contractul %(number)s.")
                           % {"request": request.number, "number": existing.number},
                           code="contract_exists")
        now = timezone.now()
        today = local_date(now)
        template = contract_template_current(on=today)
        if template is None:
            raise Conflict(_("Nu există niciun contract-tip în vigoare."),
                           code="no_contract_template")
        contract = Contract.objects.create(
            number=yearly_number_take(ContractNumberCounter, year=today.year, prefix="C"),
            request=request,
            template=template,
            institution=request.institution,
            tenant_slug=tenant_slug_propose(name=request.institution.name),
            services=list(request.services),
            channels=list(request.channels),
            tariff_schedule=tariff_schedule_get(code=settings.CONTRACT_DEFAULT_TARIFF_CODE),
            created_by=actor,
        )
        audit_record(action="contract.draft", actor=actor, tenant=None,
                     object_type="contract", object_id=contract.pk,
                     details={"number": contract.number, "request": request.number,
                              "template_version": template.version,
                              "tenant_slug": contract.tenant_slug})
    return contract


def _clean_draft_fields(*, contract_pk: int, tenant_slug: str, tariff_code: str,
                        term_months: int, services: Sequence[str],
                        channels: Sequence[str],
                        ) -> tuple[str, TariffSchedule, list[str], list[str]]:
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    slug = tenant_slug.strip().lower()
    try:
        validate_slug(slug)
    except ValidationError as error:
        errors["tenant_slug"] = list(error.messages)
        codes.append(error.code or "invalid_slug")
    tariff = TariffSchedule.objects.filter(code=tariff_code.strip()).first()
    if tariff is None:
        errors["tariff_code"] = [_("Nu există o grilă tarifară cu acest cod.")]
        codes.append("unknown_tariff_schedule")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        errors["term_months"] = [_("Durata este între 1 și %(max)s luni.")
                                 % {"max": MAX_TERM_MONTHS}]
        codes.append("invalid_term")
    clean_services = [s.strip() for s in services if s.strip()]
    if not clean_services:
        errors["services"] = [_("Indicați cel puțin un serviciu.")]
        codes.append("services_required")
    elif any(len(s) > 255 for s in clean_services):
        errors["services"] = [_("Denumirea unui serviciu are cel mult 255 de caractere.")]
        codes.append("invalid_service")
    clean_channels = list(dict.fromkeys(channels))
    if not clean_channels:
        errors["channels"] = [_("Indicați cel puțin un canal.")]
        codes.append("channels_required")
    elif any(c not in Channel.values for c in clean_channels):
        errors["channels"] = [_("Canal necunoscut.")]
        codes.append("invalid_channel")
    if errors or tariff is None:
        # One problem: its own code; several: the general one, with every field named.
        raise InvalidInput(_("Datele contractului nu sunt valide."),
                           code=codes[0] if len(codes) == 1 else "invalid_input", fields=errors)
    if _slug_taken(slug, exclude_contract=contract_pk):
        raise Conflict(_("Identificatorul „%(slug)s” este deja folosit.") % {"slug": slug},
                       code="slug_taken", fields={"tenant_slug": [_("Identificator ocupat.")]})
    return slug, tariff, clean_services, clean_channels


def contract_update_draft(*, contract: Contract, tenant_slug: str, tariff_code: str,
                          effective_date: date | None, term_months: int,
                          services: Sequence[str], channels: Sequence[str],
                          actor: User | None) -> Contract:
    """Change the editable terms of a draft; a signed contract is never edited."""
    with audited_refusal(action="contract.update", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk), transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.status != Contract.Status.DRAFT:
            raise _not_draft(locked)
        slug, tariff, clean_services, clean_channels = _clean_draft_fields(
            contract_pk=locked.pk, tenant_slug=tenant_slug, tariff_code=tariff_code,
            term_months=term_months, services=services, channels=channels)
        fields = ("tenant_slug", "tariff_schedule", "effective_date", "term_months",
                  "services", "channels")
        before = {name: getattr(locked, name) for name in fields}
        locked.tenant_slug, locked.tariff_schedule = slug, tariff
        locked.effective_date, locked.term_months = effective_date, term_months
        locked.services, locked.channels = clean_services, clean_channels
        after = {name: getattr(locked, name) for name in fields}
        changed = [name for name in fields if before[name] != after[name]]
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(action="contract.update", actor=actor, tenant=None,
                     object_type="contract", object_id=locked.pk,
                     details={"number": locked.number, "changed": changed,
                              "before": {n: before[n] for n in changed},
                              "after": {n: after[n] for n in changed}})
    return locked


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------

def _check_signed_document(document: UploadedFile) -> bytes:
    if document.size is not None and document.size > MAX_SIGNED_DOCUMENT_BYTES:
        raise InvalidInput(_("Documentul semnat depășește 10 MB."), code="file_too_large",
                           fields={"signed_document": [_("Cel mult 10 MB.")]})
    document.seek(0)
    content = document.read(MAX_SIGNED_DOCUMENT_BYTES + 1)
    if len(content) > MAX_SIGNED_DOCUMENT_BYTES:
        raise InvalidInput(_("Documentul semnat depășește 10 MB."), code="file_too_large",
                           fields={"signed_document": [_("Cel mult 10 MB.")]})
    if not is_pdf(content):
        raise InvalidInput(_("Documentul semnat trebuie să fie un fișier PDF."), code="not_pdf",
                           fields={"signed_document": [_("Nu este un fișier PDF.")]})
    return content


def _check_signers(**signers: str) -> dict[str, str]:
    clean = {name: value.strip() for name, value in signers.items()}
    missing = {name: [_("Câmp obligatoriu.")] for name, value in clean.items() if not value}
    too_long = {name: [_("Cel mult 255 de caractere.")] for name, value in clean.items()
                if len(value) > 255}
    if missing or too_long:
        raise InvalidInput(_("Indicați numele și funcția semnatarilor."), code="required",
                           fields={**too_long, **missing})
    return clean


def _check_signable(contract: Contract) -> None:
    if contract.status != Contract.Status.DRAFT:
        raise _not_draft(contract)
    if contract.request.status != ConnectionRequest.Status.APPROVED:
        raise _request_not_approved(contract.request)
    if Tenant.objects.filter(slug=contract.tenant_slug).exists():
        raise Conflict(_("Identificatorul „%(slug)s” este deja folosit; modificați proiectul.")
                       % {"slug": contract.tenant_slug}, code="slug_taken")
    # The tariffs a provider pays must be approved by the Chancellery on the first day.
    try:
        tariff_version_effective(schedule=contract.tariff_schedule,
                                 on=contract.effective_date or local_date(timezone.now()))
    except NotFound as error:
        raise Conflict(error.message, code="no_approved_tariff") from error


def contract_sign(*, contract: Contract, age_signer_name: str, age_signer_position: str,
                  provider_signer_name: str, provider_signer_position: str,
                  signed_document: UploadedFile | None, actor: User | None) -> Contract:
    """Record both signatures and the signed document; provisioning starts after commit.

    Without an uploaded scan, the platform's own rendering (with the signers' names) is the
    signed document. The handover deadline is 10 working days from the signature.
    """
    with audited_refusal(action="contract.sign", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk):
        signers = _check_signers(age_signer_name=age_signer_name,
                                 age_signer_position=age_signer_position,
                                 provider_signer_name=provider_signer_name,
                                 provider_signer_position=provider_signer_position)
        uploaded = signed_document is not None
        content = _check_signed_document(signed_document) if signed_document else None
        # A cheap look before the (slow) rendering; checked again under the lock below.
        current = Contract.objects.select_related("request").get(pk=contract.pk)
        _check_signable(current)
        signed_at = timezone.now()
        if content is None:
            from sgsc.provisioning.contracts.pdf import contract_pdf_bytes

            content = contract_pdf_bytes(contract=current, signers=signers, signed_at=signed_at)
        digest = hashlib.sha256(content).hexdigest()
        name = default_storage.save(
            f"contracts/{local_date(signed_at).year}/{current.number}-{digest[:12]}.pdf",
            ContentFile(content))
        try:
            signed = _sign_locked(contract_pk=contract.pk, signers=signers, signed_at=signed_at,
                                  document_name=name, size=len(content), digest=digest,
                                  uploaded=uploaded,
                                  original_name=(signed_document.name or "")
                                  if signed_document else "", actor=actor)
        except BaseException:
            default_storage.delete(name)  # nothing half-written: no orphan file either
            raise
    return signed


def _sign_locked(*, contract_pk: int, signers: dict[str, str], signed_at: Any,
                 document_name: str, size: int, digest: str, uploaded: bool,
                 original_name: str, actor: User | None) -> Contract:
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract_pk)
        # The request is locked too: it cannot be withdrawn while the contract is signed.
        locked.request = ConnectionRequest.objects.select_for_update().get(pk=locked.request_id)
        _check_signable(locked)
        for party, prefix in ((ContractSignature.Party.AGE, "age"),
                              (ContractSignature.Party.PROVIDER, "provider")):
            ContractSignature.objects.create(
                contract=locked, party=party, signer_name=signers[f"{prefix}_signer_name"],
                signer_position=signers[f"{prefix}_signer_position"], signed_at=signed_at,
                document=document_name, document_name=original_name[:255] or
                document_name.rsplit("/", 1)[-1], document_size=size,
                document_uploaded=uploaded, sha256=digest, recorded_by=actor)
        locked.status = Contract.Status.SIGNED
        locked.signed_at = signed_at
        locked.handover_deadline = deadline_after(event=signed_at,
                                                  working_days=HANDOVER_WORKING_DAYS)
        if locked.effective_date is None:
            locked.effective_date = local_date(signed_at)
        locked.save(update_fields=["status", "signed_at", "handover_deadline",
                                   "effective_date", "updated_at"])
        audit_record(action="contract.sign", actor=actor, tenant=None, object_type="contract",
                     object_id=locked.pk,
                     details={"number": locked.number, "sha256": digest,
                              "document_uploaded": uploaded,
                              "age_signer": signers["age_signer_name"],
                              "provider_signer": signers["provider_signer_name"],
                              "handover_deadline": locked.handover_deadline.isoformat()})
        enqueue_on_commit(PROVISION_TASK, kwargs={"contract_id": locked.pk})
    return locked


def contract_cancel_draft(*, contract: Contract, reason: str, actor: User | None) -> Contract:
    """Give up an approved request's draft before signature: the contract becomes
    ``cancelled`` and its request is closed as withdrawn, in one transaction. Nothing was
    signed or provisioned, so nothing else is undone; the institution may ask again."""
    from sgsc.provisioning.requests.services import (
        connection_request_close_for_cancelled_contract,
    )

    with audited_refusal(action="contract.cancel", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk):
        reason = reason.strip()
        if not reason:
            raise InvalidInput(_("Indicați motivul anulării."), code="reason_required",
                               fields={"reason": [_("Câmp obligatoriu.")]})
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            if locked.status != Contract.Status.DRAFT:
                raise _not_draft(locked)
            locked.status = Contract.Status.CANCELLED
            locked.status_changed_at = timezone.now()
            locked.status_reason, locked.status_legal_basis = reason, ""
            locked.save(update_fields=["status", "status_changed_at", "status_reason",
                                       "status_legal_basis", "updated_at"])
            request = connection_request_close_for_cancelled_contract(
                connection_request=locked.request, actor=actor, reason=reason)
            audit_record(action="contract.cancel", actor=actor, tenant=None,
                         object_type="contract", object_id=locked.pk,
                         details={"number": locked.number, "from": Contract.Status.DRAFT,
                                  "to": Contract.Status.CANCELLED, "reason": reason,
                                  "request": request.number})
    return locked


# ---------------------------------------------------------------------------------------------
# Lifecycle after signature
# ---------------------------------------------------------------------------------------------

def _transition(*, contract_pk: int, status: str, actor: User | None, reason: str,
                legal_basis: str, mutate: Callable[[Contract], None] | None = None,
                idempotent_if: Callable[[Contract], bool] | None = None) -> Contract:
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract_pk)
        if idempotent_if is not None and idempotent_if(locked):
            return locked
        if status not in _TRANSITIONS[locked.status]:
            raise Conflict(
                _("Trecerea contractului din „%(current)s” în „%(target)s” nu este permisă.")
                % {"current": locked.get_status_display(),
                   "target": Contract.Status(status).label},
                code="invalid_transition")
        previous = locked.status
        if mutate is not None:
            mutate(locked)
        locked.status = status
        locked.status_changed_at = timezone.now()
        locked.status_reason, locked.status_legal_basis = reason, legal_basis
        locked.save()
        audit_record(action="contract.status.change", actor=actor, tenant=None,
                     object_type="contract", object_id=locked.pk,
                     details={"number": locked.number, "from": previous, "to": status,
                              "reason": reason, "legal_basis": legal_basis,
                              "tenant": locked.tenant.slug if locked.tenant else None})
    return locked


def contract_set_status(*, contract: Contract, status: str, reason: str = "",
                        legal_basis: str = "", actor: User | None) -> Contract:
    """Suspend, terminate (both with reason and legal basis), reactivate or expire."""
    with audited_refusal(action="contract.status.change", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk,
                         details={"to": status}):
        if status not in (Contract.Status.ACTIVE, Contract.Status.SUSPENDED,
                          Contract.Status.TERMINATED, Contract.Status.EXPIRED):
            raise InvalidInput(_("Stare necunoscută sau care nu se stabilește manual."),
                               code="invalid_status", fields={"status": [_("Valoare nepermisă.")]})
        reason, legal_basis = reason.strip(), legal_basis.strip()
        if status in _NEEDS_GROUNDS:
            errors = {}
            if not reason:
                errors["reason"] = [_("Câmp obligatoriu.")]
            if not legal_basis:
                errors["legal_basis"] = [_("Câmp obligatoriu.")]
            if errors:
                raise InvalidInput(_("Indicați motivul și temeiul legal."),
                                   code="reason_required", fields=errors)
        if status == Contract.Status.ACTIVE:
            current = Contract.objects.get(pk=contract.pk)
            if current.status == Contract.Status.SIGNED:
                # Only provisioning knows the tenant is live: contract_mark_active.
                raise Conflict(_("Contractul intră în vigoare când spațiul prestatorului "
                                 "este gata."), code="invalid_transition")
        return _transition(contract_pk=contract.pk, status=status, actor=actor, reason=reason,
                           legal_basis=legal_basis)


def contract_mark_active(*, contract: Contract, tenant: Tenant,
                         actor: User | None = None) -> Contract:
    """Provisioning finished: the contract is in force and bound to its tenant. Running it
    again for the same tenant changes nothing."""
    with audited_refusal(action="contract.status.change", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk,
                         details={"to": Contract.Status.ACTIVE, "tenant": tenant.slug}):
        def bind(locked: Contract) -> None:
            locked.tenant = tenant

        def already(locked: Contract) -> bool:
            return locked.status != Contract.Status.SIGNED and locked.tenant_id == tenant.pk

        current = Contract.objects.get(pk=contract.pk)
        if current.status == Contract.Status.SIGNED and tenant.slug != current.tenant_slug:
            raise Conflict(_("Spațiul nu corespunde contractului."), code="tenant_mismatch")
        return _transition(contract_pk=contract.pk, status=Contract.Status.ACTIVE,
                           actor=actor, reason="", legal_basis="", mutate=bind,
                           idempotent_if=already)


def contract_record_handover(*, contract: Contract, actor: User | None) -> Contract:
    """AGE has handed the access package over (Annex 1 §11); only once, after activation."""
    with audited_refusal(action="contract.handover", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk), transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        if locked.handed_over_at is not None:
            raise Conflict(_("Predarea accesului a fost deja înregistrată."),
                           code="already_handed_over")
        if locked.status != Contract.Status.ACTIVE:
            raise Conflict(_("Accesul se predă după ce spațiul prestatorului este activ."),
                           code="contract_not_active")
        now = timezone.now()
        locked.handed_over_at, locked.handed_over_by = now, actor
        locked.save(update_fields=["handed_over_at", "handed_over_by", "updated_at"])
        on_time = locked.handover_deadline is None or now <= locked.handover_deadline
        audit_record(action="contract.handover", actor=actor, tenant=None,
                     object_type="contract", object_id=locked.pk,
                     details={"number": locked.number, "on_time": on_time,
                              "deadline": locked.handover_deadline.isoformat()
                              if locked.handover_deadline else None})
    return locked
