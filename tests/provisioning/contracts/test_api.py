"""The contracts API on the public host."""

from __future__ import annotations

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sgsc.provisioning.contracts.models import Contract, ContractSignature
from sgsc.provisioning.contracts.services import (
    contract_draft_for_request,
    contract_mark_active,
    contract_sign,
)
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
CHISINAU = ZoneInfo("Europe/Chisinau")
OFFICER = "age_onboarding_officer"


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.json()["error"]["code"])


def test_api_needs_the_onboarding_capability(signed_in, public_client, draft) -> None:  # type: ignore[no-untyped-def]
    assert public_client.get("/api/v1/contracts/").status_code == 401
    client, _ = signed_in("asp_monitor")
    for response in (client.get("/api/v1/contracts/"),
                     client.get(f"/api/v1/contracts/{draft.pk}/"),
                     client.post(f"/api/v1/contracts/{draft.pk}/sign/", {},
                                 content_type="application/json")):
        assert response.status_code == 403 and _error(response) == "permission_denied"
    assert Contract.objects.get(pk=draft.pk).status == Contract.Status.DRAFT


def test_list_and_detail(signed_in, make_request, officer, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    contracts = [contract_draft_for_request(connection_request=make_request(), actor=officer)
                 for _ in range(5)]
    with assert_max_queries(10):
        body = client.get("/api/v1/contracts/?page_size=3").json()
    assert [row["number"] for row in body["results"]] == [c.number for c in contracts[::-1][:3]]
    assert body["next"]
    rest = client.get(body["next"]).json()
    assert len(rest["results"]) == 2
    one = client.get(f"/api/v1/contracts/{contracts[0].pk}/").json()
    assert one["number"] == contracts[0].number
    assert one["status"] == "draft"
    assert one["institution"]["name"] == "Casa Națională de Asigurări Sociale"
    assert one["template_version"] == 1
    assert one["tariff_code"] == "TARIF-2027-STD"
    assert one["services"] == ["Pensii și indemnizații", "Certificate de asigurare"]
    assert one["channels"] == ["phone", "email"]
    assert one["tenant"] is None and one["signatures"] == []
    assert one["handover_state"] == "none" and one["handover_working_days_left"] is None
    assert one["pdf_url"] == f"/contracte/{contracts[0].pk}/pdf/"
    assert client.get("/api/v1/contracts/999999/").status_code == 404


def test_list_filters(signed_in, make_request, officer, signers) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    first = contract_draft_for_request(connection_request=make_request(), actor=officer)
    second = contract_draft_for_request(connection_request=make_request(), actor=officer)
    contract_sign(contract=second, signed_document=None, actor=officer, **signers)
    signed = client.get("/api/v1/contracts/?status=signed").json()["results"]
    assert [row["number"] for row in signed] == [second.number]
    found = client.get(f"/api/v1/contracts/?q={first.number}").json()["results"]
    assert [row["number"] for row in found] == [first.number]


def test_patch_a_draft(signed_in, draft) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in(OFFICER)
    response = client.patch(f"/api/v1/contracts/{draft.pk}/",
                            {"term_months": 24, "channels": ["phone", "portal"],
                             "effective_date": "2027-02-01"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["term_months"] == 24 and body["channels"] == ["phone", "portal"]
    assert body["effective_date"] == "2027-02-01"
    assert body["tenant_slug"] == "cnas"  # untouched fields stay
    assert AuditEvent.objects.filter(action="contract.update").latest("id").actor == user


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"tenant_slug": "admin"}, 400, "reserved_slug"),
    ({"tenant_slug": "prov-a"}, 409, "slug_taken"),
    ({"channels": ["fax"]}, 400, "invalid_input"),
    ({"services": []}, 400, "invalid_input"),
    ({"term_months": 0}, 400, "invalid_input"),
])
def test_bad_patches_change_nothing(signed_in, draft, tenants, payload, status, code) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    before = Contract.objects.filter(pk=draft.pk).values().get()
    response = client.patch(f"/api/v1/contracts/{draft.pk}/", payload,
                            content_type="application/json")
    assert response.status_code == status and _error(response) == code
    assert Contract.objects.filter(pk=draft.pk).values().get() == before


def test_sign_with_json(signed_in, draft, signers, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in(OFFICER)
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task, \
            django_capture_on_commit_callbacks(execute=True), \
            time_machine.travel(datetime(2027, 4, 28, 15, 0, tzinfo=CHISINAU)):
        client.force_login(user)  # a session valid at the travelled time
        response = client.post(f"/api/v1/contracts/{draft.pk}/sign/", signers,
                               content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed"
    assert body["handover_deadline"].startswith("2027-05-14T23:59:59")
    assert {s["party"] for s in body["signatures"]} == {"age", "provider"}
    assert len({s["sha256"] for s in body["signatures"]}) == 1
    assert body["signatures"][0]["document_uploaded"] is False
    send_task.assert_called_once()
    assert send_task.call_args.args == ("onboarding.provision",)
    assert send_task.call_args.kwargs["kwargs"] == {"contract_id": draft.pk}


def test_sign_with_multipart_pdf(signed_in, draft, signers) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    upload = SimpleUploadedFile("semnat.pdf", b"%PDF-1.5\n%%EOF\n",
                                content_type="application/pdf")
    with mock.patch("sgsc.platform.queue.app.send_task"):
        response = client.post(f"/api/v1/contracts/{draft.pk}/sign/",
                               {**signers, "signed_document": upload})
    assert response.status_code == 200, response.content
    assert response.json()["signatures"][0]["document_uploaded"] is True
    assert response.json()["signatures"][0]["document_name"] == "semnat.pdf"


@pytest.mark.parametrize(("content", "status", "code"), [
    (b"GIF89a...", 400, "not_pdf"),
    (b"%PDF-" + b"1" * (10 * 1024 * 1024), 400, "file_too_large"),
])
def test_sign_with_bad_documents(signed_in, draft, signers, content, status, code) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    upload = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
    with mock.patch("sgsc.platform.queue.app.send_task") as send_task:
        response = client.post(f"/api/v1/contracts/{draft.pk}/sign/",
                               {**signers, "signed_document": upload})
    assert response.status_code == status and _error(response) == code
    assert "signed_document" in response.json()["error"]["fields"]
    assert Contract.objects.get(pk=draft.pk).status == Contract.Status.DRAFT
    assert not ContractSignature.objects.filter(contract=draft).exists()
    send_task.assert_not_called()


def test_sign_refusals(signed_in, draft, signers, officer) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in(OFFICER)
    url = f"/api/v1/contracts/{draft.pk}/sign/"
    missing = client.post(url, {"age_signer_name": "Ion Rusu"}, content_type="application/json")
    assert missing.status_code == 400 and _error(missing) == "invalid_input"
    assert "provider_signer_name" in missing.json()["error"]["fields"]
    ConnectionRequest.objects.filter(pk=draft.request_id).update(
        status=ConnectionRequest.Status.WITHDRAWN)
    unapproved = client.post(url, signers, content_type="application/json")
    assert unapproved.status_code == 409 and _error(unapproved) == "request_not_approved"
    ConnectionRequest.objects.filter(pk=draft.request_id).update(
        status=ConnectionRequest.Status.APPROVED)
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    before = Contract.objects.filter(pk=draft.pk).values().get()
    twice = client.post(url, signers, content_type="application/json")
    assert twice.status_code == 409 and _error(twice) == "contract_not_draft"
    assert Contract.objects.filter(pk=draft.pk).values().get() == before
    assert ContractSignature.objects.filter(contract=draft).count() == 2
    patch = client.patch(f"/api/v1/contracts/{draft.pk}/", {"term_months": 12},
                         content_type="application/json")
    assert patch.status_code == 409 and _error(patch) == "contract_not_draft"


def test_handover(signed_in, draft, signers, officer, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in(OFFICER)
    url = f"/api/v1/contracts/{draft.pk}/handover/"
    early = client.post(url)
    assert early.status_code == 409 and _error(early) == "contract_not_active"
    contract_sign(contract=draft, signed_document=None, actor=officer, **signers)
    Contract.objects.filter(pk=draft.pk).update(tenant_slug="prov-a")
    contract_mark_active(contract=draft, tenant=tenants.prov_a)
    response = client.post(url)
    assert response.status_code == 200
    body = response.json()
    assert body["handed_over_at"] and body["tenant"] == "prov-a"
    assert body["handover_state"] == "done"
    again = client.post(url)
    assert again.status_code == 409 and _error(again) == "already_handed_over"


def test_openapi_lists_the_contract_endpoints(public_client) -> None:  # type: ignore[no-untyped-def]
    paths = public_client.get("/api/schema/",
                              HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/contracts/"])
    assert {"get", "patch"} <= set(paths["/api/v1/contracts/{id}/"])
    sign = paths["/api/v1/contracts/{id}/sign/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(sign["requestBody"]["content"])
    assert "post" in paths["/api/v1/contracts/{id}/handover/"]
