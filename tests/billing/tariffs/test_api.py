"""The tariff API: the workflow end to end, refusals with their codes, permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.shared_apps.audit.models import AuditEvent
from tests.billing.tariffs.conftest import pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "effective_from": "2027-01-01", "effective_to": None, "vat_treatment": "exempt",
    "components": [{"kind": "subscription", "unit_price": "1500.0000"},
                   {"kind": "storage_gb_month", "unit_price": "1.2000", "allowance_gb": "50",
                    "hub_multiplier": "0.9"}],
}


def _json(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, json.dumps(body) if body is not None else "",
                                   content_type="application/json")


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_the_workflow_over_the_api(signed_in) -> None:  # type: ignore[no-untyped-def]
    age, author = signed_in("age_admin")
    chancellery, reviewer = signed_in("chancellery_reviewer")
    created = _json(age, "post", "/api/v1/tariff-schedules/", {"code": "tarif-2028",
                                                               "name": "Grila 2028"})
    assert created.status_code == 201 and created.json()["code"] == "TARIF-2028"
    drafted = _json(age, "post", "/api/v1/tariff-schedules/TARIF-2028/versions/", BODY)
    assert drafted.status_code == 201, drafted.content
    version = drafted.json()
    assert (version["number"], version["status"], version["frozen"]) == (1, "draft", False)
    assert version["components"][1] == {"kind": "storage_gb_month", "unit_price": "1.2000",
                                        "allowance_gb": "50.0000", "hub_multiplier": "0.9000"}
    url = f"/api/v1/tariff-versions/{version['id']}/"
    edited = _json(age, "put", url, {**BODY, "vat_treatment": "excluded", "vat_rate": "20"})
    assert edited.status_code == 200 and edited.json()["vat_rate"] == "20.00"
    assert _json(age, "post", f"{url}submit/").json()["status"] == "submitted"
    returned = _json(chancellery, "post", f"{url}return/", {"comments": "Justificați."})
    assert returned.json()["status"] == "returned"
    assert returned.json()["returns"][0]["comments"] == "Justificați."
    assert _json(age, "post", f"{url}submit/").status_code == 200
    approved = chancellery.post(f"{url}approve/", {
        "decision_number": "CS-3/2026", "decision_date": "2026-10-01",
        "decision_document": pdf_upload()})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved" and body["frozen"] and body["approved_by"] == reviewer.email
    assert chancellery.get(body["decision_document_url"]).content.startswith(b"%PDF-")
    frozen = _json(age, "put", url, BODY)
    assert frozen.status_code == 409 and _code(frozen) == "version_frozen"
    copy = _json(age, "post", f"{url}new-version/")
    assert copy.status_code == 201 and copy.json()["number"] == 2
    assert copy.json()["based_on"] == version["id"]
    listed = chancellery.get("/api/v1/tariff-schedules/TARIF-2028/versions/").json()
    assert [row["number"] for row in listed["results"]] == [2, 1]
    deleted = _json(age, "delete", f"/api/v1/tariff-versions/{copy.json()['id']}/")
    assert deleted.status_code == 204
    assert author.pk != reviewer.pk


def test_bad_input_over_the_api_changes_nothing(signed_in, schedule) -> None:  # type: ignore[no-untyped-def]
    age, _ = signed_in("age_admin")
    url = f"/api/v1/tariff-schedules/{schedule.code}/versions/"
    negative = _json(age, "post", url, {**BODY, "components": [
        {"kind": "ticket", "unit_price": "-2"}]})
    assert negative.status_code == 400 and _code(negative) == "negative_price"
    assert negative.json()["error"]["fields"] == {"components.ticket": [
        "Prețul nu poate fi negativ."]}
    assert not TariffScheduleVersion.objects.exists()
    assert _code(_json(age, "post", url, {**BODY, "effective_to": "2026-01-01"})) == \
        "invalid_period"
    taken = _json(age, "post", "/api/v1/tariff-schedules/", {"code": schedule.code,
                                                             "name": "x"})
    assert taken.status_code == 409 and _code(taken) == "schedule_code_taken"
    assert _json(age, "get", "/api/v1/tariff-schedules/NIMIC/versions/").status_code == 404


def test_own_draft_over_the_api(public_client, schedule) -> None:  # type: ignore[no-untyped-def]
    both = public_client
    both.force_login(UserFactory(platform_roles=["age_admin", "chancellery_reviewer"]))
    version = _json(both, "post", f"/api/v1/tariff-schedules/{schedule.code}/versions/",
                    BODY).json()
    _json(both, "post", f"/api/v1/tariff-versions/{version['id']}/submit/")
    refused = both.post(f"/api/v1/tariff-versions/{version['id']}/approve/", {
        "decision_number": "CS-1", "decision_date": "2026-10-01",
        "decision_document": pdf_upload()})
    assert refused.status_code == 403 and _code(refused) == "own_draft"
    assert TariffScheduleVersion.objects.get(pk=version["id"]).status == "submitted"
    assert AuditEvent.objects.filter(action="tariff.version.approve", outcome="failure",
                                     details__code="own_draft").exists()


@pytest.mark.parametrize(("role", "on_tenant"), [
    ("l1_operator", True), ("tenant_admin", True), ("asp_monitor", False),
    ("age_onboarding_officer", False),
])
def test_others_are_refused(signed_in, tenants, client_for, schedule, role, on_tenant) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in(role, tenants.prov_a if on_tenant else None)
    public = client_for(None)
    public.force_login(user)
    for response in (
        public.get("/api/v1/tariff-schedules/"),
        _json(public, "post", "/api/v1/tariff-schedules/", {"code": "X", "name": "x"}),
        _json(public, "post", f"/api/v1/tariff-schedules/{schedule.code}/versions/", BODY),
    ):
        # A tenant's session is not valid on the public host (401); a platform user without
        # the capability is refused (403).
        assert (response.status_code, _code(response)) == (
            (401, "not_authenticated") if on_tenant else (403, "permission_denied"))
    # The tariff API is not on tenant hosts at all.
    if on_tenant:
        assert client.get("/api/v1/tariff-schedules/").status_code == 404
    assert not TariffScheduleVersion.objects.exists()


def test_each_side_keeps_to_its_actions(signed_in, submitted_version) -> None:  # type: ignore[no-untyped-def]
    version = submitted_version()
    age, _ = signed_in("age_admin")
    chancellery, _ = signed_in("chancellery_reviewer")
    assert _json(age, "post", f"/api/v1/tariff-versions/{version.pk}/return/",
                 {"comments": "x"}).status_code == 403
    assert age.post(f"/api/v1/tariff-versions/{version.pk}/approve/", {}).status_code == 403
    assert _json(chancellery, "put", f"/api/v1/tariff-versions/{version.pk}/",
                 BODY).status_code == 403
    assert _json(chancellery, "post",
                 f"/api/v1/tariff-versions/{version.pk}/submit/").status_code == 403
    assert chancellery.get(f"/api/v1/tariff-versions/{version.pk}/").status_code == 200
    version.refresh_from_db()
    assert version.status == "submitted" and not version.returns.exists()


def test_the_openapi_describes_the_tariff_api(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("age_admin")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/tariff-schedules/", "/api/v1/tariff-schedules/{code}/versions/",
                 "/api/v1/tariff-versions/{id}/submit/", "/api/v1/tariff-versions/{id}/approve/",
                 "/api/v1/tariff-versions/{id}/return/",
                 "/api/v1/tariff-versions/{id}/new-version/"):
        assert path in schema, path
    assert "multipart/form-data" in schema and "decision_document" in schema
