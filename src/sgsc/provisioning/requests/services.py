"""Writes over connection requests: submission and every transition (Annex 1 §7-10).

Every change writes one timeline entry (``RequestEvent``) and one audit event in the same
transaction; a refusal is audited as a failure after its transaction has rolled back.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.provisioning.documents import PDF_MAGIC, is_pdf
from sgsc.provisioning.numbering import yearly_number_take
from sgsc.provisioning.requests.models import (
    Channel,
    ConnectionRequest,
    InfoRequestLink,
    RequestDocument,
    RequestEvent,
    RequestNumberCounter,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.models import User
from sgsc.shared_apps.institutions.models import Institution
from sgsc.shared_apps.institutions.validators import validate_idno, validate_idnp
from sgsc.shared_apps.workdays.selectors import (
    deadline_after,
    local_date,
    local_zone,
    working_days_left,
)

REVIEW_WORKING_DAYS = 10  # Annex 1 §8
Status = ConnectionRequest.Status
Kind = RequestDocument.Kind

# The statuses each action may start from; anything else is an invalid transition.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "start_review": (Status.SUBMITTED,),
    "ask_info": (Status.SUBMITTED, Status.UNDER_REVIEW),
    "info_provided": (Status.NEEDS_INFO,),
    "approve": (Status.SUBMITTED, Status.UNDER_REVIEW),
    "reject": ConnectionRequest.OPEN_STATUSES,
    "withdraw": ConnectionRequest.OPEN_STATUSES,
    # Only through contract_cancel_draft: the approved request ends with its draft contract.
    "contract_cancel": (Status.APPROVED,),
}
_CONTRACT_ONLY_ACTIONS = frozenset({"contract_cancel"})


class InfoLinkGone(ApplicationError):
    """The applicant's answer link existed but can no longer be used."""

    status_code = 410
    default_code = "info_link_gone"


def connection_request_actions(*, status: str) -> list[str]:
    """The actions possible on a request in ``status`` (what the console offers)."""
    return [action for action, sources in ALLOWED_FROM.items()
            if status in sources and action not in _CONTRACT_ONLY_ACTIONS]


class _Errors:
    """Collects field errors; the first one gives the error's code and message."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.code: str | None = None
        self.message = ""

    def add(self, field: str, code: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)
        if self.code is None:
            self.code, self.message = code, message

    def raise_if_any(self) -> None:
        if self.code is not None:
            raise InvalidInput(self.message, code=self.code, fields=self.fields)


@dataclass(frozen=True)
class _CheckedDocument:
    kind: str
    upload: UploadedFile
    name: str
    size: int
    sha256: str


# -- submission ----------------------------------------------------------------------------

def connection_request_submit(
    *,
    institution_idno: str,
    institution_name: str,
    institution_kind: str = "",
    mode: str,
    coordinator_idno: str = "",
    coordinator_name: str = "",
    member_idnos: Sequence[str] = (),
    member_names: Mapping[str, str] | None = None,
    agreement_number: str = "",
    agreement_date: date | None = None,
    services: Sequence[str],
    channels: Sequence[str],
    expected_seats: int,
    expected_requests_month: int,
    expected_call_minutes: int = 0,
    contact_name: str,
    contact_idnp: str,
    contact_email: str,
    contact_phone: str,
    documents: Sequence[tuple[str, UploadedFile]] = (),
    actor: User | None = None,
) -> ConnectionRequest:
    """Register a provider's request to be connected (Annex 1 §7): number, receipt time and
    the review deadline of 10 working days (§8). Unknown institutions join the registry."""
    institution_idno = _digits(institution_idno)
    with audited_refusal(action="connection_request.submit", actor=actor, tenant=None,
                         object_type="institution", object_id=institution_idno[:32],
                         with_fields=True):
        cleaned = _submission_clean(
            institution_idno=institution_idno, institution_name=institution_name,
            institution_kind=institution_kind, mode=mode, coordinator_idno=coordinator_idno,
            coordinator_name=coordinator_name, member_idnos=member_idnos,
            member_names=member_names or {}, agreement_number=agreement_number,
            agreement_date=agreement_date, services=services, channels=channels,
            expected_seats=expected_seats, expected_requests_month=expected_requests_month,
            expected_call_minutes=expected_call_minutes, contact_name=contact_name,
            contact_idnp=contact_idnp, contact_email=contact_email, contact_phone=contact_phone,
            documents=documents,
        )
        with _files_removed_on_failure() as written, transaction.atomic():
            return _submission_store(cleaned, actor=actor, written=written)


def _submission_clean(
    *,
    institution_idno: str,
    institution_name: str,
    institution_kind: str,
    mode: str,
    coordinator_idno: str,
    coordinator_name: str,
    member_idnos: Sequence[str],
    member_names: Mapping[str, str],
    agreement_number: str,
    agreement_date: date | None,
    services: Sequence[str],
    channels: Sequence[str],
    expected_seats: int,
    expected_requests_month: int,
    expected_call_minutes: int,
    contact_name: str,
    contact_idnp: str,
    contact_email: str,
    contact_phone: str,
    documents: Sequence[tuple[str, UploadedFile]],
) -> dict[str, Any]:
    errors = _Errors()
    required = _("Câmp obligatoriu.")

    _idno_check(errors, "institution_idno", institution_idno)
    institution_name = institution_name.strip()
    if not institution_name:
        errors.add("institution_name", "required", required)
    for field, text, limit in (("institution_name", institution_name, 255),
                               ("coordinator_name", coordinator_name, 255),
                               ("agreement_number", agreement_number, 64),
                               ("contact_name", contact_name, 255),
                               ("contact_email", contact_email, 254)):
        if len(text.strip()) > limit:
            errors.add(field, "too_long",
                       _("Cel mult %(limit)d caractere.") % {"limit": limit})
    institution_kind = institution_kind or Institution.Kind.OTHER
    if institution_kind not in Institution.Kind.values:
        errors.add("institution_kind", "invalid_kind", _("Tip de instituție necunoscut."))
    if mode not in ConnectionRequest.Mode.values:
        errors.add("mode", "invalid_mode", _("Modul trebuie să fie „individual” sau „hub”."))

    clean_services = [item.strip() for item in services if item and item.strip()]
    if not clean_services:
        errors.add("services", "services_required",
                   _("Indicați cel puțin un serviciu pentru care se solicită suport."))
    if any(len(item) > 255 for item in clean_services):
        errors.add("services", "invalid_input",
                   _("Denumirea unui serviciu are cel mult 255 de caractere."))
    clean_channels = list(dict.fromkeys(channels))
    if not clean_channels:
        errors.add("channels", "channels_required", _("Alegeți cel puțin un canal."))
    elif any(channel not in Channel.values for channel in clean_channels):
        errors.add("channels", "invalid_channel", _("Canal necunoscut."))

    for field, value, minimum in (("expected_seats", expected_seats, 1),
                                  ("expected_requests_month", expected_requests_month, 0),
                                  ("expected_call_minutes", expected_call_minutes, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            errors.add(field, "invalid_volume",
                       _("Introduceți un număr întreg de cel puțin %(minimum)d.")
                       % {"minimum": minimum})

    contact_name = contact_name.strip()
    if not contact_name:
        errors.add("contact_name", "required", required)
    contact_idnp = _digits(contact_idnp)
    try:
        validate_idnp(contact_idnp)
    except ValidationError as error:
        errors.add("contact_idnp", "invalid_idnp", str(error.messages[0]))
    contact_email = contact_email.strip()
    try:
        validate_email(contact_email)
    except ValidationError:
        errors.add("contact_email", "invalid_email", _("Adresa de e-mail nu este validă."))
    contact_phone = contact_phone.strip()
    if not contact_phone:
        errors.add("contact_phone", "required", required)
    elif len(contact_phone) > 32:
        errors.add("contact_phone", "invalid_phone", _("Numărul de telefon este prea lung."))

    checked = [_document_check(errors, kind, upload) for kind, upload in documents]
    clean_documents = [item for item in checked if item is not None]

    coordinator = ""
    members: list[str] = []
    names = {_digits(key): value.strip()[:255] for key, value in member_names.items()}
    agreement_number = agreement_number.strip()
    if mode == ConnectionRequest.Mode.HUB:
        coordinator = _digits(coordinator_idno)
        if not coordinator:
            errors.add("coordinator_idno", "hub_coordinator_required",
                       _("Un hub are nevoie de instituția coordonatoare."))
        else:
            _idno_check(errors, "coordinator_idno", coordinator)
        members = list(dict.fromkeys(_digits(idno) for idno in member_idnos if idno.strip()))
        if len(members) < 2:
            errors.add("members", "hub_members_required",
                       _("Un hub deservește cel puțin două instituții membre."))
        for idno in members:
            _idno_check(errors, "members", idno)
        if not agreement_number or agreement_date is None:
            errors.add("agreement_number" if not agreement_number else "agreement_date",
                       "hub_agreement_required",
                       _("Indicați numărul și data acordului interinstituțional."))
        if not any(kind == Kind.AGREEMENT for kind, _upload in documents):
            errors.add("document_agreement", "hub_agreement_document_required",
                       _("Atașați acordul interinstituțional (PDF)."))
        if errors.code is None:
            coordinator_name = coordinator_name.strip() or (
                institution_name if coordinator == institution_idno else "")
            if coordinator_name:
                names.setdefault(coordinator, coordinator_name)
            names.setdefault(institution_idno, institution_name)
            known = set(Institution.objects.filter(idno__in=[coordinator, *members])
                        .values_list("idno", flat=True))
            if coordinator not in known and not names.get(coordinator):
                errors.add("coordinator_name", "hub_coordinator_name_required",
                           _("Instituția coordonatoare nu este în registru: indicați "
                             "denumirea ei."))
            unknown = [idno for idno in members if idno not in known and not names.get(idno)]
            if unknown:
                errors.add("members", "hub_member_name_required",
                           _("Instituțiile %(idnos)s nu sunt în registru: indicați denumirea "
                             "fiecăreia după IDNO.") % {"idnos": ", ".join(unknown)})
    errors.raise_if_any()
    return {
        "institution_idno": institution_idno, "institution_name": institution_name,
        "institution_kind": institution_kind, "mode": mode, "coordinator": coordinator,
        "members": members, "names": names,
        "agreement_number": agreement_number if mode == ConnectionRequest.Mode.HUB else "",
        "agreement_date": agreement_date if mode == ConnectionRequest.Mode.HUB else None,
        "services": clean_services, "channels": clean_channels,
        "expected_seats": expected_seats, "expected_requests_month": expected_requests_month,
        "expected_call_minutes": expected_call_minutes, "contact_name": contact_name,
        "contact_idnp": contact_idnp, "contact_email": contact_email,
        "contact_phone": contact_phone, "documents": clean_documents,
    }


def _submission_store(cleaned: dict[str, Any], *, actor: User | None,
                      written: list[str]) -> ConnectionRequest:
    institution = _institution_lock_or_create(
        idno=cleaned["institution_idno"], name=cleaned["institution_name"],
        kind=cleaned["institution_kind"])
    _duplicate_refuse(institution)
    coordinator = None
    members: list[Institution] = []
    if cleaned["mode"] == ConnectionRequest.Mode.HUB:
        names = cleaned["names"]
        coordinator = (institution if cleaned["coordinator"] == institution.idno else
                       _institution_lock_or_create(idno=cleaned["coordinator"],
                                                   name=names.get(cleaned["coordinator"], ""),
                                                   kind=Institution.Kind.OTHER))
        members = [institution if idno == institution.idno else
                   _institution_lock_or_create(idno=idno, name=names.get(idno, ""),
                                               kind=Institution.Kind.OTHER)
                   for idno in cleaned["members"]]
    received_at = timezone.now()
    request = ConnectionRequest.objects.create(
        number=yearly_number_take(RequestNumberCounter, year=local_date(received_at).year,
                                  prefix="CR"),
        institution=institution,
        mode=cleaned["mode"],
        coordinator=coordinator,
        agreement_number=cleaned["agreement_number"],
        agreement_date=cleaned["agreement_date"],
        services=cleaned["services"],
        channels=cleaned["channels"],
        expected_seats=cleaned["expected_seats"],
        expected_requests_month=cleaned["expected_requests_month"],
        expected_call_minutes=cleaned["expected_call_minutes"],
        contact_name=cleaned["contact_name"],
        contact_idnp=cleaned["contact_idnp"],
        contact_email=cleaned["contact_email"],
        contact_phone=cleaned["contact_phone"],
        status=Status.SUBMITTED,
        received_at=received_at,
        review_deadline=deadline_after(event=received_at, working_days=REVIEW_WORKING_DAYS),
    )
    if members:
        request.members.set(members)
    stored = [_document_store(request=request, document=item, actor=actor, written=written)
              for item in cleaned["documents"]]
    _timeline_record(
        request=request, action="submit", actor=actor, to_status=Status.SUBMITTED,
        at=received_at,
        details={"institution": institution.idno, "mode": request.mode,
                 "review_deadline": _iso(request.review_deadline),
                 "documents": [doc.sha256 for doc in stored]},
    )
    return request


def _iso(moment: datetime) -> str:
    """A moment as Chisinau wall-clock time with its offset (how deadlines are read)."""
    return timezone.localtime(moment, local_zone()).isoformat()


def _digits(value: str) -> str:
    """IDNO/IDNP as typed, without the spaces or hyphens people put between digit groups."""
    return re.sub(r"[\s-]", "", value)


def _idno_check(errors: _Errors, field: str, value: str) -> None:
    try:
        validate_idno(value)
    except ValidationError as error:
        errors.add(field, "invalid_idno", str(error.messages[0]))


def _institution_lock_or_create(*, idno: str, name: str, kind: str) -> Institution:
    """The institution with this IDNO, locked; created (and audited) when it is new."""
    institution = Institution.objects.select_for_update().filter(idno=idno).first()
    if institution is not None:
        return institution
    try:
        with transaction.atomic():
            institution = Institution.objects.create(idno=idno, name=name[:255], kind=kind)
    except IntegrityError:  # created meanwhile by a concurrent submission
        return Institution.objects.select_for_update().get(idno=idno)
    audit_record(action="institution.create", tenant=None, object_type="institution",
                 object_id=institution.pk,
                 details={"idno": idno, "name": institution.name, "kind": kind,
                          "source": "connection_request"})
    return institution


def _duplicate_refuse(institution: Institution) -> None:
    """One request at a time, and none while a contract is in force (§6-7)."""
    from sgsc.provisioning.contracts.models import Contract

    ended = (Contract.Status.TERMINATED, Contract.Status.EXPIRED, Contract.Status.CANCELLED)
    existing = (
        ConnectionRequest.objects.filter(institution=institution)
        .filter(status__in=[*ConnectionRequest.OPEN_STATUSES, Status.APPROVED])
        .order_by("-received_at")
    )
    for other in existing:
        contract = Contract.objects.filter(request=other).first()
        if other.status == Status.APPROVED and contract is not None and contract.status in ended:
            continue
        raise Conflict(
            _("Instituția are deja cererea %(number)s (%(status)s).")
            % {"number": other.number, "status": other.get_status_display()},
            code="duplicate_request", details={"existing": other.number})
    if Contract.objects.filter(institution=institution).exclude(status__in=ended).exists():
        raise Conflict(_("Instituția are deja un contract de conectare în vigoare."),
                       code="duplicate_request")


def _document_check(errors: _Errors, kind: str, upload: UploadedFile) -> _CheckedDocument | None:
    field = f"document_{kind}" if kind in Kind.values else "documents"
    name = (upload.name or "document.pdf").rsplit("/", 1)[-1][:255]
    if kind not in Kind.values:
        errors.add(field, "invalid_document_kind", _("Tip de document necunoscut."))
        return None
    limit = int(settings.CONNECTION_REQUEST_MAX_DOCUMENT_BYTES)
    size = upload.size or 0
    if size > limit:
        errors.add(field, "file_too_large",
                   _("„%(name)s” depășește %(limit)d MB.")
                   % {"name": name, "limit": limit // (1024 * 1024)})
        return None
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if not is_pdf(head):
        errors.add(field, "not_pdf", _("„%(name)s” nu este un document PDF.") % {"name": name})
        return None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return _CheckedDocument(kind=kind, upload=upload, name=name, size=size,
                            sha256=digest.hexdigest())


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Files written by a transaction that then fails are removed: the database rolls back,
    the storage does not."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _document_store(*, request: ConnectionRequest, document: _CheckedDocument,
                    actor: User | None, written: list[str]) -> RequestDocument:
    row = RequestDocument(request=request, kind=document.kind, original_name=document.name,
                          size=document.size, sha256=document.sha256, uploaded_by=actor)
    # The stored name never comes from the applicant: only the number and the kind.
    row.file.save(f"{request.number}-{document.kind}.pdf", document.upload, save=False)
    written.append(str(row.file.name))
    row.save()
    return row


# -- transitions ---------------------------------------------------------------------------

def connection_request_start_review(*, connection_request: ConnectionRequest,
                                    actor: User | None = None) -> ConnectionRequest:
    return _transition(connection_request=connection_request, action="start_review",
                       to_status=Status.UNDER_REVIEW, actor=actor)


def connection_request_ask_info(*, connection_request: ConnectionRequest, message: str,
                                actor: User | None = None) -> ConnectionRequest:
    """AGE asks the applicant for more information; the review term is suspended."""
    message = message.strip()
    if not message:
        with _refused(connection_request, "ask_info", actor):
            raise InvalidInput(_("Scrieți ce informații sunt necesare."),
                               code="message_required",
                               fields={"message": [_("Câmp obligatoriu.")]})

    def pause(locked: ConnectionRequest, now: datetime) -> dict[str, Any]:
        days_left = working_days_left(deadline=locked.review_deadline, now=now)
        locked.review_paused_at = now
        locked.review_days_left_at_pause = days_left
        return {"deadline": _iso(locked.review_deadline), "days_left": days_left}

    def send_link(locked: ConnectionRequest) -> dict[str, Any]:
        link = _info_link_issue(request=locked, question=message)
        return {"info_link": link.pk, "info_link_expires": _iso(link.expires_at)}

    return _transition(connection_request=connection_request, action="ask_info",
                       to_status=Status.NEEDS_INFO, actor=actor, note=message, change=pause,
                       after=send_link)


# -- the applicant's answer through a one-time link ------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def info_link_url(*, token: str) -> str:
    """Absolute address of the answer page on the public host, as sent by e-mail."""
    from sgsc.tenants.services import public_url

    return public_url(path=f"/cerere-conectare/raspuns/{token}/")


def _info_link_issue(*, request: ConnectionRequest, question: str) -> InfoRequestLink:
    """A new link for the latest question (older unused ones are revoked); the e-mail to the
    request's contact goes after commit. The token exists in clear only in that e-mail."""
    now = timezone.now()
    InfoRequestLink.objects.filter(request=request, used_at__isnull=True,
                                   revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    link = InfoRequestLink.objects.create(
        request=request, question=question, token_sha256=_token_digest(token),
        expires_at=now + timedelta(hours=int(settings.INFO_REQUEST_LINK_TTL_HOURS)))
    subject, body = info_link_message(link=link, token=token)
    recipient = request.contact_email
    # A failed e-mail must not undo AGE's question (already committed): it is logged, and
    # asking again sends a new link.
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]), robust=True)
    return link


def info_link_message(*, link: InfoRequestLink, token: str) -> tuple[str, str]:
    request = link.request
    subject = _("Cererea de conectare %(number)s: sunt necesare informații suplimentare") % {
        "number": request.number}
    body = _(
        "Stimate/Stimată %(name)s,\n\n"
        "Agenția de Guvernare Electronică examinează cererea de conectare %(number)s a "
        "instituției %(institution)s și are nevoie de informații suplimentare:\n\n"
        "%(question)s\n\n"
        "Răspundeți și încărcați documentele (PDF) la adresa:\n%(link)s\n\n"
        "Linkul poate fi folosit o singură dată și este valabil până la %(expires)s. "
        "Termenul de examinare a cererii este suspendat până la primirea răspunsului.\n\n"
        "%(contact)s\n"
    ) % {"name": request.contact_name, "number": request.number,
         "institution": request.institution.name, "question": link.question,
         "link": info_link_url(token=token),
         "expires": timezone.localtime(link.expires_at, local_zone()).strftime("%d.%m.%Y %H:%M"),
         "contact": settings.AGE_SUPPORT_CONTACT}
    return subject, body


def _info_link_usable(link: InfoRequestLink | None) -> InfoRequestLink:
    if link is None:
        raise NotFound(_("Linkul nu este valid. Verificați adresa primită prin e-mail."),
                       code="info_link_invalid")
    if link.used_at is not None:
        raise InfoLinkGone(_("Răspunsul prin acest link a fost deja trimis. Mulțumim!"),
                           code="info_link_used")
    if link.revoked_at is not None:
        raise InfoLinkGone(_("Acest link a fost înlocuit de unul mai nou. Folosiți ultimul "
                             "mesaj primit de la AGE."), code="info_link_replaced")
    if link.expires_at <= timezone.now():
        raise InfoLinkGone(_("Acest link a expirat. Contactați Agenția de Guvernare "
                             "Electronică pentru a trimite informațiile."),
                           code="info_link_expired")
    if link.request.status != Status.NEEDS_INFO:
        raise InfoLinkGone(_("Cererea %(number)s nu mai așteaptă informații (stare: "
                             "%(status)s).") % {"number": link.request.number,
                                                "status": link.request.get_status_display()},
                           code="info_link_closed")
    return link


def info_link_check(*, token: str) -> InfoRequestLink:
    """The usable link for ``token``, or an error with a stable code."""
    link = (InfoRequestLink.objects.select_related("request__institution")
            .filter(token_sha256=_token_digest(token)).first())
    return _info_link_usable(link)


def info_link_refusal_record(*, token: str, code: str) -> None:
    """Audit a refused use of an answer link (outside the failed transaction)."""
    link = InfoRequestLink.objects.filter(token_sha256=_token_digest(token)).first()
    audit_record(action="connection_request.info_link", outcome=AuditEvent.Outcome.FAILURE,
                 tenant=None, object_type="connection_request",
                 object_id=link.request_id if link else "",
                 details={"code": code, "link": link.pk if link else None})


def connection_request_answer(*, token: str, note: str,
                              documents: Sequence[tuple[str, UploadedFile]] = ()
                              ) -> ConnectionRequest:
    """The applicant answers through its link: the information is recorded (the review term
    resumes, as for ``connection_request_info_provided``) and the link is used up."""
    try:
        with transaction.atomic():
            link = _info_link_usable(
                InfoRequestLink.objects.select_for_update()
                .select_related("request").filter(token_sha256=_token_digest(token)).first())
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
            return connection_request_info_provided(
                connection_request=link.request, note=note, documents=documents, link=link)
    except ApplicationError as error:
        # Recorded again here: a refusal audited inside the rolled-back block is gone.
        info_link_refusal_record(token=token, code=error.code)
        raise


def connection_request_info_provided(
    *,
    connection_request: ConnectionRequest,
    note: str = "",
    documents: Sequence[tuple[str, UploadedFile]] = (),
    actor: User | None = None,
    link: InfoRequestLink | None = None,
) -> ConnectionRequest:
    """The applicant's answer arrived (sent by the applicant, or recorded by AGE): the term
    resumes with the working days that were left at the pause (at least one). ``link``: the
    applicant answered through its one-time link."""
    note = note.strip()
    errors = _Errors()
    checked = [_document_check(errors, kind, upload) for kind, upload in documents]
    if not note and not documents:
        errors.add("note", "info_required",
                   _("Descrieți informațiile primite sau atașați documentele."))
    with _refused(connection_request, "info_provided", actor):
        errors.raise_if_any()

    def resume(locked: ConnectionRequest, now: datetime) -> dict[str, Any]:
        days_left = locked.review_days_left_at_pause
        previous = locked.review_deadline
        if days_left is not None and days_left >= 0:
            locked.review_deadline = deadline_after(event=now, working_days=max(days_left, 1))
        # days_left < 0: the term had already run out before the pause; it stays late.
        locked.review_paused_at = None
        locked.review_days_left_at_pause = None
        stored = [_document_store(request=locked, document=item, actor=actor, written=written)
                  for item in checked if item is not None]
        via = {"info_link": link.pk} if link is not None else {}
        return {"previous_deadline": _iso(previous),
                "deadline": _iso(locked.review_deadline), "days_left_at_pause": days_left,
                "documents": [doc.sha256 for doc in stored], **via}

    with _files_removed_on_failure() as written:
        return _transition(connection_request=connection_request, action="info_provided",
                           to_status=Status.UNDER_REVIEW, actor=actor, note=note,
                           change=resume)


def connection_request_approve(*, connection_request: ConnectionRequest, actor: User | None,
                               note: str = "") -> ConnectionRequest:
    """Accept the request (§8); its contract draft is made in the same transaction."""

    def decide(locked: ConnectionRequest, now: datetime) -> dict[str, Any]:
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_reasons = note.strip()
        return {}

    def draft_contract(locked: ConnectionRequest) -> dict[str, Any]:
        from sgsc.provisioning.contracts.services import contract_draft_for_request

        contract = contract_draft_for_request(connection_request=locked, actor=actor)
        return {"contract": contract.pk}

    return _transition(connection_request=connection_request, action="approve",
                       to_status=Status.APPROVED, actor=actor, note=note.strip(), change=decide,
                       after=draft_contract)


def connection_request_reject(*, connection_request: ConnectionRequest, actor: User | None,
                              reasons: str, legal_basis: str) -> ConnectionRequest:
    """Refuse the request; the reasons and the legal basis are told to the applicant (§10)."""
    reasons, legal_basis = reasons.strip(), legal_basis.strip()
    errors = _Errors()
    if not reasons:
        errors.add("reasons", "reasons_required", _("Motivele respingerii sunt obligatorii."))
    if not legal_basis:
        errors.add("legal_basis", "legal_basis_required",
                   _("Temeiul legal al respingerii este obligatoriu."))
    with _refused(connection_request, "reject", actor):
        errors.raise_if_any()

    def decide(locked: ConnectionRequest, now: datetime) -> dict[str, Any]:
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_reasons = reasons
        locked.decision_legal_basis = legal_basis[:500]
        return {"legal_basis": legal_basis}

    return _transition(connection_request=connection_request, action="reject",
                       to_status=Status.REJECTED, actor=actor, note=reasons, change=decide)


def connection_request_withdraw(*, connection_request: ConnectionRequest,
                                actor: User | None = None, note: str = "") -> ConnectionRequest:
    """The applicant withdraws its request (told to AGE, or done by the applicant)."""
    return _transition(connection_request=connection_request, action="withdraw",
                       to_status=Status.WITHDRAWN, actor=actor, note=note.strip())


def connection_request_close_for_cancelled_contract(
        *, connection_request: ConnectionRequest, actor: User | None,
        reason: str) -> ConnectionRequest:
    """The approved request's draft contract was cancelled (``contract_cancel_draft``, in its
    transaction): the request is closed as withdrawn; the institution may ask again."""
    return _transition(connection_request=connection_request, action="contract_cancel",
                       to_status=Status.WITHDRAWN, actor=actor, note=reason.strip())


Change = Callable[[ConnectionRequest, datetime], dict[str, Any]]


def _transition(
    *,
    connection_request: ConnectionRequest,
    action: str,
    to_status: str,
    actor: User | None,
    note: str = "",
    change: Change | None = None,
    after: Callable[[ConnectionRequest], dict[str, Any]] | None = None,
) -> ConnectionRequest:
    with _refused(connection_request, action, actor), transaction.atomic():
        locked = ConnectionRequest.objects.select_for_update().get(pk=connection_request.pk)
        if locked.status not in ALLOWED_FROM[action]:
            raise Conflict(
                _("Cererea %(number)s este „%(status)s”: acțiunea nu este permisă.")
                % {"number": locked.number, "status": locked.get_status_display()},
                code="invalid_transition",
                details={"from": locked.status, "action": action})
        now = timezone.now()
        previous = locked.status
        details = change(locked, now) if change is not None else {}
        locked.status = to_status
        locked.save()
        if after is not None:
            details.update(after(locked))
        _timeline_record(request=locked, action=action, actor=actor, at=now,
                         from_status=previous, to_status=to_status, note=note,
                         details=details)
    return locked


def _refused(connection_request: ConnectionRequest, action: str,
             actor: User | None) -> AbstractContextManager[None]:
    """Audit a refused action (after its transaction rolled back) and let the error go on."""
    return audited_refusal(action=f"connection_request.{action}", actor=actor, tenant=None,
                           object_type="connection_request", object_id=connection_request.pk,
                           details={"number": connection_request.number})


def _timeline_record(*, request: ConnectionRequest, action: str, actor: User | None,
                     at: datetime, from_status: str = "", to_status: str = "", note: str = "",
                     details: dict[str, Any] | None = None) -> RequestEvent:
    event = RequestEvent.objects.create(request=request, occurred_at=at, actor=actor,
                                        action=action, from_status=from_status,
                                        to_status=to_status, note=note, details=details or {})
    audit_record(action=f"connection_request.{action}", actor=actor, tenant=None,
                 object_type="connection_request", object_id=request.pk,
                 details={"number": request.number, "from": from_status, "to": to_status,
                          "note": note, **(details or {})})
    return event
