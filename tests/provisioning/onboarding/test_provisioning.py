"""The provisioning job: named steps, failure and resume, idempotence, the access package."""

from __future__ import annotations

import hashlib
import re
import smtplib
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.platform.errors import Conflict
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding import services
from sgsc.provisioning.onboarding.models import ActivationLink, ProvisioningJob, ProvisioningStep
from sgsc.provisioning.onboarding.services import (
    STEP_NAMES,
    provisioning_job_resume,
    provisioning_job_run,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.institutions.models import HubAgreement, HubAmendment, HubMembership
from sgsc.tenant_apps.workspace.models import WorkspaceProfile
from sgsc.tenants.models import Domain, Tenant
from tests.factories import InstitutionFactory, UserFactory

LINK = re.compile(r"(https?)://([a-z0-9.-]+)/activare/([A-Za-z0-9_-]+)/")


def _steps(job: ProvisioningJob) -> dict[str, str]:
    return dict(ProvisioningStep.objects.filter(job=job).order_by("position")
                .values_list("name", "state"))


def _token_from_last_mail() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(3)


def test_job_provisions_a_provider_end_to_end(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="nou-prestator")
    job = provisioning_job_run(contract_id=contract.pk)

    assert job.status == ProvisioningJob.Status.DONE
    assert list(_steps(job)) == list(STEP_NAMES)
    assert set(_steps(job).values()) == {"done"}
    tenant = Tenant.objects.get(slug="nou-prestator")
    assert (tenant.kind, tenant.status) == (Tenant.Kind.PROVIDER, Tenant.Status.ACTIVE)
    assert tenant.schema_name == "t_nou_prestator"
    assert tenant.institution == contract.institution
    assert Domain.objects.get(tenant=tenant, is_primary=True).domain == "nou-prestator.sgsc.test"
    with schema_context(tenant.schema_name):
        profile = WorkspaceProfile.objects.get()
    assert profile.display_name == contract.institution.name
    assert profile.support_email == contract.request.contact_email

    user = User.objects.get(email=contract.request.contact_email)
    assert user.idnp == contract.request.contact_idnp
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, tenant=tenant)
    assert membership.roles == ["tenant_admin"]

    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE and contract.tenant == tenant

    [message] = mail.outbox
    assert message.to == [user.email]
    scheme, host, token = LINK.search(message.body).groups()  # type: ignore[union-attr]
    assert (scheme, host) == ("http", "nou-prestator.sgsc.test")
    assert "http://nou-prestator.sgsc.test/" in message.body
    assert contract.handover_deadline is not None
    assert contract.handover_deadline.astimezone().strftime("%d.%m.%Y") in message.body
    assert "sgsc@age.gov.md" in message.body  # AGE's contacts
    # Only the token's SHA-256 is stored, and the link lives 10 days.
    link = ActivationLink.objects.get(user=user, tenant=tenant)
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ActivationLink.objects.values()))
    assert round((link.expires_at - link.created_at).total_seconds() / 3600) == 240
    actions = set(AuditEvent.objects.filter(object_id__in=[str(contract.pk), str(tenant.pk)])
                  .values_list("action", flat=True))
    assert {"provisioning.job.start", "tenant.create", "provisioning.invitation",
            "provisioning.access.sent", "provisioning.job.done"} <= actions


def test_failed_step_stops_the_job_and_resume_continues_there(  # type: ignore[no-untyped-def]
        signed_contract, tenants, client_for, monkeypatch) -> None:
    contract = signed_contract(slug="cade-o-data")
    calls = {"n": 0}
    real = services.STEP_FUNCTIONS["invitation"]

    def flaky(run: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("serverul de identități nu răspunde")
        return real(run)

    monkeypatch.setitem(services.STEP_FUNCTIONS, "invitation", flaky)
    job = provisioning_job_run(contract_id=contract.pk)

    assert job.status == ProvisioningJob.Status.FAILED
    assert _steps(job) == {"schema": "done", "domain": "done", "configuration": "done",
                           "invitation": "failed", "access": "pending"}
    failed = ProvisioningStep.objects.get(job=job, name="invitation")
    assert "serverul de identități nu răspunde" in failed.error
    assert failed.finished_at is not None
    tenant = Tenant.objects.get(slug="cade-o-data")
    # Half-made: routed, but refused until the last step.
    assert tenant.status == Tenant.Status.PROVISIONING
    refused = client_for(tenant).get("/api/v1/me/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "tenant_provisioning"
    assert not mail.outbox
    assert AuditEvent.objects.filter(action="provisioning.step", outcome="failure",
                                     object_id=str(contract.pk)).exists()

    resumed = provisioning_job_run(contract_id=contract.pk)
    assert resumed.status == ProvisioningJob.Status.DONE
    assert resumed.attempts == 2
    assert set(_steps(job).values()) == {"done"}
    assert ProvisioningStep.objects.get(job=job, name="invitation").error == ""
    # The schema step did not run twice: one tenant, created once.
    assert Tenant.objects.filter(slug="cade-o-data").count() == 1
    assert AuditEvent.objects.filter(action="tenant.create",
                                     object_id=str(tenant.pk)).count() == 1
    assert len(mail.outbox) == 1
    assert client_for(tenant).get("/api/v1/me/").status_code == 401  # reachable now


def test_running_a_finished_job_again_changes_nothing(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="de-doua-ori")
    first = provisioning_job_run(contract_id=contract.pk)
    events = AuditEvent.objects.count()
    steps = list(ProvisioningStep.objects.filter(job=first).values())
    links = list(ActivationLink.objects.values())

    again = provisioning_job_run(contract_id=contract.pk)

    assert again.pk == first.pk and again.attempts == first.attempts == 1
    assert again.finished_at == first.finished_at
    assert list(ProvisioningStep.objects.filter(job=first).values()) == steps
    assert list(ActivationLink.objects.values()) == links
    assert AuditEvent.objects.count() == events
    assert len(mail.outbox) == 1
    assert Tenant.objects.filter(slug="de-doua-ori").count() == 1


def test_hub_gets_its_agreement_and_members(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    coordinator = InstitutionFactory(name="Ministerul coordonator")
    members = [InstitutionFactory(name="Agenția membră 1"), InstitutionFactory(name="Agenția membră 2")]
    contract = signed_contract(slug="hub-nou", mode="hub", coordinator=coordinator,
                               institution=coordinator, members=members)
    job = provisioning_job_run(contract_id=contract.pk)
    assert job.status == ProvisioningJob.Status.DONE
    hub = Tenant.objects.get(slug="hub-nou")
    assert hub.kind == Tenant.Kind.HUB and hub.institution == coordinator
    agreement = HubAgreement.objects.get(hub=hub)
    assert (agreement.coordinator, agreement.number) == (coordinator, "AI-7/2026")
    original = HubAmendment.objects.get(agreement=agreement)
    current = HubMembership.objects.filter(hub=hub, left_at__isnull=True)
    assert {m.institution for m in current} == set(members)
    assert {m.joined_by for m in current} == {original}


def test_taken_slug_fails_the_schema_step_clearly(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="prov-a")  # belongs to a tenant this job did not create
    job = provisioning_job_run(contract_id=contract.pk)
    assert job.status == ProvisioningJob.Status.FAILED
    step = ProvisioningStep.objects.get(job=job, name="schema")
    assert step.state == "failed" and "[slug_taken]" in step.error
    assert job.tenant is None
    assert Tenant.objects.filter(slug="prov-a").count() == 1


def test_contact_idnp_of_another_person_stops_at_invitation(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    other = UserFactory(email="altcineva@example.gov.md")
    contract = signed_contract(slug="idnp-luat")
    other.idnp = contract.request.contact_idnp
    other.save()
    job = provisioning_job_run(contract_id=contract.pk)
    assert _steps(job)["invitation"] == "failed"
    assert "[idnp_taken]" in ProvisioningStep.objects.get(job=job, name="invitation").error
    assert not User.objects.filter(email=contract.request.contact_email).exists()


def test_failed_email_is_retried_with_a_new_link(  # type: ignore[no-untyped-def]
        signed_contract, tenants, monkeypatch) -> None:
    contract = signed_contract(slug="posta-cade")

    def down(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("connection closed")

    monkeypatch.setattr(services, "send_mail", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):  # transient: the task retries
        provisioning_job_run(contract_id=contract.pk)
    job = ProvisioningJob.objects.get(contract=contract)
    assert job.status == ProvisioningJob.Status.FAILED
    assert _steps(job)["access"] == "failed"
    tenant = Tenant.objects.get(slug="posta-cade")
    assert tenant.status == Tenant.Status.PROVISIONING  # the access step rolled back whole
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    [first_link] = ActivationLink.objects.filter(tenant=tenant)

    monkeypatch.undo()
    assert provisioning_job_run(contract_id=contract.pk).status == ProvisioningJob.Status.DONE
    token = _token_from_last_mail()
    links = ActivationLink.objects.filter(tenant=tenant).order_by("pk")
    assert len(links) == 2
    first_link.refresh_from_db()
    assert first_link.revoked_at is not None  # the link nobody received is dead
    assert links[1].token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert links[1].revoked_at is None


def test_unsigned_contract_is_refused(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="nesemnat")
    Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.DRAFT, signed_at=None)
    with pytest.raises(Conflict) as error:
        provisioning_job_run(contract_id=contract.pk)
    assert error.value.code == "contract_not_signed"
    assert not ProvisioningJob.objects.filter(contract=contract).exists()


def test_resume_queues_only_a_failed_job(  # type: ignore[no-untyped-def]
        signed_contract, tenants, user_with_role, monkeypatch,
        django_capture_on_commit_callbacks) -> None:
    contract = signed_contract(slug="reluare")
    monkeypatch.setitem(services.STEP_FUNCTIONS, "domain",
                        lambda run: (_ for _ in ()).throw(ValueError("domeniu")))
    provisioning_job_run(contract_id=contract.pk)
    officer = user_with_role("age_onboarding_officer")
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("sgsc.platform.queue.app.send_task",
                        lambda name, kwargs=None, **options: sent.append((name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        job = provisioning_job_resume(contract=contract, actor=officer)
    assert job.status == ProvisioningJob.Status.PENDING
    assert sent == [("onboarding.provision", {"contract_id": contract.pk})]
    event = AuditEvent.objects.filter(action="provisioning.job.resume").latest("id")
    assert event.actor == officer and event.outcome == "success"
    with pytest.raises(Conflict) as error:
        provisioning_job_resume(contract=contract, actor=officer)  # pending now, not failed
    assert error.value.code == "job_not_failed"


def test_access_message_is_romanian_and_complete(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="mesaj-ro")
    provisioning_job_run(contract_id=contract.pk)
    body = mail.outbox[0].body
    for text in ("Adresa spațiului", "Linkul poate fi folosit o singură dată",
                 "Termenul de predare a accesului", "Contacte AGE", contract.number):
        assert text in body
    assert "SGSC" in mail.outbox[0].subject


def test_anonymous_client_sees_provisioning_tenant_as_403(signed_contract, tenants) -> None:  # type: ignore[no-untyped-def]
    contract = signed_contract(slug="pe-jumatate")
    job = services.provisioning_job_ensure(contract=contract)
    run = services._Run(job=job, contract=contract, request=contract.request)
    for name in ("schema", "domain"):
        services._run_step(run, ProvisioningStep.objects.get(job=job, name=name))
    page = Client(HTTP_HOST="pe-jumatate.sgsc.test").get("/")
    assert page.status_code == 403
    assert "tenant_provisioning" in page.content.decode()


def test_a_job_whose_worker_was_lost_can_be_resumed(  # type: ignore[no-untyped-def]
        signed_contract, tenants, monkeypatch) -> None:
    contract = signed_contract(slug="muncitor-pierdut")
    job = services.provisioning_job_ensure(contract=contract)
    ProvisioningJob.objects.filter(pk=job.pk).update(status="running")
    with pytest.raises(Conflict):  # still running: nothing to resume
        provisioning_job_resume(contract=contract, actor=None)
    ProvisioningJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(minutes=20))
    assert ProvisioningJob.objects.get(pk=job.pk).is_stale
    monkeypatch.setattr("sgsc.platform.queue.app.send_task", lambda *a, **k: None)
    resumed = provisioning_job_resume(contract=contract, actor=None)
    assert resumed.status == "pending" and not resumed.is_stale
    assert provisioning_job_run(contract_id=contract.pk).status == "done"
