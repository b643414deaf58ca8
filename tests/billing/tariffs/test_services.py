"""The tariff workflow and every refusal: a stable code, an audit event, nothing changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings

from sgsc.billing.tariffs.models import (
    TariffComponent,
    TariffScheduleVersion,
    TariffVersionReturn,
)
from sgsc.billing.tariffs.selectors import tariff_version_effective
from sgsc.billing.tariffs.services import (
    ComponentInput,
    tariff_version_approve,
    tariff_version_delete,
    tariff_version_draft,
    tariff_version_new_from,
    tariff_version_return,
    tariff_version_submit,
    tariff_version_update,
)
from sgsc.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound
from sgsc.shared_apps.audit.models import AuditEvent
from tests.billing.tariffs.conftest import components, pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = TariffScheduleVersion.Status


def _approve(version: TariffScheduleVersion, reviewer: Any, **overrides: Any) -> Any:
    values: dict[str, Any] = {"decision_number": "CS-7/2027",
                              "decision_date": date(2026, 11, 2),
                              "decision_document": pdf_upload(), **overrides}
    return tariff_version_approve(version=version, actor=reviewer, **values)


def _stored() -> dict[str, Any]:
    """Everything the tariffs app stores, and the decision files."""
    media = Path(django_settings.MEDIA_ROOT)
    return {
        "versions": list(TariffScheduleVersion.objects.order_by("pk").values()),
        "components": list(TariffComponent.objects.order_by("pk").values()),
        "returns": list(TariffVersionReturn.objects.order_by("pk").values()),
        "files": sorted(str(p) for p in media.rglob("*")) if media.exists() else [],
    }


def _refusal(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).latest("id")
    assert event.outcome == "failure"
    return event


# --- the workflow ----------------------------------------------------------------------------

def test_draft_submit_approve_freezes_the_version(draft_version, author, reviewer) -> None:  # type: ignore[no-untyped-def]
    version = draft_version()
    assert (version.number, version.status, version.currency) == (1, Status.DRAFT, "MDL")
    assert {c.kind: c.unit_price for c in version.components.all()} == {
        "subscription": Decimal("1500.0000"), "seat": Decimal("350.5000"),
        "ticket": Decimal("2.5000")}
    tariff_version_submit(version=version, actor=author)
    approved = _approve(version, reviewer)
    version.refresh_from_db()
    assert version.status == Status.APPROVED and version.is_frozen
    assert (version.decision_number, version.decision_date) == ("CS-7/2027", date(2026, 11, 2))
    assert version.approved_by == reviewer and version.submitted_by == author
    with version.decision_document.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert len(version.decision_sha256) == 64 and approved.pk == version.pk
    actions = list(AuditEvent.objects.filter(object_type="tariff_version",
                                             object_id=str(version.pk))
                   .order_by("id").values_list("action", "outcome", "actor_id"))
    assert actions == [("tariff.version.draft", "success", author.pk),
                       ("tariff.version.submit", "success", author.pk),
                       ("tariff.version.approve", "success", reviewer.pk)]
    assert tariff_version_effective(schedule=version.schedule, on=date(2027, 6, 1)) == version


def test_return_with_comments_then_correct_and_resubmit(submitted_version, author,  # type: ignore[no-untyped-def]
                                                        reviewer) -> None:
    version = submitted_version()
    tariff_version_return(version=version, comments="  Prețul pe minut nu este justificat. ",
                          actor=reviewer)
    version.refresh_from_db()
    assert version.status == Status.RETURNED
    assert list(version.returns.values_list("comments", flat=True)) == [
        "Prețul pe minut nu este justificat."]
    tariff_version_update(version=version, effective_from=date(2027, 1, 1), effective_to=None,
                          vat_treatment="excluded", vat_rate="20",
                          components=components(call_minute="0.3000"), actor=author)
    tariff_version_submit(version=version, actor=author)
    tariff_version_return(version=version, comments="Încă o observație.", actor=reviewer)
    assert version.returns.count() == 2  # the history keeps every return
    tariff_version_submit(version=version, actor=author)
    _approve(version, reviewer)
    version.refresh_from_db()
    assert version.status == Status.APPROVED and version.vat_rate == Decimal("20.00")
    assert version.components.get(kind="call_minute").unit_price == Decimal("0.3")


def test_a_change_of_an_approved_version_is_a_new_version(submitted_version, author,  # type: ignore[no-untyped-def]
                                                          reviewer) -> None:
    approved = _approve(submitted_version(effective_to=date(2027, 12, 31),
                                          ticket="2.0000"), reviewer)
    draft = tariff_version_new_from(version=approved, actor=author)
    assert (draft.number, draft.status, draft.based_on_id) == (2, Status.DRAFT, approved.pk)
    assert draft.effective_from == date(2028, 1, 1)  # the day after the approved one ends
    assert {c.kind: c.unit_price for c in draft.components.all()} == {
        c.kind: c.unit_price for c in approved.components.all()}
    tariff_version_update(version=draft, effective_from=date(2028, 1, 1), effective_to=None,
                          vat_treatment="exempt", vat_rate=None,
                          components=components(ticket="2.2000"), actor=author)
    approved.refresh_from_db()
    assert approved.components.get(kind="ticket").unit_price == Decimal("2.0000")
    tariff_version_submit(version=draft, actor=author)
    _approve(draft, reviewer)
    schedule = approved.schedule
    assert tariff_version_effective(schedule=schedule, on=date(2027, 12, 31)) == approved
    assert tariff_version_effective(schedule=schedule, on=date(2028, 1, 1)).pk == draft.pk


def test_only_an_approved_version_is_copied(draft_version, author) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as error:
        tariff_version_new_from(version=draft_version(), actor=author)
    assert error.value.code == "version_not_approved"


def test_a_draft_never_submitted_can_be_deleted(draft_version, submitted_version,  # type: ignore[no-untyped-def]
                                                author) -> None:
    draft = draft_version()
    tariff_version_delete(version=draft, actor=author)
    assert not TariffScheduleVersion.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="tariff.version.delete", outcome="success").exists()
    pending = submitted_version(effective_from=date(2029, 1, 1))
    with pytest.raises(Conflict) as error:
        tariff_version_delete(version=pending, actor=author)
    assert error.value.code == "invalid_transition"


# --- the effective version -------------------------------------------------------------------

def test_the_version_in_force(schedule, submitted_version, reviewer) -> None:  # type: ignore[no-untyped-def]
    first = _approve(submitted_version(effective_from=date(2027, 1, 1)), reviewer)
    bounded = _approve(submitted_version(effective_from=date(2028, 1, 1),
                                         effective_to=date(2028, 6, 30)), reviewer)
    submitted_version(effective_from=date(2030, 1, 1))  # submitted only: never in force
    effective = tariff_version_effective
    with pytest.raises(NotFound) as error:
        effective(schedule=schedule, on=date(2026, 12, 31))
    assert error.value.code == "no_approved_tariff"
    assert effective(schedule=schedule, on=date(2027, 1, 1)) == first
    # An open end lasts until the next version starts.
    assert effective(schedule=schedule, on=date(2027, 12, 31)) == first
    assert effective(schedule=schedule, on=date(2028, 6, 30)) == bounded
    # After a bounded version ends, nothing applies until another is approved.
    with pytest.raises(NotFound):
        effective(schedule=schedule, on=date(2030, 2, 1))
    assert [c.kind for c in effective(schedule=schedule, on=date(2027, 5, 5)).components.all()]


# --- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize(("prices", "code", "field"), [
    ({"seat": "-0.0001"}, "negative_price", "components.seat"),
    ({"ticket": "1.00001"}, "invalid_price", "components.ticket"),
    ({"ticket": "abc"}, "invalid_number", "components.ticket"),
    ({"ticket": "NaN"}, "invalid_number", "components.ticket"),
    ({"ticket": "10000000000"}, "invalid_price", "components.ticket"),
])
def test_bad_prices_are_refused_and_nothing_is_stored(draft_version, prices, code, field) -> None:  # type: ignore[no-untyped-def]
    before = _stored()
    with pytest.raises(InvalidInput) as error:
        draft_version(**prices)
    assert (error.value.code, list(error.value.fields)) == (code, [field])
    assert _stored() == before
    assert _refusal("tariff.version.draft").details["code"] == code


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"components": [ComponentInput("seat", "-1")]}, "negative_price", "components.seat"),
    ({"components": [ComponentInput("seat", "1"), ComponentInput("seat", "2")]},
     "duplicate_component", "components.seat"),
    ({"components": [ComponentInput("fax", "1")]}, "unknown_component", "components"),
    ({"components": [ComponentInput("seat", "1", allowance_gb="5")]},
     "allowance_not_storage", "components.seat"),
    ({"components": [ComponentInput("seat", "1", hub_multiplier="-0.5")]},
     "negative_value", "components.seat"),
    ({"effective_to": date(2026, 12, 31)}, "invalid_period", "effective_to"),
    ({"effective_from": None}, "required", "effective_from"),
    ({"vat_treatment": "excluded", "vat_rate": None}, "invalid_vat_rate", "vat_rate"),
    ({"vat_treatment": "included", "vat_rate": "120"}, "invalid_vat_rate", "vat_rate"),
    ({"vat_treatment": "exempt", "vat_rate": "20"}, "invalid_vat_rate", "vat_rate"),
    ({"vat_treatment": "zero"}, "invalid_vat", "vat_treatment"),
])
def test_bad_edits_of_a_draft_change_nothing(draft_version, author, changes, code, field) -> None:  # type: ignore[no-untyped-def]
    version = draft_version()
    values: dict[str, Any] = {"effective_from": date(2027, 1, 1), "effective_to": None,
                              "vat_treatment": "exempt", "vat_rate": None,
                              "components": components(), **changes}
    before = _stored()
    with pytest.raises(InvalidInput) as error:
        tariff_version_update(version=version, actor=author, **values)
    assert error.value.code == code and field in error.value.fields
    assert _stored() == before
    assert _refusal("tariff.version.update").details["code"] == code


def test_an_approved_version_is_frozen(submitted_version, author, reviewer) -> None:  # type: ignore[no-untyped-def]
    version = _approve(submitted_version(), reviewer)
    before = _stored()
    for attempt in (
        lambda: tariff_version_update(version=version, effective_from=date(2027, 1, 1),
                                      effective_to=None, vat_treatment="exempt",
                                      vat_rate=None, components=components(seat="1"),
                                      actor=author),
        lambda: tariff_version_submit(version=version, actor=author),
        lambda: tariff_version_delete(version=version, actor=author),
        lambda: tariff_version_return(version=version, comments="x", actor=reviewer),
        lambda: _approve(version, reviewer),
    ):
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "version_frozen"
    assert _stored() == before
    assert _refusal("tariff.version.update").details["code"] == "version_frozen"


def test_a_submitted_version_is_not_edited(submitted_version, author) -> None:  # type: ignore[no-untyped-def]
    version = submitted_version()
    before = _stored()
    with pytest.raises(Conflict) as error:
        tariff_version_update(version=version, effective_from=date(2027, 1, 1),
                              effective_to=None, vat_treatment="exempt", vat_rate=None,
                              components=components(), actor=author)
    assert error.value.code == "invalid_transition"
    assert _stored() == before


@pytest.mark.parametrize("own", ["drafted", "submitted"])
def test_approving_ones_own_draft_is_refused(schedule, submitted_version, draft_version,  # type: ignore[no-untyped-def]
                                             author, own) -> None:
    both = UserFactory(platform_roles=["age_admin", "chancellery_reviewer"])
    if own == "drafted":
        version = submitted_version(actor=both)
    else:
        version = tariff_version_submit(version=draft_version(), actor=both)
    before = _stored()
    with pytest.raises(AccessDenied) as error:
        _approve(version, both)
    assert error.value.code == "own_draft"
    assert _stored() == before
    refusal = _refusal("tariff.version.approve")
    assert refusal.details["code"] == "own_draft" and refusal.actor == both


@pytest.mark.parametrize(("existing", "candidate"), [
    ((date(2027, 1, 1), None), (date(2027, 1, 1), None)),                      # same start
    ((date(2027, 1, 1), date(2027, 12, 31)), (date(2027, 12, 31), None)),      # last day
    ((date(2027, 6, 1), None), (date(2027, 1, 1), date(2027, 6, 1))),          # reaches into
    ((date(2027, 1, 1), date(2027, 12, 31)), (date(2027, 3, 1), date(2027, 4, 1))),  # inside
])
def test_overlapping_periods_are_refused_at_submit(submitted_version, draft_version, author,  # type: ignore[no-untyped-def]
                                                   reviewer, existing, candidate) -> None:
    _approve(submitted_version(effective_from=existing[0], effective_to=existing[1]), reviewer)
    version = draft_version(effective_from=candidate[0], effective_to=candidate[1])
    before = _stored()
    with pytest.raises(Conflict) as error:
        tariff_version_submit(version=version, actor=author)
    assert error.value.code == "overlapping_period"
    assert error.value.details["with"] == [1]
    assert _stored() == before
    assert _refusal("tariff.version.submit").details["code"] == "overlapping_period"


def test_adjacent_periods_do_not_overlap(submitted_version, reviewer) -> None:  # type: ignore[no-untyped-def]
    _approve(submitted_version(effective_from=date(2027, 1, 1),
                               effective_to=date(2027, 12, 31)), reviewer)
    _approve(submitted_version(effective_from=date(2028, 1, 1)), reviewer)
    # An open-ended version followed by a later one: the later one takes over.
    _approve(submitted_version(effective_from=date(2029, 1, 1)), reviewer)


def test_overlap_is_checked_again_at_approval(submitted_version, reviewer) -> None:  # type: ignore[no-untyped-def]
    # Both submitted while nothing was approved; the first approval makes the second clash.
    first = submitted_version(effective_from=date(2027, 1, 1))
    second = submitted_version(effective_from=date(2027, 1, 1), effective_to=date(2027, 3, 1))
    _approve(first, reviewer)
    before = _stored()
    with pytest.raises(Conflict) as error:
        _approve(second, reviewer)
    assert error.value.code == "overlapping_period"
    assert _stored() == before  # the uploaded decision was not kept either


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"decision_document": None}, "decision_required", "decision_document"),
    ({"decision_document": pdf_upload("d.pdf", b"MZ not a pdf")}, "not_pdf",
     "decision_document"),
    ({"decision_number": "  "}, "decision_required", "decision_number"),
    ({"decision_date": None}, "decision_required", "decision_date"),
    ({"decision_date": date(2026, 11, 27)}, "invalid_decision_date", "decision_date"),
])
@time_machine.travel(date(2026, 11, 26), tick=False)
def test_an_incomplete_decision_is_refused(submitted_version, reviewer, overrides, code,  # type: ignore[no-untyped-def]
                                           field) -> None:
    version = submitted_version()
    before = _stored()
    with pytest.raises(InvalidInput) as error:
        _approve(version, reviewer, **overrides)
    assert error.value.code == code and field in error.value.fields
    assert _stored() == before
    assert _refusal("tariff.version.approve").details["code"] == code


def test_a_decision_over_10_mb_is_refused(submitted_version, reviewer) -> None:  # type: ignore[no-untyped-def]
    big = pdf_upload("mare.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(InvalidInput) as error:
        _approve(submitted_version(), reviewer, decision_document=big)
    assert error.value.code == "file_too_large"


def test_return_needs_comments_and_a_submitted_version(submitted_version, draft_version,  # type: ignore[no-untyped-def]
                                                       reviewer) -> None:
    version = submitted_version()
    before = _stored()
    with pytest.raises(InvalidInput) as error:
        tariff_version_return(version=version, comments="   ", actor=reviewer)
    assert error.value.code == "comments_required"
    assert _stored() == before
    assert _refusal("tariff.version.return").details["code"] == "comments_required"
    with pytest.raises(Conflict) as wrong:
        tariff_version_return(version=draft_version(effective_from=date(2030, 1, 1)),
                              comments="x", actor=reviewer)
    assert wrong.value.code == "invalid_transition"


def test_an_empty_version_is_not_submitted(draft_version, author) -> None:  # type: ignore[no-untyped-def]
    version = draft_version()
    version.components.all().delete()
    with pytest.raises(InvalidInput) as error:
        tariff_version_submit(version=version, actor=author)
    assert error.value.code == "no_components"


def test_versions_are_numbered_per_schedule(draft_version, author) -> None:  # type: ignore[no-untyped-def]
    from sgsc.billing.tariffs.models import TariffSchedule

    other = TariffSchedule.objects.create(code="ALT", name="Alta")
    assert [draft_version().number, draft_version().number] == [1, 2]
    version = tariff_version_draft(schedule=other, effective_from=date(2027, 1, 1),
                                   effective_to=None, vat_treatment="exempt", vat_rate=None,
                                   components=components(), actor=author)
    assert version.number == 1


def test_the_hub_modifier_applies_to_hubs_only(draft_version) -> None:  # type: ignore[no-untyped-def]
    version = draft_version()
    component = version.components.get(kind="seat")
    component.hub_multiplier = Decimal("0.8500")
    assert component.unit_price_for(is_hub=False) == Decimal("350.5000")
    assert component.unit_price_for(is_hub=True) == Decimal("297.9250")


def test_the_database_refuses_a_negative_price_too(draft_version) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    version = draft_version()
    with pytest.raises(IntegrityError), transaction.atomic():
        TariffComponent.objects.filter(version=version, kind="seat").update(
            unit_price=Decimal("-1"))

