"""Transitions of a connection request: timeline, audit, refusals and the needs-info clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from sgsc.platform.errors import ApplicationError, Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest, RequestEvent
from sgsc.provisioning.requests.selectors import (
    connection_request_contract,
    connection_requests_with_days_left,
)
from sgsc.provisioning.requests.services import (
    connection_request_actions,
    connection_request_approve,
    connection_request_ask_info,
    connection_request_info_provided,
    connection_request_reject,
    connection_request_start_review,
    connection_request_withdraw,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.workdays.models import CalendarException
from tests.provisioning.requests.conftest import local, pdf

pytestmark = pytest.mark.django_db
Status = ConnectionRequest.Status


def _audit_actions(request: ConnectionRequest) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(object_type="connection_request",
                                          object_id=str(request.pk))
                .order_by("id").values_list("action", "outcome"))


def test_full_path_to_approval_with_timeline_audit_and_contract(submit, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 5, 4, 9, 0), tick=False):
        created = submit()
    with time_machine.travel(local(2026, 5, 5, 10, 0), tick=False):
        reviewed = connection_request_start_review(connection_request=created, actor=officer)
    with time_machine.travel(local(2026, 5, 6, 11, 0), tick=False):
        approved = connection_request_approve(connection_request=reviewed, actor=officer,
                                              note="Toate documentele sunt în regulă.")
    assert approved.status == Status.APPROVED
    assert approved.decided_by == officer and approved.decided_at == local(2026, 5, 6, 11, 0)
    contract = connection_request_contract(connection_request=approved)
    assert contract is not None and contract.status == Contract.Status.DRAFT
    assert contract.institution == created.institution
    events = list(approved.events.values_list("action", "from_status", "to_status", "actor"))
    assert events == [("submit", "", "submitted", None),
                      ("start_review", "submitted", "under_review", officer.pk),
                      ("approve", "under_review", "approved", officer.pk)]
    last = approved.events.last()
    assert last is not None and last.details["contract"] == contract.pk
    assert last.note == "Toate documentele sunt în regulă."
    assert _audit_actions(created) == [
        ("connection_request.submit", "success"),
        ("connection_request.start_review", "success"),
        ("connection_request.approve", "success"),
    ]
    approve_audit = AuditEvent.objects.get(action="connection_request.approve",
                                           object_id=str(created.pk))
    assert approve_audit.actor == officer
    assert approve_audit.details["from"] == "under_review"


def test_contract_is_none_before_approval(submit) -> None:  # type: ignore[no-untyped-def]
    assert connection_request_contract(connection_request=submit()) is None


def test_approval_is_undone_when_the_contract_cannot_be_drafted(submit, officer,  # type: ignore[no-untyped-def]
                                                                monkeypatch) -> None:
    from sgsc.provisioning.contracts import services as contract_services

    def refuse(**kwargs: Any) -> Contract:
        raise Conflict("Nu există niciun contract-tip în vigoare.", code="no_contract_template")

    monkeypatch.setattr(contract_services, "contract_draft_for_request", refuse)
    created = submit()
    with pytest.raises(Conflict) as caught:
        connection_request_approve(connection_request=created, actor=officer)
    assert caught.value.code == "no_contract_template"
    created.refresh_from_db()
    assert created.status == Status.SUBMITTED and created.decided_at is None
    assert list(created.events.values_list("action", flat=True)) == ["submit"]
    assert ("connection_request.approve", "failure") in _audit_actions(created)


def test_reject_records_reasons_and_legal_basis(submit, officer) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    rejected = connection_request_reject(
        connection_request=created, actor=officer,
        reasons="Serviciile indicate nu sunt servicii publice.",
        legal_basis="HG nr. 976/2023, anexa 1, pct. 10")
    assert rejected.status == Status.REJECTED
    assert rejected.decision_reasons == "Serviciile indicate nu sunt servicii publice."
    assert rejected.decision_legal_basis == "HG nr. 976/2023, anexa 1, pct. 10"
    audit = AuditEvent.objects.get(action="connection_request.reject",
                                   object_id=str(created.pk))
    assert audit.details["legal_basis"] == "HG nr. 976/2023, anexa 1, pct. 10"
    assert audit.details["note"] == "Serviciile indicate nu sunt servicii publice."


@pytest.mark.parametrize(("reasons", "legal_basis", "code"), [
    ("", "pct. 10", "reasons_required"),
    ("   ", "pct. 10", "reasons_required"),
    ("Motive", "", "legal_basis_required"),
])
def test_reject_needs_reasons_and_legal_basis(submit, officer, reasons: str,  # type: ignore[no-untyped-def]
                                              legal_basis: str, code: str) -> None:
    created = submit()
    with pytest.raises(InvalidInput) as caught:
        connection_request_reject(connection_request=created, actor=officer, reasons=reasons,
                                  legal_basis=legal_basis)
    assert caught.value.code == code
    created.refresh_from_db()
    assert created.status == Status.SUBMITTED and created.decision_reasons == ""
    assert created.events.count() == 1
    assert _audit_actions(created)[-1] == ("connection_request.reject", "failure")


def _to(status: str, created: ConnectionRequest, officer: Any) -> ConnectionRequest:
    if status == Status.SUBMITTED:
        return created
    if status == Status.UNDER_REVIEW:
        return connection_request_start_review(connection_request=created, actor=officer)
    if status == Status.NEEDS_INFO:
        return connection_request_ask_info(connection_request=created, actor=officer,
                                           message="Lipsește împuternicirea.")
    if status == Status.APPROVED:
        return connection_request_approve(connection_request=created, actor=officer)
    if status == Status.REJECTED:
        return connection_request_reject(connection_request=created, actor=officer,
                                         reasons="Motive", legal_basis="pct. 10")
    return connection_request_withdraw(connection_request=created, actor=officer)


ACTIONS: dict[str, Callable[[ConnectionRequest, Any], ConnectionRequest]] = {
    "start_review": lambda r, u: connection_request_start_review(connection_request=r, actor=u),
    "ask_info": lambda r, u: connection_request_ask_info(connection_request=r, actor=u,
                                                         message="Ce lipsește"),
    "info_provided": lambda r, u: connection_request_info_provided(connection_request=r,
                                                                   actor=u, note="Iată"),
    "approve": lambda r, u: connection_request_approve(connection_request=r, actor=u),
    "reject": lambda r, u: connection_request_reject(connection_request=r, actor=u,
                                                     reasons="Motive", legal_basis="pct. 10"),
    "withdraw": lambda r, u: connection_request_withdraw(connection_request=r, actor=u),
}
ALLOWED = {
    Status.SUBMITTED: {"start_review", "ask_info", "approve", "reject", "withdraw"},
    Status.UNDER_REVIEW: {"ask_info", "approve", "reject", "withdraw"},
    Status.NEEDS_INFO: {"info_provided", "reject", "withdraw"},
    Status.APPROVED: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
CASES = [(status, action) for status in ALLOWED for action in ACTIONS]


@pytest.mark.parametrize(("status", "action"), CASES)
def test_transition_table(submit, officer, status: str, action: str) -> None:  # type: ignore[no-untyped-def]
    start = _to(status, submit(), officer)
    assert set(connection_request_actions(status=start.status)) == ALLOWED[status]
    events_before = start.events.count()
    if action in ALLOWED[status]:
        after = ACTIONS[action](start, officer)
        assert after.status != status
        assert after.events.count() == events_before + 1
        assert after.events.last().action == action  # type: ignore[union-attr]
        return
    with pytest.raises(ApplicationError) as caught:
        ACTIONS[action](start, officer)
    assert isinstance(caught.value, Conflict)
    assert caught.value.code == "invalid_transition"
    start.refresh_from_db()
    assert start.status == status
    assert start.events.count() == events_before
    assert _audit_actions(start)[-1] == (f"connection_request.{action}", "failure")


def test_approving_a_rejected_request_is_refused(submit, officer) -> None:  # type: ignore[no-untyped-def]
    rejected = _to(Status.REJECTED, submit(), officer)
    with pytest.raises(Conflict) as caught:
        connection_request_approve(connection_request=rejected, actor=officer)
    assert caught.value.code == "invalid_transition"
    assert not Contract.objects.filter(request=rejected).exists()


def test_ask_info_needs_a_message_and_info_needs_content(submit, officer) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    with pytest.raises(InvalidInput) as caught:
        connection_request_ask_info(connection_request=created, actor=officer, message=" ")
    assert caught.value.code == "message_required"
    waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                          message="Lipsește împuternicirea.")
    with pytest.raises(InvalidInput) as caught:
        connection_request_info_provided(connection_request=waiting, actor=officer, note="")
    assert caught.value.code == "info_required"
    with pytest.raises(InvalidInput) as caught:
        connection_request_info_provided(connection_request=waiting, actor=officer,
                                         documents=[("other", pdf("x.pdf", b"GIF89a"))])
    assert caught.value.code == "not_pdf"
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_INFO and waiting.documents.count() == 0


# -- the needs-info clock: suspended while AGE waits, resumed with the days that were left ---

def test_needs_info_suspends_the_term_and_resumes_with_the_days_left(submit, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 4, 8, 10, 0), tick=False):
        created = submit()  # deadline: end of Fri 24 April (see the Easter test)
    with time_machine.travel(local(2026, 4, 14, 12, 0), tick=False):
        # Tue 14 April: 15, 16, 17, 21, 22, 23, 24 remain, 7 working days.
        waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                              message="Atașați acordul semnat.")
    assert waiting.status == Status.NEEDS_INFO
    assert waiting.review_paused_at == local(2026, 4, 14, 12, 0)
    assert waiting.review_days_left_at_pause == 7
    pause = waiting.events.last()
    assert pause is not None and pause.details["days_left"] == 7
    # While suspended the request is neither at risk nor late, even past the old deadline.
    with time_machine.travel(local(2026, 4, 28, 9, 0), tick=False):
        [row] = connection_requests_with_days_left([waiting])
        assert row.deadline_state == "paused" and row.working_days_left == 7  # type: ignore[attr-defined]
    with time_machine.travel(local(2026, 4, 29, 15, 0), tick=False):
        # Wed 29 April + 7 working days: Thu 30 (1); Fri 1 May is a holiday; 4, 5, 6, 7, 8
        # May (2-6); Mon 11 May (7).
        resumed = connection_request_info_provided(
            connection_request=waiting, actor=None, note="Acordul este atașat.",
            documents=[("agreement", pdf("acord.pdf"))])
    assert resumed.status == Status.UNDER_REVIEW
    assert resumed.review_deadline == local(2026, 5, 11, 23, 59, 59)
    assert resumed.review_paused_at is None and resumed.review_days_left_at_pause is None
    assert resumed.documents.get().kind == "agreement"
    event = resumed.events.last()
    assert event is not None and event.actor is None  # sent by the applicant
    assert event.details["previous_deadline"] == local(2026, 4, 24, 23, 59, 59).isoformat()
    assert event.details["deadline"] == local(2026, 5, 11, 23, 59, 59).isoformat()


def test_paused_on_the_last_day_resumes_with_one_day(submit, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        created = submit()  # deadline Wed 24 June
    with time_machine.travel(local(2026, 6, 24, 17, 0), tick=False):
        waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                              message="Ultima întrebare.")
    assert waiting.review_days_left_at_pause == 0
    with time_machine.travel(local(2026, 7, 2, 10, 0), tick=False):  # Thu
        resumed = connection_request_info_provided(connection_request=waiting, actor=officer,
                                                   note="Răspuns")
    assert resumed.review_deadline == local(2026, 7, 3, 23, 59, 59)  # Fri: one working day


def test_paused_when_already_late_stays_late(submit, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        created = submit()
    with time_machine.travel(local(2026, 6, 26, 9, 0), tick=False):  # two days late
        waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                              message="Întârziat")
    assert waiting.review_days_left_at_pause == -2
    with time_machine.travel(local(2026, 7, 2, 10, 0), tick=False):
        resumed = connection_request_info_provided(connection_request=waiting, actor=officer,
                                                   note="Răspuns")
        [row] = connection_requests_with_days_left([resumed])
    assert resumed.review_deadline == local(2026, 6, 24, 23, 59, 59)
    assert row.deadline_state == "late"  # type: ignore[attr-defined]


def test_resumed_deadline_follows_agency_exceptions(submit, officer) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(2026, 6, 10, 9, 0), tick=False):
        created = submit()
    with time_machine.travel(local(2026, 6, 22, 9, 0), tick=False):  # Mon: 23, 24 left
        waiting = connection_request_ask_info(connection_request=created, actor=officer,
                                              message="?")
    assert waiting.review_days_left_at_pause == 2
    CalendarException.objects.create(date="2026-07-03", kind="rest_day",
                                     legal_act="HG test nr. 1/2026")
    with time_machine.travel(local(2026, 7, 1, 10, 0), tick=False):  # Wed: Thu 2, (3 off), Mon 6
        resumed = connection_request_info_provided(connection_request=waiting, actor=officer,
                                                   note="Răspuns")
    assert resumed.review_deadline == local(2026, 7, 6, 23, 59, 59)


def test_timeline_is_ordered_and_complete(submit, officer) -> None:  # type: ignore[no-untyped-def]
    created = submit()
    connection_request_start_review(connection_request=created, actor=officer)
    connection_request_ask_info(connection_request=created, actor=officer, message="Întrebare")
    connection_request_info_provided(connection_request=created, actor=officer, note="Răspuns")
    connection_request_withdraw(connection_request=created, actor=officer,
                                note="Instituția a retras cererea prin scrisoarea nr. 5.")
    actions = list(RequestEvent.objects.filter(request=created)
                   .values_list("action", flat=True))
    assert actions == ["submit", "start_review", "ask_info", "info_provided", "withdraw"]
    assert [a for a, outcome in _audit_actions(created) if outcome == "success"] == [
        f"connection_request.{action}" for action in actions]
