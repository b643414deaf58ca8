"""The daily e-mail to AGE staff about review and hand-over deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from celery.schedules import crontab
from django.core import mail
from django.utils import timezone

from sgsc.platform.celery import app
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.alerts import deadline_alerts_send
from sgsc.provisioning.onboarding.selectors import deadline_digest
from sgsc.provisioning.onboarding.tasks import deadline_alerts
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from tests.factories import InstitutionFactory, UserFactory
from tests.provisioning.onboarding.helpers import make_signed_contract, valid_idnp

CHISINAU = ZoneInfo("Europe/Chisinau")
# Wednesday 10 June 2026, 06:59 local: just before the job's run.
NOW = datetime(2026, 6, 10, 6, 59, tzinfo=CHISINAU)


def _end_of(day: int, month: int = 6) -> datetime:
    return datetime(2026, month, day, 23, 59, 59, tzinfo=CHISINAU)


def _request(number: str, *, deadline: datetime, status: str = "submitted",
             paused: bool = False) -> ConnectionRequest:
    received = deadline - timedelta(days=15)
    return ConnectionRequest.objects.create(
        number=number, institution=InstitutionFactory(), mode="individual",
        services=["S"], channels=["email"], expected_seats=1, expected_requests_month=1,
        contact_name="Ion Rusu", contact_idnp=valid_idnp(123), contact_email="c@x.md",
        contact_phone="1", status=status, received_at=received,
        review_deadline=deadline,
        review_paused_at=received if paused else None)


def _staff() -> None:
    UserFactory(email="admin@age.gov.md", platform_roles=["age_admin"])
    UserFactory(email="ofiter@age.gov.md", platform_roles=["age_onboarding_officer"])
    UserFactory(email="fost@age.gov.md", platform_roles=["age_admin"], is_active=False)
    UserFactory(email="cancelaria@gov.md", platform_roles=["chancellery_reviewer"])


def test_summary_lists_due_and_missed_deadlines_to_age_staff(db: None) -> None:
    _staff()
    # Friday 12 June: 2 working days left (11, 12); Friday 5 June: missed; 24 June: far.
    _request("CR-2026-000001", deadline=_end_of(12))
    _request("CR-2026-000002", deadline=_end_of(5))
    _request("CR-2026-000003", deadline=_end_of(24))
    _request("CR-2026-000004", deadline=_end_of(5), status="needs_info",
             paused=True)  # clock suspended: not reported
    _request("CR-2026-000005", deadline=_end_of(5), status="approved")  # decided
    # Signed 27 May: 10 working days (1 June is a holiday) end on Thursday 11 June.
    due = make_signed_contract(slug="predare-curand",
                               signed_at=datetime(2026, 5, 27, 12, tzinfo=CHISINAU))
    assert due.handover_deadline == _end_of(11)
    late = make_signed_contract(slug="predare-tarzie",
                                signed_at=datetime(2026, 5, 20, 12, tzinfo=CHISINAU))
    done = make_signed_contract(slug="predare-gata",
                                signed_at=datetime(2026, 5, 20, 12, tzinfo=CHISINAU))
    Contract.objects.filter(pk=done.pk).update(handed_over_at=NOW)

    digest = deadline_digest(now=NOW)
    assert [r.number for r in digest.reviews_due] == ["CR-2026-000001"]
    assert [r.days_left for r in digest.reviews_due] == [2]
    assert [r.number for r in digest.reviews_missed] == ["CR-2026-000002"]
    assert [r.number for r in digest.handovers_missed] == [late.number]
    assert [r.number for r in digest.handovers_due] == [due.number]
    assert [r.days_left for r in digest.handovers_due] == [1]

    assert deadline_alerts_send(now=NOW) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@age.gov.md", "ofiter@age.gov.md"]
    message = mail.outbox[0]
    assert len(message.to) == 1  # colleagues do not see each other's addresses
    assert "2 depășite, 2 aproape de expirare" in message.subject
    body = message.body
    assert "termenul de examinare depășit" in body and "CR-2026-000002" in body
    assert "CR-2026-000001" in body and "2 zile lucrătoare rămase" in body
    assert late.number in body and due.number in body
    for absent in ("CR-2026-000003", "CR-2026-000004", "CR-2026-000005", done.number):
        assert absent not in body
    assert AuditEvent.objects.filter(action="onboarding.deadline_alerts").latest(
        "id").details["recipients"] == 2


def test_nothing_is_sent_when_there_is_nothing_to_say(db: None) -> None:
    _staff()
    _request("CR-2026-000010", deadline=_end_of(24))  # 10 working days left
    assert deadline_digest(now=NOW).is_empty
    assert deadline_alerts_send(now=NOW) == 0
    assert mail.outbox == []


def test_task_uses_the_current_time_and_runs_daily_at_seven(db: None) -> None:
    _staff()
    _request("CR-2026-000020", deadline=_end_of(5))
    with time_machine.travel(NOW, tick=False):
        assert timezone.now() == NOW
        assert deadline_alerts.apply().get() == 2
    assert "CR-2026-000020" in mail.outbox[0].body
    entry = app.conf.beat_schedule["onboarding-deadline-alerts-daily"]
    assert entry["task"] == "onboarding.deadline_alerts"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert app.conf.timezone == "Europe/Chisinau"
