"""Files attached to tickets: limits, type checks, virus scanning and storage.

An upload is copied into a temporary file (its size counted against
``ATTACHMENT_MAX_BYTES``, its SHA-256 computed), its type checked by extension AND content,
and scanned by clamd before anything is stored:

- infected: refused (``file_infected``), nothing stored, the refusal audited with the
  signature;
- clean: stored under a random name in ``attachments/<year>/<month>/`` and served;
- no verdict (clamd unavailable): stored in ``quarantine/attachments/``, never served, until
  the periodic rescan (task ``tickets.attachments_rescan``) moves it out (clean) or deletes it
  (infected; the row stays as the record).

Files go through Django's default storage (a folder by default, an S3-compatible bucket when
a deployment configures one). Each write runs in a transaction of its own (``durable``): a
file written for a transaction that then fails is deleted, so the storage never holds a file
without its row, and a row never names a file that was not written.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from sgsc.integrations.clamav.client import ScanResult, scan_stream
from sgsc.platform.errors import AccessDenied, ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record, audited_refusal
from sgsc.shared_apps.identity.roles import Capability
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.journal import journal_append
from sgsc.tenant_apps.tickets.lifecycle import can_work_level
from sgsc.tenant_apps.tickets.models import Attachment, JournalEntry, Ticket
from sgsc.tenant_apps.tickets.selectors import ticket_get

logger = logging.getLogger(__name__)

Scan = Attachment.Scan
MAX_PER_TICKET = 20  # infected records excluded
NAME_MAX_CHARS = 150
COPY_CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 64 * 1024  # what the text check reads, as file(1) does
RESCAN_BATCH = 50
CLEAN_FOLDER = "attachments"
QUARANTINE_FOLDER = "quarantine/attachments"


class Content(StrEnum):
    """What a file's bytes show it to be."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    ODS = "ods"
    TEXT = "text"


@dataclass(frozen=True)
class FileType:
    content: Content
    content_type: str  # what downloads are served as


# What a government helpdesk receives: documents, scans and photos, tables, plain text and
# forwarded e-mails. No archives, executables, scripts, HTML or macro-enabled formats.
ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType(Content.PDF, "application/pdf"),
    "png": FileType(Content.PNG, "image/png"),
    "jpg": FileType(Content.JPEG, "image/jpeg"),
    "jpeg": FileType(Content.JPEG, "image/jpeg"),
    "gif": FileType(Content.GIF, "image/gif"),
    "docx": FileType(Content.DOCX, "application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.document"),
    "xlsx": FileType(Content.XLSX, "application/vnd.openxmlformats-officedocument."
                                   "spreadsheetml.sheet"),
    "odt": FileType(Content.ODT, "application/vnd.oasis.opendocument.text"),
    "ods": FileType(Content.ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    "txt": FileType(Content.TEXT, "text/plain"),
    "csv": FileType(Content.TEXT, "text/csv"),
    "eml": FileType(Content.TEXT, "message/rfc822"),
}
MAGIC: tuple[tuple[bytes, Content], ...] = (
    (b"%PDF-", Content.PDF),
    (b"\x89PNG\r\n\x1a\n", Content.PNG),
    (b"\xff\xd8\xff", Content.JPEG),
    (b"GIF87a", Content.GIF),
    (b"GIF89a", Content.GIF),
)
ZIP_MAGIC = b"PK\x03\x04"
# OpenDocument names its type in the "mimetype" member; OOXML in its main part's path.
OPENDOCUMENT_TYPES = {"application/vnd.oasis.opendocument.text": Content.ODT,
                      "application/vnd.oasis.opendocument.spreadsheet": Content.ODS}
OOXML_MAIN_PARTS = {"word/document.xml": Content.DOCX, "xl/workbook.xml": Content.XLSX}
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError,
              ValueError)
# Control bytes that do not occur in text (tab, line feed, form feed, carriage return do).
BINARY_BYTES = bytes(sorted(set(range(0x20)) - set(b"\t\n\f\r"))) + b"\x7f"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Characters Windows refuses in file names (the path separators are dealt with first).
RESERVED_NAME_CHARS = re.compile(r'[<>:"|?*]')
# Romanian is written with comma-below letters; old keyboards still type the cedilla ones.
CEDILLA_TO_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
ACCEPTED_EXTENSIONS = sorted(ALLOWED_TYPES)


# -- names and types -----------------------------------------------------------------------

def attachment_name_clean(raw: str) -> str:
    """The uploader's file name made safe to show and to offer for download: no folders,
    no control, format (e.g. right-to-left override) or private characters, no characters
    Windows refuses, at most ``NAME_MAX_CHARS`` with the extension kept; letters of every
    language stay (ș, ț, ă, â, î among them)."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = RESERVED_NAME_CHARS.sub("_", name.translate(CEDILLA_TO_COMMA))
    name = " ".join(name.split()).strip(" .")
    if len(name) <= NAME_MAX_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > NAME_MAX_CHARS // 2:
        return name[:NAME_MAX_CHARS].rstrip(" .")
    return f"{stem[:NAME_MAX_CHARS - len(extension) - 1].rstrip(' .')}.{extension}"


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _is_text(head: bytes) -> bool:
    """Plain text in any 8-bit encoding (UTF-8, Windows-1250/1251...) or UTF-16 with a BOM."""
    if head.startswith(UTF16_BOMS):
        text = head.decode("utf-16", errors="replace")
        return len(text.translate(dict.fromkeys(BINARY_BYTES))) == len(text)
    return len(head.translate(None, BINARY_BYTES)) == len(head)


def _office_container(spool: IO[bytes]) -> Content | None:
    spool.seek(0)
    try:
        with zipfile.ZipFile(spool) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", errors="replace").strip()
                return OPENDOCUMENT_TYPES.get(declared)
            if "[Content_Types].xml" in names:
                return next((content for part, content in OOXML_MAIN_PARTS.items()
                             if part in names), None)
    except ZIP_ERRORS:
        return None
    return None


def content_sniff(spool: IO[bytes]) -> Content | None:
    """What the bytes are, whatever the name says (None: none of the accepted kinds)."""
    spool.seek(0)
    head = spool.read(SNIFF_BYTES)
    for magic, content in MAGIC:
        if head.startswith(magic):
            return content
    if head.startswith(ZIP_MAGIC):
        return _office_container(spool)
    return Content.TEXT if _is_text(head) else None


# -- upload --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Received:
    name: str
    size: int
    sha256: str
    file_type: FileType


def _file_error(code: str, message: str) -> InvalidInput:
    return InvalidInput(message, code=code, fields={"file": [message]})


def _receive(*, stream: IO[bytes], name: str, spool: IO[bytes]) -> _Received:
    """Copy the upload into ``spool`` and check it: the extension (before anything is read),
    the size, then the content against the extension."""
    file_type = ALLOWED_TYPES.get(_extension(name))
    if file_type is None:
        raise _file_error("file_type_not_allowed",
                          _("Fișierele de acest tip nu se acceptă. Se acceptă: %(types)s.")
                          % {"types": ", ".join(ACCEPTED_EXTENSIONS)})
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(COPY_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:  # stop reading at once: the rest is never copied
            raise _file_error("file_too_large", _("Fișierul „%(name)s” depășește %(limit)s.")
                              % {"name": name, "limit": filesizeformat(limit)})
        digest.update(chunk)
        spool.write(chunk)
    if size == 0:
        raise _file_error("file_empty", _("Fișierul „%(name)s” este gol.") % {"name": name})
    if content_sniff(spool) != file_type.content:
        raise _file_error("file_type_not_allowed",
                          _("Conținutul fișierului „%(name)s” nu corespunde tipului "
                            "„.%(extension)s”.") % {"name": name,
                                                    "extension": _extension(name)})
    return _Received(name=name, size=size, sha256=digest.hexdigest(), file_type=file_type)


def _check_accepts(access: TicketAccess, ticket: Ticket) -> None:
    if not can_work_level(level=ticket.level, capabilities=access.capabilities):
        raise AccessDenied(_("Solicitarea este la nivelul %(level)d de suport; nu aveți acest "
                             "nivel.") % {"level": ticket.level}, code="level_not_allowed")
    if ticket.status == Ticket.Status.ARCHIVED:
        raise Conflict(_("O solicitare arhivată nu se mai modifică."), code="ticket_archived")
    if _kept(ticket).count() >= MAX_PER_TICKET:
        raise Conflict(_("O solicitare poate avea cel mult %(max)d fișiere atașate.")
                       % {"max": MAX_PER_TICKET}, code="too_many_attachments")


def _kept(ticket: Ticket) -> QuerySet[Attachment]:
    """The attachments that hold a file (an infected one is only a record)."""
    return ticket.attachments.exclude(scan=Scan.INFECTED)


@contextmanager
def _written_files() -> Iterator[list[str]]:
    """Files written for a transaction that then fails are deleted: the database rolls back,
    the storage does not. The transaction inside must be durable, so that leaving it without
    an error means it committed."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _random_name() -> str:
    return secrets.token_urlsafe(24)  # 192 bits: a stored name cannot be guessed


def _clean_folder(moment: datetime) -> str:
    return f"{CLEAN_FOLDER}/{timezone.localtime(moment):%Y/%m}"


def attachment_add(*, access: TicketAccess, ticket_id: int, stream: IO[bytes], name: str,
                   now: datetime | None = None) -> Attachment:
    """Attach the file ``stream`` holds (read from its current position) to the ticket.

    Runs its own transaction: call it outside any other. The refusals (``file_empty``,
    ``file_too_large``, ``file_type_not_allowed``, ``file_infected``, ``too_many_attachments``,
    ``ticket_archived``, ``level_not_allowed``, ``ticket_not_found``) are audited and leave
    nothing stored. A file clamd could not scan is kept in quarantine (``scan`` says so).
    """
    details: dict[str, Any] = {}  # filled in as the file is read: the refusal records it
    with audited_refusal(action="attachment.add", actor=access.user, object_type="ticket",
                         object_id=ticket_id, details=details, with_fields=True):
        clean_name = attachment_name_clean(name)
        details["name"] = clean_name
        # Checked before the file is read, and again under the ticket's lock.
        _check_accepts(access, ticket_get(access=access, ticket_id=ticket_id))
        with tempfile.TemporaryFile() as spool:
            received = _receive(stream=stream, name=clean_name, spool=spool)
            details.update(size=received.size, sha256=received.sha256)
            spool.seek(0)
            result = scan_stream(stream=spool)
            if result.verdict == "infected":
                details["signature"] = result.signature
                raise _file_error("file_infected",
                                  _("Fișierul „%(name)s” conține un virus (%(signature)s) și "
                                    "a fost refuzat.") % {"name": clean_name,
                                                           "signature": result.signature})
            spool.seek(0)
            return _store(access=access, ticket_id=ticket_id, received=received, spool=spool,
                          result=result, now=now or timezone.now())


def _store(*, access: TicketAccess, ticket_id: int, received: _Received, spool: IO[bytes],
           result: ScanResult, now: datetime) -> Attachment:
    quarantined = result.verdict != "clean"
    folder = QUARANTINE_FOLDER if quarantined else _clean_folder(now)
    with _written_files() as written:
        # Written before the ticket is locked, so the lock is not held during the upload.
        stored_name = default_storage.save(f"{folder}/{_random_name()}", File(spool))
        written.append(stored_name)
        with transaction.atomic(durable=True):
            ticket = ticket_get(access=access, ticket_id=ticket_id, for_update=True)
            _check_accepts(access, ticket)
            entry = journal_append(
                ticket=ticket, kind=JournalEntry.Kind.ATTACHMENT, actor=access.user, at=now,
                body=received.name,
                reason=(_("Fișierul așteaptă verificarea antivirus; nu poate fi descărcat "
                          "până atunci.") if quarantined else ""))
            ticket.updated_at = now
            ticket.save(update_fields=["journal_length", "updated_at"])
            attachment = Attachment.objects.create(
                ticket=ticket, entry=entry, file=stored_name, name=received.name,
                content_type=received.file_type.content_type, size=received.size,
                sha256=received.sha256, scan=Scan.QUARANTINED if quarantined else Scan.CLEAN,
                uploaded_by=access.user, uploaded_at=now,
                scanned_at=None if quarantined else now)
            audit_record(action="attachment.add", actor=access.user, object_type="ticket",
                         object_id=ticket.pk,
                         details={"attachment": attachment.pk, "name": received.name,
                                  "size": received.size, "sha256": received.sha256,
                                  "scan": attachment.scan,
                                  **({"scanner": result.detail} if quarantined else {})})
    return attachment


# -- reads and downloads -------------------------------------------------------------------

def attachments_of(*, ticket: Ticket) -> QuerySet[Attachment]:
    """A ticket's attachments in the order they came (the caller could see the ticket)."""
    return ticket.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def attachment_list(*, access: TicketAccess, ticket_id: int) -> QuerySet[Attachment]:
    return attachments_of(ticket=ticket_get(access=access, ticket_id=ticket_id))


def attachment_get(*, access: TicketAccess, ticket_id: int, attachment_id: int) -> Attachment:
    """One attachment of a ticket the person may see; anything else is a 404."""
    ticket = ticket_get(access=access, ticket_id=ticket_id)
    attachment = ticket.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("Fișierul nu a fost găsit."), code="attachment_not_found")
    return attachment


@dataclass(frozen=True)
class AttachmentPanel:
    """What the ticket page's attachment section shows and offers."""

    attachments: list[Attachment]
    can_add: bool
    full: bool
    max_per_ticket: int
    max_bytes: int
    extensions: list[str]

    @property
    def accept(self) -> str:
        return ",".join(f".{extension}" for extension in self.extensions)


def attachment_panel(*, ticket: Ticket, can_work: bool) -> AttachmentPanel:
    attachments = list(attachments_of(ticket=ticket))
    full = sum(item.scan != Scan.INFECTED for item in attachments) >= MAX_PER_TICKET
    return AttachmentPanel(
        attachments=attachments,
        can_add=can_work and ticket.status != Ticket.Status.ARCHIVED and not full,
        full=full, max_per_ticket=MAX_PER_TICKET, max_bytes=int(settings.ATTACHMENT_MAX_BYTES),
        extensions=ACCEPTED_EXTENSIONS)


class AttachmentGone(ApplicationError):
    """The attachment was found infected: only its record is left."""

    status_code = 410
    default_code = "file_infected"


def attachment_download_open(*, access: TicketAccess, ticket_id: int,
                             attachment_id: int) -> tuple[Attachment, IO[bytes]]:
    """A clean attachment and its open file, for someone who may see the ticket; each
    download, and each refused one, is audited. The caller closes the file."""
    with audited_refusal(action="attachment.download", actor=access.user, object_type="ticket",
                         object_id=ticket_id, details={"attachment": attachment_id}):
        if not access.can(Capability.TICKETS_WORK):
            raise AccessDenied(_("Nu aveți dreptul să efectuați această acțiune."),
                               code="permission_denied")
        attachment = attachment_get(access=access, ticket_id=ticket_id,
                                    attachment_id=attachment_id)
        if attachment.scan == Scan.QUARANTINED:
            raise Conflict(_("Fișierul așteaptă verificarea antivirus și nu poate fi descărcat "
                             "încă."), code="file_quarantined")
        if attachment.scan == Scan.INFECTED:
            raise AttachmentGone(_("Fișierul conținea un virus și a fost șters."))
        handle = default_storage.open(str(attachment.file.name), "rb")
        audit_record(action="attachment.download", actor=access.user, object_type="ticket",
                     object_id=ticket_id, details={"attachment": attachment.pk,
                                                   "sha256": attachment.sha256})
    return attachment, handle


# -- rescan of the quarantine --------------------------------------------------------------

class _Decided(Exception):
    """Another run gave the attachment its verdict first."""


def attachments_rescan(*, limit: int = RESCAN_BATCH, now: datetime | None = None) -> int:
    """Scan again the files waiting in quarantine, oldest first; stop at the first that still
    gets no verdict (clamd is still down). Returns how many got a verdict."""
    waiting = (Attachment.objects.filter(scan=Scan.QUARANTINED).order_by("uploaded_at", "pk")
               .values_list("pk", flat=True)[:limit])
    decided = 0
    for attachment_id in list(waiting):
        try:
            verdict = attachment_rescan(attachment_id=attachment_id, now=now)
        except OSError:  # its file cannot be read: the others still get their turn
            logger.exception("quarantined attachment %s could not be rescanned", attachment_id)
            continue
        if verdict == "unavailable":
            break
        decided += 1
    return decided


def attachment_rescan(*, attachment_id: int, now: datetime | None = None) -> str:
    """Scan one quarantined file again: clean, it moves to the normal location and is
    served; infected, it is deleted and the row kept as the record. Returns the verdict
    ("unavailable": it stays in quarantine). Idempotent: a decided attachment is left alone."""
    attachment = Attachment.objects.filter(pk=attachment_id, scan=Scan.QUARANTINED).first()
    if attachment is None:
        return "decided"
    now = now or timezone.now()
    quarantined_name = str(attachment.file.name)
    with default_storage.open(quarantined_name, "rb") as stored:
        result = scan_stream(stream=stored)
    if result.verdict == "unavailable":
        return result.verdict
    try:
        if result.verdict == "clean":
            _release(attachment=attachment, now=now)
        else:
            _discard(attachment=attachment, signature=result.signature, now=now)
    except _Decided:
        return "decided"
    # Committed: the quarantined copy is no longer named by any row.
    default_storage.delete(quarantined_name)
    return result.verdict


@contextmanager
def _locked_quarantined(attachment: Attachment) -> Iterator[tuple[Ticket, Attachment]]:
    """The ticket's and the attachment's row locks, in a durable transaction, provided the
    attachment still waits in quarantine with the same file."""
    with transaction.atomic(durable=True):
        ticket = Ticket.objects.select_for_update().get(pk=attachment.ticket_id)
        locked = Attachment.objects.select_for_update().filter(
            pk=attachment.pk, scan=Scan.QUARANTINED, file=attachment.file.name).first()
        if locked is None:
            raise _Decided
        yield ticket, locked


def _journal_system(ticket: Ticket, *, attachment: Attachment, reason: str,
                    now: datetime) -> None:
    journal_append(ticket=ticket, kind=JournalEntry.Kind.ATTACHMENT, actor=None, at=now,
                   body=attachment.name, reason=reason)
    ticket.updated_at = now
    ticket.save(update_fields=["journal_length", "updated_at"])


def _release(*, attachment: Attachment, now: datetime) -> None:
    quarantined_name = str(attachment.file.name)
    with _written_files() as written:
        with default_storage.open(quarantined_name, "rb") as source:
            written.append(default_storage.save(
                f"{_clean_folder(attachment.uploaded_at)}/{PurePosixPath(quarantined_name).name}",
                File(source)))
        with _locked_quarantined(attachment) as (ticket, locked):
            locked.file.name = written[0]
            locked.scan = Scan.CLEAN
            locked.scanned_at = now
            locked.save(update_fields=["file", "scan", "scanned_at"])
            _journal_system(ticket, attachment=locked, now=now,
                            reason=_("Verificarea antivirus a fost finalizată; fișierul poate "
                                     "fi descărcat."))
            audit_record(action="attachment.scan", object_type="ticket", object_id=ticket.pk,
                         details={"attachment": locked.pk, "verdict": "clean",
                                  "sha256": locked.sha256})


def _discard(*, attachment: Attachment, signature: str, now: datetime) -> None:
    with _locked_quarantined(attachment) as (ticket, locked):
        locked.file.name = ""
        locked.scan = Scan.INFECTED
        locked.signature = signature[:255]
        locked.scanned_at = now
        locked.save(update_fields=["file", "scan", "signature", "scanned_at"])
        _journal_system(ticket, attachment=locked, now=now,
                        reason=_("Fișierul conține un virus (%(signature)s) și a fost șters.")
                        % {"signature": signature})
        audit_record(action="attachment.scan", outcome=AuditEvent.Outcome.FAILURE,
                     object_type="ticket", object_id=ticket.pk,
                     details={"attachment": locked.pk, "code": "file_infected",
                              "signature": signature, "sha256": locked.sha256})
