"""Ticket attachments: limits, types, scanning by the real clamd, quarantine and its rescan,
storage without orphans, and who may download."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from django.db import DatabaseError
from django_tenants.utils import schema_context

from sgsc.integrations.clamav.daemon import EICAR, TEST_SIGNATURE
from sgsc.platform.errors import AccessDenied, ApplicationError, Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.tickets import attachments
from sgsc.tenant_apps.tickets.access import TicketAccess
from sgsc.tenant_apps.tickets.attachments import (
    AttachmentGone,
    attachment_add,
    attachment_download_open,
    attachment_name_clean,
    attachment_panel,
    attachments_rescan,
)
from sgsc.tenant_apps.tickets.models import Attachment, JournalEntry, Ticket
from sgsc.tenant_apps.tickets.services import Escalation, ticket_transition
from sgsc.tenant_apps.tickets.tasks import attachments_rescan_task
from tests.tenant_apps.tickets.hub_helpers import hub_with_two_institutions

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def docx(*extra: tuple[str, bytes]) -> bytes:
    """A minimal Word document (an OOXML zip), with ``extra`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clamd(settings, clamd_socket: str, media: Path) -> str:
    settings.CLAMAV_SOCKET = clamd_socket
    return clamd_socket


@pytest.fixture
def scanner_down(settings, tmp_path: Path, media: Path) -> None:
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")


@pytest.fixture
def operator(access_as: Callable[[str], TicketAccess]) -> TicketAccess:
    return access_as(TenantRole.L1_OPERATOR)


@pytest.fixture
def ticket(operator: TicketAccess, new_ticket: Callable[..., Ticket]) -> Ticket:
    return new_ticket(operator)


def add(access: TicketAccess, ticket: Ticket, content: bytes, name: str) -> Attachment:
    return attachment_add(access=access, ticket_id=ticket.pk, stream=io.BytesIO(content),
                          name=name)


def refused(access: TicketAccess, ticket: Ticket, content: bytes, name: str) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        add(access, ticket, content, name)
    return caught.value


def download(access: TicketAccess, attachment: Attachment) -> bytes:
    _found, handle = attachment_download_open(access=access, ticket_id=attachment.ticket_id,
                                              attachment_id=attachment.pk)
    with handle:
        return handle.read()


def assert_nothing_stored(ticket: Ticket, media: Path) -> None:
    ticket.refresh_from_db()
    assert not ticket.attachments.exists()
    assert list(ticket.journal.values_list("kind", flat=True)) == ["created"]
    assert ticket.journal_length == 1
    assert stored_files(media) == []


def test_a_clean_pdf_is_stored_journaled_audited_and_downloadable(clamd, media, operator,
                                                                   ticket):
    attachment = add(operator, ticket, PDF, "C:\\Documente\\Cerere de restituire ş.pdf")

    assert attachment.scan == Attachment.Scan.CLEAN and attachment.scanned_at is not None
    assert attachment.name == "Cerere de restituire ș.pdf"
    assert (attachment.size, attachment.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert attachment.content_type == "application/pdf"
    # Stored under a random name in the normal location, never under the uploader's name.
    [stored] = stored_files(media)
    assert stored == attachment.file.name and stored.startswith("attachments/")
    assert "Cerere" not in stored and len(Path(stored).name) >= 32
    assert (media / stored).read_bytes() == PDF
    entry = attachment.entry
    assert entry is not None and entry.kind == JournalEntry.Kind.ATTACHMENT
    assert (entry.body, entry.reason, entry.actor_id) == (attachment.name, "", operator.user.pk)
    event = AuditEvent.objects.get(action="attachment.add")
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details["sha256"] == attachment.sha256 and event.details["scan"] == "clean"

    assert download(operator, attachment) == PDF
    assert AuditEvent.objects.filter(action="attachment.download",
                                     outcome=AuditEvent.Outcome.SUCCESS).count() == 1


def test_an_infected_file_is_refused_and_nothing_is_stored(clamd, media, operator, ticket):
    error = refused(operator, ticket, EICAR, "formular.txt")

    assert isinstance(error, InvalidInput) and error.code == "file_infected"
    assert TEST_SIGNATURE in error.message
    assert_nothing_stored(ticket, media)
    event = AuditEvent.objects.get(action="attachment.add")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["code"] == "file_infected"
    assert event.details["signature"] == TEST_SIGNATURE
    assert event.details["sha256"] == hashlib.sha256(EICAR).hexdigest()


def test_a_virus_inside_a_word_document_is_found(clamd, media, operator, ticket):
    error = refused(operator, ticket, docx(("word/media/image1.bin", EICAR)), "act.docx")
    assert error.code == "file_infected"
    assert_nothing_stored(ticket, media)
    # The same document without the virus is accepted.
    assert add(operator, ticket, docx(), "act.docx").scan == Attachment.Scan.CLEAN


def test_empty_and_too_large_files_are_refused(clamd, media, operator, ticket, settings):
    assert refused(operator, ticket, b"", "gol.pdf").code == "file_empty"
    settings.ATTACHMENT_MAX_BYTES = 1000
    error = refused(operator, ticket, b"%PDF-" + b"x" * 996, "mare.pdf")
    assert error.code == "file_too_large" and error.fields == {"file": [error.message]}
    assert_nothing_stored(ticket, media)
    assert add(operator, ticket, b"%PDF-" + b"x" * 995, "exact.pdf").size == 1000
    codes = list(AuditEvent.objects.filter(action="attachment.add",
                                           outcome=AuditEvent.Outcome.FAILURE)
                 .order_by("sequence").values_list("details__code", flat=True))
    assert codes == ["file_empty", "file_too_large"]


@pytest.mark.parametrize(("content", "name"), [
    (b"MZ\x90\x00\x03\x00\x00\x00", "factura.exe"),  # not on the list
    (PDF, "document"),  # no extension
    (PNG, "scrisoare.pdf"),  # a PNG that says it is a PDF
    (b"Stimate domn,\nva rog", "scrisoare.pdf"),  # text that says it is a PDF
    (b"\x00\x01binary\x02", "date.csv"),  # binary that says it is text
    (b"PK\x03\x04 not really a zip", "act.docx"),
    (docx(), "act.odt"),  # a Word document that says it is OpenDocument
], ids=["exe", "no-extension", "png-as-pdf", "text-as-pdf", "binary-as-csv", "broken-zip",
        "docx-as-odt"])
def test_types_are_checked_by_extension_and_by_content(clamd, media, operator, ticket,
                                                       content, name):
    error = refused(operator, ticket, content, name)
    assert error.code == "file_type_not_allowed"
    assert_nothing_stored(ticket, media)


@pytest.mark.parametrize(("content", "name", "content_type"), [
    (PNG, "fotografie.PNG", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.jpg", "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00", "semn.gif", "image/gif"),
    ("Nume;Sumă\nIon Ţurcanu;100\n".encode("cp1250"), "lista.csv", "text/csv"),
    ("Cerere în limba română".encode("utf-16"), "nota.txt", "text/plain"),
    (b"From: ion@example.md\r\nSubject: Cerere\r\n\r\nText", "mesaj.eml", "message/rfc822"),
], ids=["png", "jpeg", "gif", "csv-cp1250", "txt-utf16", "eml"])
def test_accepted_types_are_served_as_their_type(clamd, media, operator, ticket, content, name,
                                                 content_type):
    assert add(operator, ticket, content, name).content_type == content_type


def test_names_lose_folders_and_tricks_but_keep_romanian_letters():
    assert attachment_name_clean("../../etc/passwd") == "passwd"
    assert attachment_name_clean("C:\\Users\\ion\\Țară și ştiinţă.pdf") == "Țară și știință.pdf"
    # A right-to-left override would show "factura‮fdp.exe" as "factura" + "exe.pdf".
    assert attachment_name_clean("factura\u202efdp.exe") == "facturafdp.exe"
    assert attachment_name_clean(' a<b>:c"d|e?f*.txt. ') == "a_b__c_d_e_f_.txt"
    assert attachment_name_clean("rând\x00\nnou.txt") == "rândnou.txt"
    long_name = attachment_name_clean("ă" * 400 + ".docx")
    assert len(long_name) == attachments.NAME_MAX_CHARS and long_name.endswith("ă.docx")


def test_limits_of_the_ticket_level_state_and_count(clamd, media, operator, ticket,
                                                    access_as, new_ticket, monkeypatch):
    specialist = access_as(TenantRole.L2_SPECIALIST)
    escalated = new_ticket(operator)
    ticket_transition(access=operator, ticket_id=escalated.pk, action="escalate",
                      reason="Verificare", escalation=Escalation(level=2))
    error = refused(operator, escalated, PDF, "a.pdf")
    assert isinstance(error, AccessDenied) and error.code == "level_not_allowed"
    assert add(specialist, escalated, PDF, "a.pdf").scan == Attachment.Scan.CLEAN

    monkeypatch.setattr(attachments, "MAX_PER_TICKET", 1)
    add(operator, ticket, PDF, "primul.pdf")
    error = refused(operator, ticket, PDF, "al-doilea.pdf")
    assert isinstance(error, Conflict) and error.code == "too_many_attachments"
    assert not attachment_panel(ticket=ticket, can_work=True).can_add
    assert ticket.attachments.count() == 1


def test_a_failed_transaction_leaves_no_file_behind(clamd, media, operator, ticket):
    with mock.patch.object(attachments, "audit_record", side_effect=DatabaseError("lost")), \
            pytest.raises(DatabaseError):
        add(operator, ticket, PDF, "cerere.pdf")
    assert_nothing_stored(ticket, media)


def test_without_the_scanner_the_file_waits_in_quarantine_until_a_clean_rescan(
        scanner_down, media, operator, ticket, settings, clamd_socket):
    attachment = add(operator, ticket, PDF, "cerere.pdf")

    assert attachment.scan == Attachment.Scan.QUARANTINED and attachment.scanned_at is None
    assert stored_files(media) == [attachment.file.name]
    assert attachment.file.name.startswith("quarantine/attachments/")
    assert attachment.entry is not None and "verificarea antivirus" in attachment.entry.reason
    with pytest.raises(Conflict) as caught:
        download(operator, attachment)
    assert caught.value.code == "file_quarantined"
    assert AuditEvent.objects.get(action="attachment.download").outcome == "failure"
    # Still no scanner: the file stays where it is.
    assert attachments_rescan() == 0
    attachment.refresh_from_db()
    assert attachment.scan == Attachment.Scan.QUARANTINED

    settings.CLAMAV_SOCKET = clamd_socket
    assert attachments_rescan_task.apply().get() == 1

    attachment.refresh_from_db()
    assert attachment.scan == Attachment.Scan.CLEAN and attachment.scanned_at is not None
    assert attachment.file.name.startswith("attachments/")
    assert stored_files(media) == [attachment.file.name]  # moved, not copied
    assert download(operator, attachment) == PDF
    assert [entry.actor_id for entry in ticket.journal.filter(kind="attachment")] == [
        operator.user.pk, None]
    assert AuditEvent.objects.get(action="attachment.scan").details["verdict"] == "clean"
    assert attachments_rescan() == 0  # nothing left to do


def test_a_quarantined_virus_is_deleted_and_kept_as_a_record(scanner_down, media, operator,
                                                             ticket, settings, clamd_socket):
    attachment = add(operator, ticket, EICAR, "formular.txt")
    assert attachment.scan == Attachment.Scan.QUARANTINED

    settings.CLAMAV_SOCKET = clamd_socket
    assert attachments_rescan() == 1

    attachment.refresh_from_db()
    assert (attachment.scan, attachment.file.name) == (Attachment.Scan.INFECTED, "")
    assert attachment.signature == TEST_SIGNATURE
    assert stored_files(media) == []
    last = ticket.journal.order_by("seq").last()
    assert last is not None and TEST_SIGNATURE in last.reason
    event = AuditEvent.objects.get(action="attachment.scan")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details["signature"] == TEST_SIGNATURE
    with pytest.raises(AttachmentGone) as caught:
        download(operator, attachment)
    assert caught.value.code == "file_infected" and caught.value.status_code == 410
    # The record does not count against the ticket's limit.
    assert not attachment_panel(ticket=ticket, can_work=True).full


def test_another_institution_s_attachment_is_not_found(clamd, media, tenants, user_with_role):
    hub = hub_with_two_institutions(tenants.hub, user_with_role)
    with schema_context(tenants.hub.schema_name):
        of_y = add(hub.coordinator, hub.ticket_y, PDF, "y.pdf")
        of_x = add(hub.coordinator, hub.ticket_x, PDF, "x.pdf")
        assert download(hub.limited, of_x) == PDF
        with pytest.raises(NotFound) as caught:
            download(hub.limited, of_y)
        assert caught.value.code == "ticket_not_found"
        with pytest.raises(NotFound) as caught:  # Y's attachment through X's ticket
            attachment_download_open(access=hub.limited, ticket_id=hub.ticket_x.pk,
                                     attachment_id=of_y.pk)
        assert caught.value.code == "attachment_not_found"
        with pytest.raises(NotFound):
            add(hub.limited, hub.ticket_y, PDF, "y2.pdf")
        assert hub.ticket_y.attachments.count() == 1
