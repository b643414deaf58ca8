"""Cancelling a draft contract: the request is closed with it; audited; page and API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.services import contract_cancel_draft, contract_sign
from sgsc.provisioning.requests.models import ConnectionRequest, RequestEvent
from sgsc.provisioning.requests.services import (
    connection_request_actions,
    connection_request_submit,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import User
from tests.provisioning.requests.conftest import valid_submission

pytestmark = pytest.mark.django_db
REASON = "Prestatorul a renunțat la conectare (scrisoarea nr. 12 din 3 martie)."


def test_cancel_closes_the_draft_and_its_request(draft: Contract, officer: User) -> None:
    cancelled = contract_cancel_draft(contract=draft, reason=f"  {REASON} ", actor=officer)
    assert cancelled.status == Contract.Status.CANCELLED
    assert cancelled.status_reason == REASON and cancelled.status_changed_at is not None
    request = ConnectionRequest.objects.get(pk=draft.request_id)
    assert request.status == ConnectionRequest.Status.WITHDRAWN
    entry = RequestEvent.objects.filter(request=request).latest("id")
    assert (entry.action, entry.from_status, entry.to_status, entry.note) == (
        "contract_cancel", "approved", "withdrawn", REASON)
    assert entry.action_label == "Proiectul de contract anulat; cerere închisă"
    event = AuditEvent.objects.get(action="contract.cancel")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.actor == officer
    assert event.details["reason"] == REASON and event.details["request"] == request.number
    assert AuditEvent.objects.filter(action="connection_request.contract_cancel").exists()


def test_the_console_never_offers_the_contract_only_action() -> None:
    assert "contract_cancel" not in connection_request_actions(status="approved")


def test_reason_required_and_only_a_draft(draft: Contract, officer: User,
                                          signers: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as missing:
        contract_cancel_draft(contract=draft, reason="  ", actor=officer)
    assert missing.value.code == "reason_required"
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    with pytest.raises(Conflict) as signed:
        contract_cancel_draft(contract=draft, reason=REASON, actor=officer)
    assert signed.value.code == "contract_not_draft"
    draft.refresh_from_db()
    assert draft.status == Contract.Status.SIGNED
    assert draft.request.status == ConnectionRequest.Status.APPROVED
    codes = list(AuditEvent.objects.filter(action="contract.cancel",
                                           outcome=AuditEvent.Outcome.FAILURE)
                 .order_by("id").values_list("details__code", flat=True))
    assert codes == ["reason_required", "contract_not_draft"]


def test_the_institution_may_ask_again(draft: Contract, officer: User) -> None:
    contract_cancel_draft(contract=draft, reason=REASON, actor=officer)
    again = connection_request_submit(**valid_submission(
        institution_idno=draft.institution.idno, institution_name=draft.institution.name))
    assert again.status == ConnectionRequest.Status.SUBMITTED


def test_page_confirms_then_cancels(signed_in: Callable[..., Any], draft: Contract) -> None:
    client, _user = signed_in("age_onboarding_officer")
    page = client.get(f"/contracte/{draft.pk}/").content.decode()
    assert 'popovertarget="cancel-dialog"' in page and "Acțiunea nu poate fi anulată" in page
    refused = client.post(f"/contracte/{draft.pk}/anulare/", {"reason": ""})
    assert refused.status_code == 400 and "Indicați motivul anulării" in refused.content.decode()
    done = client.post(f"/contracte/{draft.pk}/anulare/", {"reason": REASON}, follow=True)
    body = done.content.decode()
    assert done.status_code == 200 and "a fost anulat" in body and "Anulat" in body
    assert 'popovertarget="cancel-dialog"' not in body  # no longer a draft
    again = client.post(f"/contracte/{draft.pk}/anulare/", {"reason": REASON})
    assert again.status_code == 409 and "nu mai este un proiect" in again.content.decode()


def test_api_cancel(signed_in: Callable[..., Any], draft: Contract) -> None:
    client, _user = signed_in("age_onboarding_officer")
    url = f"/api/v1/contracts/{draft.pk}/cancel/"
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "reason_required"
    done = client.post(url, {"reason": REASON}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = client.post(url, {"reason": REASON}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "contract_not_draft"


def test_cancel_needs_the_onboarding_capability(signed_in: Callable[..., Any],
                                                draft: Contract) -> None:
    client, _user = signed_in("chancellery_reviewer")
    assert client.post(f"/api/v1/contracts/{draft.pk}/cancel/", {"reason": REASON},
                       content_type="application/json").status_code == 403
    assert client.post(f"/contracte/{draft.pk}/anulare/", {"reason": REASON}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Contract.Status.DRAFT
