"""Hub amendments: members join and leave with history; bad amendments get stable codes."""

from __future__ import annotations

from datetime import date

import pytest

from sgsc.platform.errors import ApplicationError
from sgsc.provisioning.onboarding.hubs import (
    hub_amend,
    hub_member_history,
    hub_members_current,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.institutions.models import HubAgreement, HubAmendment, HubMembership
from tests.factories import InstitutionFactory


@pytest.fixture
def hub(tenants):  # type: ignore[no-untyped-def]
    """hub-test under agreement AI-1 with two members, A and B."""
    coordinator = InstitutionFactory(name="Coordonatorul")
    agreement = HubAgreement.objects.create(hub=tenants.hub, coordinator=coordinator,
                                            number="AI-1", signed_on=date(2026, 1, 15))
    original = HubAmendment.objects.create(agreement=agreement, number="AI-1",
                                           signed_on=date(2026, 1, 15))
    members = [InstitutionFactory(name="A membru"), InstitutionFactory(name="B membru")]
    for member in members:
        HubMembership.objects.create(hub=tenants.hub, institution=member, joined_by=original)
    return tenants.hub, members


def _idnos(rows) -> set[str]:  # type: ignore[no-untyped-def]
    return {row.institution.idno for row in rows}


def test_amendment_adds_and_removes_with_history(hub, user_with_role) -> None:  # type: ignore[no-untyped-def]
    tenant, (a, b) = hub
    c, d = InstitutionFactory(name="C nou"), InstitutionFactory(name="D nou")
    officer = user_with_role("age_onboarding_officer")
    amendment = hub_amend(hub=tenant, number="AI-1/1", signed_on=date(2026, 5, 4),
                          add_idnos=[c.idno, f" {d.idno} "], remove_idnos=[a.idno],
                          note="Reorganizare", actor=officer)
    assert _idnos(hub_members_current(tenant)) == {b.idno, c.idno, d.idno}
    history = list(hub_member_history(tenant))
    assert _idnos(history) == {a.idno, b.idno, c.idno, d.idno}
    left = next(row for row in history if row.institution == a)
    assert left.left_by == amendment and left.left_at is not None
    assert {row.joined_by for row in history if row.institution in (c, d)} == {amendment}
    assert amendment.recorded_by == officer
    event = AuditEvent.objects.filter(action="hub.amend", outcome="success").latest("id")
    assert event.details["added"] == [c.idno, d.idno]
    assert event.details["removed"] == [a.idno]
    # A former member may come back later: a new membership, the old one stays closed.
    hub_amend(hub=tenant, number="AI-1/2", signed_on=date(2026, 6, 1), add_idnos=[a.idno],
              remove_idnos=[], actor=officer)
    assert HubMembership.objects.filter(hub=tenant, institution=a).count() == 2
    assert a.idno in _idnos(hub_members_current(tenant))


@pytest.mark.parametrize(("change", "code"), [
    ({"add_idnos": ["1000000000000"]}, "unknown_institution"),
    ({"remove_idnos": ["CURRENT_OTHER"]}, "not_a_member"),
    ({"add_idnos": ["MEMBER_A"]}, "already_member"),
    ({"remove_idnos": ["MEMBER_A"]}, "hub_too_few_members"),
    ({}, "empty_amendment"),
    ({"add_idnos": ["CURRENT_OTHER"], "remove_idnos": ["CURRENT_OTHER"]}, "conflicting_change"),
    ({"number": " ", "add_idnos": ["CURRENT_OTHER"]}, "required"),
    ({"number": "AI-1", "add_idnos": ["CURRENT_OTHER"]}, "amendment_number_taken"),
])
def test_bad_amendments_get_codes_and_change_nothing(hub, change, code) -> None:  # type: ignore[no-untyped-def]
    tenant, (a, _b) = hub
    outsider = InstitutionFactory(name="Din afară")
    names = {"MEMBER_A": a.idno, "CURRENT_OTHER": outsider.idno}
    arguments = {"number": change.get("number", "AI-1/9"), "signed_on": date(2026, 5, 4),
                 "add_idnos": [names.get(i, i) for i in change.get("add_idnos", [])],
                 "remove_idnos": [names.get(i, i) for i in change.get("remove_idnos", [])]}
    before = list(HubMembership.objects.filter(hub=tenant).values())
    with pytest.raises(ApplicationError) as error:
        hub_amend(hub=tenant, actor=None, **arguments)
    assert error.value.code == code
    assert list(HubMembership.objects.filter(hub=tenant).values()) == before
    assert HubAmendment.objects.filter(agreement__hub=tenant).count() == 1
    assert AuditEvent.objects.filter(action="hub.amend", outcome="failure").latest(
        "id").details["code"] == code


def test_provider_is_not_a_hub(tenants) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as error:
        hub_amend(hub=tenants.prov_a, number="X", signed_on=date(2026, 1, 1),
                  add_idnos=["1"], remove_idnos=[], actor=None)
    assert error.value.code == "not_a_hub"


def test_members_api_and_amendment_api(hub, signed_in) -> None:  # type: ignore[no-untyped-def]
    tenant, (a, b) = hub
    client, _ = signed_in("age_admin")
    members = client.get(f"/api/v1/tenants/{tenant.slug}/members/").json()
    assert {row["idno"] for row in members["results"]} == {a.idno, b.idno}
    assert members["results"][0]["joined_by"] == "AI-1"
    c = InstitutionFactory(name="C prin API")
    created = client.post(f"/api/v1/tenants/{tenant.slug}/amendments/",
                          {"number": "AI-1/1", "signed_on": "2026-05-04",
                           "add_idnos": [c.idno], "remove_idnos": [a.idno]},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["added"] == [c.idno] and body["removed"] == [a.idno]
    assert {m["idno"] for m in body["members"]} == {b.idno, c.idno}
    history = client.get(f"/api/v1/tenants/{tenant.slug}/members/?history=true").json()
    assert {row["idno"] for row in history["results"]} == {a.idno, b.idno, c.idno}
    former = next(row for row in history["results"] if row["idno"] == a.idno)
    assert former["left_by"] == "AI-1/1" and former["left_at"]

    refused = client.post(f"/api/v1/tenants/{tenant.slug}/amendments/",
                          {"number": "AI-1/2", "signed_on": "2026-05-05",
                           "remove_idnos": [b.idno, c.idno]}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "hub_too_few_members"
    not_hub = client.get("/api/v1/tenants/prov-a/members/")
    assert not_hub.status_code == 409 and not_hub.json()["error"]["code"] == "not_a_hub"
    other, _ = signed_in("asp_monitor")
    assert other.get(f"/api/v1/tenants/{tenant.slug}/members/").status_code == 403


def test_console_hub_section_and_amendment_form(hub, signed_in) -> None:  # type: ignore[no-untyped-def]
    tenant, (a, b) = hub
    client, _ = signed_in("age_onboarding_officer")
    page = client.get(f"/prestatori/{tenant.slug}/").content.decode()
    assert "Membrii hubului" in page and a.name in page and "AI-1" in page
    assert "Înregistrează un amendament" in page
    c = InstitutionFactory(name="C din consolă")
    done = client.post(f"/prestatori/{tenant.slug}/amendamente/",
                       {"number": "AI-1/1", "signed_on": "2026-05-04",
                        "add_idnos": f"{c.idno}\n", "remove_idnos": [a.idno]})
    assert done.status_code == 302
    assert _idnos(hub_members_current(tenant)) == {b.idno, c.idno}
    bad = client.post(f"/prestatori/{tenant.slug}/amendamente/",
                      {"number": "AI-1/2", "signed_on": "2026-05-05",
                       "add_idnos": "1000000000000"})
    assert bad.status_code == 400
    assert "unknown_institution" in bad.content.decode()
    assert "<details class=\"dialog\" open>" in bad.content.decode()
