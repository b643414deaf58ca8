"""One connection request from submission to hand-over, with the clock moved across the
Orthodox Easter holidays of 2026 (12, 13 and 20 April) and Labour Day (1 May).

Every deadline is computed by hand from the calendar and compared with what the API and the
console show:

- submitted on Wednesday 8 April: the 10 working days are 9, 10, 14, 15, 16, 17, 21, 22, 23
  and 24 April (13 and 20 April are holidays), so the review deadline is 24 April;
- signed on Thursday 23 April: 24, 27, 28, 29, 30 April, 4, 5, 6, 7 and 8 May (1 May is a
  holiday), so the hand-over deadline is 8 May.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from sgsc.platform.signals import SESSION_TENANT_KEY
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.services import provisioning_job_run
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.workdays.selectors import deadline_after, is_working_day
from sgsc.tenants.models import Tenant
from tests.billing.tariffs.helpers import make_version
from tests.provisioning.requests.conftest import make_idno, valid_submission

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
PASSWORD = "Lumina-de-Paști-2026"
REVIEW_DEADLINE = date(2026, 4, 24)
HANDOVER_DEADLINE = date(2026, 5, 8)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _approved_tariff(db: None) -> None:
    make_version()


@contextmanager
def at(*moment: int) -> Iterator[None]:
    """The clock stopped at a Chisinau wall-clock moment."""
    with time_machine.travel(datetime(*moment, tzinfo=CHISINAU), tick=False):  # type: ignore[misc,arg-type]
        yield


def _post_json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}, default=str),
                       content_type="application/json")


def _list_row(html: str, number: str) -> str:
    match = re.search(rf'<tr class="deadline-([a-z_]+)" data-number="{number}">(.*?)</tr>',
                      html, re.S)
    assert match, f"{number} is not in the list"
    return f"{match.group(1)}|{' '.join(match.group(2).split())}"


def _days_left_cell(row: str) -> str:
    cell = re.search(r'<td class="days-left">(.*?)</td>', row, re.S)
    assert cell
    return " ".join(cell.group(1).split())


def test_the_calendar_the_journey_relies_on() -> None:
    # Checked by hand, independently of the code under test's arithmetic.
    days = [date(2026, 4, 8) + timedelta(days=n) for n in range(31)]
    off = [day for day in days if day.weekday() < 5 and not is_working_day(day)]
    assert off == [date(2026, 4, 13), date(2026, 4, 20), date(2026, 5, 1)]
    assert deadline_after(event=datetime(2026, 4, 8, 9, tzinfo=CHISINAU),
                          working_days=10).date() == REVIEW_DEADLINE
    assert deadline_after(event=datetime(2026, 4, 23, 15, tzinfo=CHISINAU),
                          working_days=10).date() == HANDOVER_DEADLINE


def test_request_to_handover_across_easter(
        public_client: Client, signed_in: Callable[..., tuple[Client, User]],
        client_for: Callable[[Tenant | None], Client]) -> None:
    admin, _admin_user = signed_in("age_admin")
    submission = valid_submission(institution_idno=make_idno(770001),
                                  institution_name="Agenția Pascală de Test",
                                  contact_email="admin.pascal@agentie.gov.md")
    submission.pop("documents", None)

    # 1. Submission, anonymous, on the public host.
    with at(2026, 4, 8, 10, 30):
        created = _post_json(public_client, "/api/v1/connection-requests/", submission)
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["review_deadline"] == "2026-04-24"
        assert body["received_at"] == "2026-04-08T10:30:00+03:00"
        assert body["status"] == "submitted"
        pk, number = body["id"], body["number"]
        assert re.fullmatch(r"CR-2026-\d{6}", number)
        detail = admin.get(f"/api/v1/connection-requests/{pk}/").json()
        assert detail["review_deadline_at"] == "2026-04-24T23:59:59+03:00"
        assert detail["working_days_left"] == 10
        assert detail["deadline_state"] == "on_time"

    # 2. The clock runs through Easter: the console list and the API agree with the calendar.
    for day, days_left, state, shown in [
        ((2026, 4, 9, 12), 9, "on_time", "9 zile lucrătoare"),
        ((2026, 4, 10, 12), 8, "on_time", "8 zile lucrătoare"),
        ((2026, 4, 12, 12), 8, "on_time", "8 zile lucrătoare"),   # Easter Sunday
        ((2026, 4, 13, 12), 8, "on_time", "8 zile lucrătoare"),   # Easter Monday
        ((2026, 4, 14, 9), 7, "on_time", "7 zile lucrătoare"),
        ((2026, 4, 20, 12), 4, "on_time", "4 zile lucrătoare"),   # Memorial Day
        ((2026, 4, 22, 9), 2, "at_risk", "2 zile lucrătoare"),
        ((2026, 4, 23, 9), 1, "at_risk", "1 zi lucrătoare"),
    ]:
        with at(*day):
            api = admin.get(f"/api/v1/connection-requests/{pk}/").json()
            assert (api["working_days_left"], api["deadline_state"]) == (days_left, state), day
            assert api["review_deadline"] == "2026-04-24"
            row = _list_row(admin.get("/cereri/").content.decode(), number)
            assert row.startswith(f"{state.replace('_', '-')}|") or row.startswith(f"{state}|")
            assert "24.04.2026" in row
            assert _days_left_cell(row) == shown, (day, row)
            listed = admin.get(f"/api/v1/connection-requests/?q={number}").json()["results"]
            assert [(r["number"], r["working_days_left"]) for r in listed] == [
                (number, days_left)]
    with at(2026, 4, 14, 9):
        at_risk = admin.get("/cereri/?termen=at_risk").content.decode()
        assert number not in at_risk
        page = admin.get(f"/cereri/{pk}/").content.decode()
        assert "24.04.2026 23:59" in page and "7 zile lucrătoare" in page
    with at(2026, 4, 22, 9):
        assert number in admin.get("/cereri/?termen=at_risk").content.decode()

    # 3. Examination and approval by an AGE administrator, through the API, on 23 April.
    with at(2026, 4, 23, 10):
        started = _post_json(admin, f"/api/v1/connection-requests/{pk}/start-review/")
        assert started.status_code == 200, started.content
        approved = _post_json(admin, f"/api/v1/connection-requests/{pk}/approve/",
                              {"note": "Cererea este completă."})
        assert approved.status_code == 200, approved.content
        detail = admin.get(f"/api/v1/connection-requests/{pk}/").json()
        assert detail["status"] == "approved" and detail["deadline_state"] == "closed"
        assert detail["review_deadline"] == "2026-04-24"  # kept, no longer counted
        contract_id = detail["contract_id"]
        assert contract_id is not None
        request_page = admin.get(f"/cereri/{pk}/").content.decode()
        assert "24.04.2026 23:59" in request_page

    # 4. The contract is signed through the API the same afternoon: 10 working days to hand
    #    over the access, 1 May not counted.
    with at(2026, 4, 23, 15):
        draft = admin.get(f"/api/v1/contracts/{contract_id}/").json()
        assert draft["status"] == "draft" and draft["handover_deadline"] is None
        slug = draft["tenant_slug"]
        signed = _post_json(admin, f"/api/v1/contracts/{contract_id}/sign/", {
            "age_signer_name": "Ion Rusu", "age_signer_position": "Director",
            "provider_signer_name": "Ana Țurcanu", "provider_signer_position": "Director"})
        assert signed.status_code == 200, signed.content
        contract = signed.json()
        assert contract["status"] == "signed"
        assert contract["signed_at"] == "2026-04-23T15:00:00+03:00"
        assert contract["handover_deadline"] == "2026-05-08T23:59:59+03:00"
        assert contract["handover_state"] == "ok"
        assert contract["handover_working_days_left"] == 10
        assert {s["party"] for s in contract["signatures"]} == {"age", "provider"}

        # 5. Provisioning (what the Celery task runs), synchronously.
        provisioning_job_run(contract_id=contract_id)
        tenant_api = admin.get(f"/api/v1/tenants/{slug}/").json()
        assert tenant_api["status"] == "active"
        assert tenant_api["provisioning_status"] == "done"
        assert tenant_api["steps"] and {s["state"] for s in tenant_api["steps"]} == {"done"}
        assert tenant_api["handover_deadline"] == "2026-05-08T23:59:59+03:00"
        assert tenant_api["handed_over_at"] is None
        assert tenant_api["contract_number"] == contract["number"]
        assert admin.get(f"/api/v1/contracts/{contract_id}/").json()["status"] == "active"

    # 6. The access package e-mail: the activation link, on the new tenant's host.
    [message] = [m for m in mail.outbox if "admin.pascal@agentie.gov.md" in m.to]
    link = re.search(r"https?://([^/\s]+)(/activare/[A-Za-z0-9_-]+/)", str(message.body))
    assert link, message.body
    tenant = Tenant.objects.get(slug=slug)
    assert link.group(1).split(":")[0] == f"{slug}.sgsc.test"
    with at(2026, 4, 24, 8, 15):
        provider = client_for(tenant)
        form = provider.get(link.group(2))
        assert form.status_code == 200 and "admin.pascal@agentie.gov.md" in form.content.decode()
        done = provider.post(link.group(2), {"new_password1": PASSWORD,
                                             "new_password2": PASSWORD})
        assert done.status_code == 302 and done["Location"] == "/"
        assert provider.session[SESSION_TENANT_KEY] == tenant.schema_name
        assert provider.get("/api/v1/me/").json()["email"] == "admin.pascal@agentie.gov.md"
        assert provider.get("/").status_code == 200
        person = User.objects.get(email="admin.pascal@agentie.gov.md")
        assert person.check_password(PASSWORD)
        assert Membership.objects.filter(user=person, tenant=tenant).exists()
        # The link worked once.
        assert client_for(tenant).get(link.group(2)).status_code == 410

    # 7. Before the hand-over: the clock on the contract page, the tenant page and the API.
    for day, days_left, state, shown in [
        ((2026, 4, 29, 12), 6, "ok", "6 zile lucrătoare rămase"),
        ((2026, 4, 30, 12), 5, "ok", "5 zile lucrătoare rămase"),
        ((2026, 5, 1, 12), 5, "ok", "5 zile lucrătoare rămase"),   # Labour Day
        ((2026, 5, 6, 9), 2, "at_risk", "2 zile lucrătoare rămase"),
    ]:
        with at(*day):
            api = admin.get(f"/api/v1/contracts/{contract_id}/").json()
            assert (api["handover_working_days_left"], api["handover_state"]) == (
                days_left, state), day
            contract_page = " ".join(
                admin.get(f"/contracte/{contract_id}/").content.decode().split())
            assert f"08.05.2026 <span class=\"clock clock-{state}\">{shown}</span>" in \
                contract_page, day
            tenant_page = " ".join(admin.get(f"/prestatori/{slug}/").content.decode().split())
            assert "08.05.2026" in tenant_page and shown in tenant_page, day

    # 8. Hand-over recorded on 6 May, two working days early.
    with at(2026, 5, 6, 11):
        handed = _post_json(admin, f"/api/v1/contracts/{contract_id}/handover/")
        assert handed.status_code == 200, handed.content
        result = handed.json()
        assert result["handed_over_at"] == "2026-05-06T11:00:00+03:00"
        assert result["handover_state"] == "done"
        assert result["handover_deadline"] == "2026-05-08T23:59:59+03:00"
        event = AuditEvent.objects.filter(action="contract.handover",
                                          object_id=str(contract_id)).latest("id")
        assert event.details["on_time"] is True
        assert datetime.fromisoformat(event.details["deadline"]) == datetime(
            2026, 5, 8, 23, 59, 59, tzinfo=CHISINAU)
        again = _post_json(admin, f"/api/v1/contracts/{contract_id}/handover/")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "already_handed_over"

    # 9. Afterwards (past the deadline, too) every page shows the same dates.
    with at(2026, 5, 12, 10):
        contract_page = " ".join(admin.get(f"/contracte/{contract_id}/").content.decode().split())
        assert '08.05.2026 <span class="clock clock-done">predat</span>' in contract_page
        assert "06.05.2026 11:00" in contract_page
        tenant_page = " ".join(admin.get(f"/prestatori/{slug}/").content.decode().split())
        assert "08.05.2026 — acces predat la 06.05.2026" in tenant_page
        tenant_api = admin.get(f"/api/v1/tenants/{slug}/").json()
        assert tenant_api["handed_over_at"] == "2026-05-06T11:00:00+03:00"
        assert tenant_api["handover_deadline"] == "2026-05-08T23:59:59+03:00"
        request_page = admin.get(f"/cereri/{pk}/").content.decode()
        assert "24.04.2026 23:59" in request_page
        stored_request = ConnectionRequest.objects.get(pk=pk)
        stored = Contract.objects.get(pk=contract_id)
        assert stored_request.review_deadline == deadline_after(
            event=stored_request.received_at, working_days=10)
        assert stored.signed_at is not None
        assert stored.handover_deadline == deadline_after(event=stored.signed_at,
                                                          working_days=10)
