"""After signature: activation by provisioning, suspension, termination, expiry, hand-over."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.selectors import contract_handover_clock
from sgsc.provisioning.contracts.services import (
    contract_mark_active,
    contract_record_handover,
    contract_set_status,
    contract_sign,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.tenants.models import Tenant

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
S = Contract.Status


@pytest.fixture
def signed(draft, officer, signers, tenants) -> Contract:  # type: ignore[no-untyped-def]
    # prov-a stands for the tenant provisioning made for this contract.
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    Contract.objects.filter(pk=draft.pk).update(tenant_slug="prov-a")
    draft.refresh_from_db()
    return draft  # type: ignore[no-any-return]


@pytest.fixture
def active(signed, tenants) -> Contract:  # type: ignore[no-untyped-def]
    return contract_mark_active(contract=signed, tenant=tenants.prov_a)


def test_provisioning_marks_the_contract_active(signed, tenants) -> None:  # type: ignore[no-untyped-def]
    active = contract_mark_active(contract=signed, tenant=tenants.prov_a)
    assert active.status == S.ACTIVE and active.tenant == tenants.prov_a
    event = AuditEvent.objects.filter(action="contract.status.change").latest("id")
    assert event.details["from"] == "signed" and event.details["to"] == "active"
    assert event.details["tenant"] == "prov-a"
    # Running it again (a resumed provisioning job) changes nothing and records nothing.
    count = AuditEvent.objects.count()
    again = contract_mark_active(contract=signed, tenant=tenants.prov_a)
    assert again.status == S.ACTIVE and AuditEvent.objects.count() == count


def test_activation_needs_the_contracts_own_tenant(signed, tenants) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as error:
        contract_mark_active(contract=signed, tenant=tenants.prov_b)
    assert error.value.code == "tenant_mismatch"
    signed.refresh_from_db()
    assert signed.status == S.SIGNED and signed.tenant is None


def test_a_draft_cannot_become_active(draft, tenants) -> None:  # type: ignore[no-untyped-def]
    Contract.objects.filter(pk=draft.pk).update(tenant_slug="prov-a")
    with pytest.raises(Conflict) as error:
        contract_mark_active(contract=draft, tenant=tenants.prov_a)
    assert error.value.code == "invalid_transition"
    assert Contract.objects.get(pk=draft.pk).status == S.DRAFT


def test_suspend_reactivate_terminate(active, officer) -> None:  # type: ignore[no-untyped-def]
    suspended = contract_set_status(contract=active, status=S.SUSPENDED,
                                    reason="Tarife neachitate",
                                    legal_basis="Contract, pct. 5.1", actor=officer)
    assert suspended.status == S.SUSPENDED
    assert suspended.status_reason == "Tarife neachitate"
    assert suspended.status_legal_basis == "Contract, pct. 5.1"
    assert suspended.status_changed_at is not None
    back = contract_set_status(contract=active, status=S.ACTIVE, reason="Achitat",
                               actor=officer)
    assert back.status == S.ACTIVE
    ended = contract_set_status(contract=active, status=S.TERMINATED, reason="Reziliere",
                                legal_basis="Anexa nr. 2, pct. 37.4", actor=officer)
    assert ended.status == S.TERMINATED
    events = AuditEvent.objects.filter(action="contract.status.change",
                                       object_id=str(active.pk)).order_by("id")
    assert [e.details["to"] for e in events] == ["active", "suspended", "active", "terminated"]


def test_expiry(active, officer) -> None:  # type: ignore[no-untyped-def]
    assert contract_set_status(contract=active, status=S.EXPIRED, actor=officer).status == (
        S.EXPIRED)


@pytest.mark.parametrize(("start", "target"), [
    (S.DRAFT, S.ACTIVE), (S.DRAFT, S.SUSPENDED), (S.DRAFT, S.TERMINATED),
    (S.DRAFT, S.EXPIRED), (S.SIGNED, S.ACTIVE), (S.SIGNED, S.SUSPENDED),
    (S.SIGNED, S.EXPIRED), (S.TERMINATED, S.ACTIVE), (S.TERMINATED, S.SUSPENDED),
    (S.EXPIRED, S.ACTIVE), (S.EXPIRED, S.TERMINATED), (S.ACTIVE, S.ACTIVE),
    (S.SUSPENDED, S.SUSPENDED),
])
def test_wrong_transitions_change_nothing(draft, officer, start, target) -> None:  # type: ignore[no-untyped-def]
    Contract.objects.filter(pk=draft.pk).update(status=start)
    before = Contract.objects.filter(pk=draft.pk).values().get()
    with pytest.raises(Conflict) as error:
        contract_set_status(contract=draft, status=target, reason="motiv",
                            legal_basis="temei", actor=officer)
    assert error.value.code == "invalid_transition"
    assert Contract.objects.filter(pk=draft.pk).values().get() == before
    refusal = AuditEvent.objects.filter(action="contract.status.change").latest("id")
    assert refusal.outcome == "failure" and refusal.details["code"] == "invalid_transition"


@pytest.mark.parametrize("target", [S.SUSPENDED, S.TERMINATED])
@pytest.mark.parametrize(("reason", "legal_basis", "fields"), [
    ("", "temei", {"reason"}), ("motiv", " ", {"legal_basis"}), ("", "", {"reason",
                                                                          "legal_basis"}),
])
def test_suspension_and_termination_need_grounds(active, officer, target, reason, legal_basis,  # type: ignore[no-untyped-def]
                                                 fields) -> None:
    with pytest.raises(InvalidInput) as error:
        contract_set_status(contract=active, status=target, reason=reason,
                            legal_basis=legal_basis, actor=officer)
    assert error.value.code == "reason_required"
    assert set(error.value.fields) == fields
    assert Contract.objects.get(pk=active.pk).status == S.ACTIVE


@pytest.mark.parametrize("target", ["draft", "signed", "archived"])
def test_statuses_not_set_by_hand(active, officer, target) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as error:
        contract_set_status(contract=active, status=target, actor=officer)
    assert error.value.code == "invalid_status"


def test_handover_after_activation(active, officer) -> None:  # type: ignore[no-untyped-def]
    done = contract_record_handover(contract=active, actor=officer)
    assert done.handed_over_by == officer and done.handed_over_at is not None
    event = AuditEvent.objects.filter(action="contract.handover").latest("id")
    assert event.details["on_time"] is True and event.actor == officer
    assert contract_handover_clock(contract=done).state == "done"
    with pytest.raises(Conflict) as error:
        contract_record_handover(contract=active, actor=officer)
    assert error.value.code == "already_handed_over"
    assert Contract.objects.get(pk=active.pk).handed_over_at == done.handed_over_at


@pytest.mark.parametrize("status", [S.DRAFT, S.SIGNED, S.SUSPENDED, S.TERMINATED])
def test_no_handover_before_activation(draft, officer, status) -> None:  # type: ignore[no-untyped-def]
    Contract.objects.filter(pk=draft.pk).update(status=status)
    with pytest.raises(Conflict) as error:
        contract_record_handover(contract=draft, actor=officer)
    assert error.value.code == "contract_not_active"
    draft.refresh_from_db()
    assert draft.handed_over_at is None and draft.handed_over_by is None


def test_handover_clock_colours(draft, officer, signers) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2027, 4, 28, 15, 0, tzinfo=CHISINAU)):
        contract = contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    deadline = contract.handover_deadline  # Friday 14 May 2027
    assert deadline is not None

    def at(day: int, hour: int = 10) -> str:
        clock = contract_handover_clock(
            contract=contract, now=datetime(2027, 5, day, hour, 0, tzinfo=CHISINAU))
        return f"{clock.state}:{clock.days_left}"

    assert at(4) == "ok:7"       # Tuesday after Easter Monday
    assert at(11) == "ok:3"      # Tuesday after Memorial Easter
    assert at(12) == "at_risk:2"
    assert at(14) == "at_risk:0"  # the last day
    assert at(17) == "late:-1"
    late = contract_handover_clock(contract=contract, now=deadline + timedelta(seconds=1))
    assert late.state == "late" and late.days_late == 1


def test_late_handover_is_recorded_as_late(active, officer) -> None:  # type: ignore[no-untyped-def]
    Contract.objects.filter(pk=active.pk).update(
        handover_deadline=datetime(2020, 1, 10, 23, 59, 59, tzinfo=CHISINAU))
    done = contract_record_handover(contract=active, actor=officer)
    assert contract_handover_clock(contract=done).state == "done_late"
    assert AuditEvent.objects.filter(action="contract.handover").latest("id").details[
        "on_time"] is False


def test_tenant_model_unchanged(active, tenants) -> None:  # type: ignore[no-untyped-def]
    # The contract follows the tenant; it never changes the tenant's own status.
    assert Tenant.objects.get(pk=tenants.prov_a.pk).status == Tenant.Status.ACTIVE
