"""The applicant's one-time link to answer AGE's request for more information."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from sgsc.platform.errors import InvalidInput
from sgsc.provisioning.requests.models import ConnectionRequest, InfoRequestLink, RequestEvent
from sgsc.provisioning.requests.services import (
    connection_request_ask_info,
    connection_request_info_provided,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from tests.provisioning.requests.conftest import PDF_BYTES, local, pdf

pytestmark = pytest.mark.django_db
QUESTION = "Atașați împuternicirea semnată a persoanei de contact."
LINK = re.compile(r"http://sgsc\.test(/cerere-conectare/raspuns/[\w-]+/)")


@pytest.fixture
def asked(submit: Callable[..., ConnectionRequest], officer: User,
          django_capture_on_commit_callbacks: Any) -> tuple[ConnectionRequest, str]:
    """A request waiting for information, and the path of the link e-mailed for it."""
    created = submit()
    with django_capture_on_commit_callbacks(execute=True):
        waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                              message=QUESTION)
    message = mail.outbox[-1]
    match = LINK.search(str(message.body))
    assert match is not None
    return waiting, match.group(1)


def test_asking_emails_the_contact_a_link_whose_token_is_stored_only_hashed(
        asked: tuple[ConnectionRequest, str]) -> None:
    waiting, path = asked
    message = mail.outbox[-1]
    assert message.to == [waiting.contact_email]
    assert waiting.number in message.subject and "informații suplimentare" in message.subject
    assert QUESTION in message.body and "o singură dată" in message.body
    token = path.rstrip("/").rsplit("/", 1)[-1]
    link = InfoRequestLink.objects.get(request=waiting)
    assert link.question == QUESTION and token not in link.token_sha256
    assert not InfoRequestLink.objects.filter(token_sha256=token).exists()
    event = AuditEvent.objects.filter(action="connection_request.ask_info").latest("id")
    assert event.details["info_link"] == link.pk


def test_no_email_when_the_question_is_rolled_back(submit: Callable[..., ConnectionRequest],
                                                   officer: User,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    created = submit()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        connection_request_ask_info(connection_request=created, actor=officer, message="")
    assert mail.outbox == [] and not InfoRequestLink.objects.exists()


def test_the_page_shows_the_question_and_the_answer_resumes_the_clock(
        public_client: Client, asked: tuple[ConnectionRequest, str]) -> None:
    waiting, path = asked
    page = public_client.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert QUESTION in body and waiting.number in body and "<script>" not in body
    answer = public_client.post(path, {"note": "Împuternicirea este atașată.",
                                       "document_other": [pdf("imputernicire.pdf")]})
    assert answer.status_code == 200 and "Răspunsul a fost trimis" in answer.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ConnectionRequest.Status.UNDER_REVIEW
    assert waiting.review_paused_at is None
    document = waiting.documents.get()
    assert document.uploaded_by is None and document.file.read() == PDF_BYTES
    event = RequestEvent.objects.filter(request=waiting).latest("id")
    assert event.action == "info_provided" and event.actor is None
    link = InfoRequestLink.objects.get(request=waiting)
    assert link.used_at is not None and event.details["info_link"] == link.pk
    # The link is used up: a second visit gets a clear page, and is audited.
    again = public_client.get(path)
    assert again.status_code == 410 and "info_link_used" in again.content.decode()
    assert AuditEvent.objects.filter(action="connection_request.info_link",
                                     outcome=AuditEvent.Outcome.FAILURE,
                                     details__code="info_link_used").exists()


def test_resumed_term_keeps_the_days_left(submit: Callable[..., ConnectionRequest],
                                          officer: User, public_client: Client,
                                          django_capture_on_commit_callbacks: Any) -> None:
    with time_machine.travel(local(2026, 3, 2, 10), tick=False):  # Monday
        created = submit()
    with time_machine.travel(local(2026, 3, 4, 10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        connection_request_ask_info(connection_request=created, actor=officer,
                                    message=QUESTION)
    match = LINK.search(str(mail.outbox[-1].body))
    assert match is not None
    with time_machine.travel(local(2026, 3, 10, 10), tick=False):
        assert public_client.post(match.group(1), {"note": "Iată."}).status_code == 200
    created.refresh_from_db()
    # 8 working days were left on Wednesday 4 March; they count again from Tuesday 10 March.
    assert timezone.localtime(created.review_deadline).date().isoformat() == "2026-03-20"


def test_answer_needs_content_and_only_pdfs(public_client: Client,
                                            asked: tuple[ConnectionRequest, str]) -> None:
    waiting, path = asked
    empty = public_client.post(path, {"note": "  "})
    assert empty.status_code == 400
    assert "Descrieți informațiile primite" in empty.content.decode()
    not_pdf = public_client.post(path, {"note": "x", "document_other": [
        pdf("poza.pdf", content=b"GIF89a")]})
    assert not_pdf.status_code == 400 and "nu este un document PDF" in not_pdf.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == ConnectionRequest.Status.NEEDS_INFO
    assert InfoRequestLink.objects.get(request=waiting).used_at is None  # still usable
    assert AuditEvent.objects.filter(action="connection_request.info_link",
                                     details__code="info_required").exists()


def test_unknown_expired_replaced_and_closed_links(
        public_client: Client, asked: tuple[ConnectionRequest, str], officer: User,
        django_capture_on_commit_callbacks: Any) -> None:
    waiting, path = asked
    unknown = public_client.get("/cerere-conectare/raspuns/nu-exista/")
    assert unknown.status_code == 404 and "info_link_invalid" in unknown.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        expired = public_client.get(path)
        assert expired.status_code == 410 and "info_link_expired" in expired.content.decode()
        assert public_client.post(path, {"note": "târziu"}).status_code == 410
    # AGE records the answer itself: the link no longer answers anything.
    connection_request_info_provided(connection_request=waiting, actor=officer, note="Primit.")
    closed = public_client.get(path)
    assert closed.status_code == 410 and "info_link_closed" in closed.content.decode()
    # Asked again: only the newest link answers.
    with django_capture_on_commit_callbacks(execute=True):
        connection_request_ask_info(connection_request=waiting, actor=officer, message="Altceva")
    replaced = public_client.get(path)
    assert replaced.status_code == 410 and "info_link_replaced" in replaced.content.decode()
    newest = LINK.search(str(mail.outbox[-1].body))
    assert newest is not None and public_client.get(newest.group(1)).status_code == 200
