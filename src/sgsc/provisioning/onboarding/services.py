"""Provisioning: a signed contract becomes a working tenant, in named, resumable steps.

A job has five steps, run in order: ``schema`` (the tenant row, status provisioning, and its
schema cloned from the template), ``domain`` (its host), ``configuration`` (the workspace
profile; for a hub the agreement and its members), ``invitation`` (the provider admin's
account, membership and activation link) and ``access`` (the access package by e-mail, the
tenant made active, the contract put in force). The tenant stays ``provisioning`` (403 on its
host) until the last step, so a half-made tenant is never reachable.

Each step runs in one transaction that locks the job row: concurrent runs of the same job
serialise, and a step found done is skipped. A failed step stops the job (status failed, the
error on the step); running the job again resumes at the first step not done; running a
finished job changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from sgsc.platform.errors import ApplicationError, Conflict, NotFound
from sgsc.platform.queue import enqueue_on_commit
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.onboarding.models import ActivationLink, ProvisioningJob, ProvisioningStep
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import TenantRole
from sgsc.tenant_apps.workspace.services import workspace_profile_update
from sgsc.tenants.models import Tenant
from sgsc.tenants.services import (
    tenant_domain_ensure,
    tenant_schema_create,
    tenant_set_status,
    tenant_url,
)

logger = logging.getLogger(__name__)

PROVISION_TASK = "onboarding.provision"

STEP_SCHEMA = "schema"
STEP_DOMAIN = "domain"
STEP_CONFIGURATION = "configuration"
STEP_INVITATION = "invitation"
STEP_ACCESS = "access"
STEP_NAMES: tuple[str, ...] = (STEP_SCHEMA, STEP_DOMAIN, STEP_CONFIGURATION, STEP_INVITATION,
                               STEP_ACCESS)

# Failures worth an automatic retry (with backoff) by the task; anything else waits for AGE.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, ConnectionError, TimeoutError, smtplib.SMTPException,
)


class ActivationLinkGone(ApplicationError):
    """The link existed but can no longer be used (expired, used, replaced)."""

    status_code = 410
    default_code = "activation_link_gone"


@dataclass
class _Run:
    """What one run of a job carries between its steps."""

    job: ProvisioningJob
    contract: Contract
    request: ConnectionRequest
    # The activation token issued in this run: kept only in memory, never stored in clear.
    token: str | None = None
    user: User | None = None


# ---------------------------------------------------------------------------------------------
# Activation links
# ---------------------------------------------------------------------------------------------

def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def activation_link_issue(*, user: User, tenant: Tenant) -> tuple[ActivationLink, str]:
    """A new one-time link for ``user`` on ``tenant``; earlier unused links stop working.

    Returns the link and its token; only the token's SHA-256 is stored.
    """
    now = timezone.now()
    with transaction.atomic():
        ActivationLink.objects.select_for_update().filter(
            user=user, tenant=tenant, used_at__isnull=True, revoked_at__isnull=True,
        ).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        link = ActivationLink.objects.create(
            user=user, tenant=tenant, token_sha256=token_digest(token),
            expires_at=now + timedelta(hours=settings.ACTIVATION_LINK_TTL_HOURS))
    return link, token


def activation_url(*, tenant: Tenant, token: str) -> str:
    return tenant_url(slug=tenant.slug, path=f"/activare/{token}/")


def _check_link(link: ActivationLink | None, *, tenant: Tenant) -> ActivationLink:
    # A link of another tenant is answered like an unknown one: nothing is disclosed.
    if link is None or link.tenant_id != tenant.pk:
        raise NotFound(_("Linkul de activare nu este valid. Verificați adresa primită "
                         "prin e-mail."), code="activation_link_invalid")
    if link.used_at is not None:
        raise ActivationLinkGone(_("Acest link de activare a fost deja folosit. Autentificați-vă "
                                   "cu parola stabilită."), code="activation_link_used")
    if link.revoked_at is not None:
        raise ActivationLinkGone(_("Acest link de activare a fost înlocuit de unul mai nou. "
                                   "Folosiți ultimul mesaj primit de la AGE."),
                                 code="activation_link_replaced")
    if link.expires_at <= timezone.now():
        raise ActivationLinkGone(_("Acest link de activare a expirat. Solicitați AGE un link "
                                   "nou."), code="activation_link_expired")
    if not Membership.objects.filter(user_id=link.user_id, tenant=tenant,
                                     state=Membership.State.ACTIVE).exists():
        raise ActivationLinkGone(_("Accesul acestui cont la spațiu a fost revocat."),
                                 code="membership_revoked")
    return link


def activation_link_check(*, token: str, tenant: Tenant) -> ActivationLink:
    """The usable link for ``token`` on ``tenant``, or an error with a stable code."""
    link = (ActivationLink.objects.select_related("user")
            .filter(token_sha256=token_digest(token)).first())
    return _check_link(link, tenant=tenant)


def activation_refusal_record(*, token: str, tenant: Tenant, code: str) -> None:
    """Audit a refused activation (outside the failed transaction)."""
    link = ActivationLink.objects.filter(token_sha256=token_digest(token)).first()
    audit_record(action="account.activate", outcome=AuditEvent.Outcome.FAILURE, tenant=tenant,
                 object_type="activation_link", object_id=link.pk if link else "",
                 details={"code": code})


def activation_link_use(*, token: str, tenant: Tenant, password: str) -> User:
    """Set the person's password with a valid link and use the link up (once)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from sgsc.platform.errors import InvalidInput

    with transaction.atomic():
        link = (ActivationLink.objects.select_for_update()
                .filter(token_sha256=token_digest(token)).first())
        link = _check_link(link, tenant=tenant)
        user = User.objects.select_for_update().get(pk=link.user_id)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(_("Parola nu respectă cerințele."), code="invalid_password",
                               fields={"password": list(error.messages)}) from error
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit_record(action="account.activate", tenant=tenant, actor=user,
                     object_type="activation_link", object_id=link.pk,
                     details={"user": user.email})
    return user


# ---------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------

def _job_tenant(run: _Run) -> Tenant:
    if run.job.tenant_id is None:
        raise Conflict(_("Spațiul nu a fost creat încă."), code="tenant_missing")
    return Tenant.objects.get(pk=run.job.tenant_id)


def _step_schema(run: _Run) -> dict[str, Any]:
    if run.job.tenant_id is not None:  # created by this job in an earlier run
        tenant = Tenant.objects.get(pk=run.job.tenant_id)
        return {"tenant": tenant.slug, "schema": tenant.schema_name, "reused": True}
    slug = run.contract.tenant_slug
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(_("Identificatorul „%(slug)s” este folosit de un alt spațiu.")
                       % {"slug": slug}, code="slug_taken")
    is_hub = run.request.mode == ConnectionRequest.Mode.HUB
    institution = (run.request.coordinator or run.contract.institution) if is_hub \
        else run.contract.institution
    tenant = tenant_schema_create(
        slug=slug, name=run.contract.institution.name,
        kind=Tenant.Kind.HUB if is_hub else Tenant.Kind.PROVIDER,
        status=Tenant.Status.PROVISIONING, institution=institution)
    run.job.tenant = tenant
    run.job.save(update_fields=["tenant", "updated_at"])
    return {"tenant": tenant.slug, "schema": tenant.schema_name}


def _step_domain(run: _Run) -> dict[str, Any]:
    domain = tenant_domain_ensure(tenant=_job_tenant(run))
    return {"host": domain.domain}


def _step_configuration(run: _Run) -> dict[str, Any]:
    from sgsc.provisioning.onboarding.hubs import hub_setup_from_request

    tenant = _job_tenant(run)
    # The platform writes the first profile: its audit event joins the platform chain with
    # the other provisioning events (the tenant's own chain starts with its own users).
    with schema_context(tenant.schema_name):
        workspace_profile_update(display_name=tenant.name,
                                 support_email=run.request.contact_email,
                                 support_phone=run.request.contact_phone)
    details: dict[str, Any] = {"profile": True}
    if tenant.kind == Tenant.Kind.HUB:
        agreement = hub_setup_from_request(hub=tenant, contract=run.contract,
                                           connection_request=run.request)
        details["hub_agreement"] = agreement.number
        details["members"] = agreement.hub.hub_memberships.filter(left_at__isnull=True).count()
    return details


def _split_name(full_name: str) -> tuple[str, str]:
    parts = full_name.strip().split()
    if len(parts) < 2:
        return (parts[0] if parts else ""), ""
    return " ".join(parts[:-1])[:150], parts[-1][:150]


def _step_invitation(run: _Run) -> dict[str, Any]:
    tenant = _job_tenant(run)
    request = run.request
    email = User.objects.normalize_email(request.contact_email.strip()).lower()
    idnp = request.contact_idnp.strip() or None
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    others = User.objects.filter(idnp=idnp)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if idnp and others.exists():
        raise Conflict(_("IDNP-ul persoanei de contact aparține unui alt cont decât "
                         "%(email)s.") % {"email": email}, code="idnp_taken")
    if user is None:
        first, last = _split_name(request.contact_name)
        user = User.objects.create_user(email, None, first_name=first, last_name=last,
                                        phone=request.contact_phone[:32], idnp=idnp)
        created = True
    else:
        created = False
        if idnp and user.idnp and user.idnp != idnp:
            raise Conflict(_("Contul %(email)s are alt IDNP decât cel din cerere.")
                           % {"email": email}, code="idnp_mismatch")
        if idnp and not user.idnp:
            user.idnp = idnp
            user.save(update_fields=["idnp"])
    membership, _created = Membership.objects.select_for_update().get_or_create(
        user=user, tenant=tenant, defaults={"roles": [TenantRole.TENANT_ADMIN]})
    if TenantRole.TENANT_ADMIN not in membership.roles or \
            membership.state != Membership.State.ACTIVE:
        membership.roles = sorted({*membership.roles, TenantRole.TENANT_ADMIN})
        membership.state = Membership.State.ACTIVE
        membership.save(update_fields=["roles", "state"])
    link, run.token = activation_link_issue(user=user, tenant=tenant)
    run.user = user
    audit_record(action="provisioning.invitation", tenant=None, object_type="tenant",
                 object_id=tenant.pk,
                 details={"user": email, "user_created": created, "link": link.pk})
    return {"user_id": user.pk, "email": email, "user_created": created,
            "link_expires_at": link.expires_at.isoformat()}


def _local(moment: Any, fmt: str) -> str:
    return formats.date_format(timezone.localtime(moment), fmt)


def access_message(*, tenant: Tenant, contract: Contract, request: ConnectionRequest,
                   link: ActivationLink, token: str) -> tuple[str, str]:
    """Subject and body of the access package (Romanian)."""
    with translation.override("ro"):
        deadline = (_local(contract.handover_deadline, "d.m.Y")
                    if contract.handover_deadline else "—")
        subject = _("SGSC: accesul la spațiul „%(name)s”") % {"name": tenant.name}
        body = _(
            "Stimată/Stimate %(person)s,\n\n"
            "Spațiul „%(name)s” în Sistemul informațional al Serviciului Guvernamental de "
            "Suport pentru Clienți (SI SGSC) a fost configurat în baza contractului de "
            "conectare nr. %(contract)s.\n\n"
            "Adresa spațiului: %(url)s\n\n"
            "Pentru a vă activa contul de administrator, deschideți linkul de mai jos și "
            "stabiliți o parolă. Linkul poate fi folosit o singură dată și este valabil până "
            "la %(expires)s:\n%(link)s\n\n"
            "Termenul de predare a accesului: %(deadline)s.\n\n"
            "Contacte AGE: %(contacts)s\n\n"
            "Dacă nu ați solicitat acest acces, nu folosiți linkul și anunțați AGE.\n\n"
            "Agenția de Guvernare Electronică"
        ) % {
            "person": request.contact_name, "name": tenant.name, "contract": contract.number,
            "url": tenant_url(slug=tenant.slug), "expires": _local(link.expires_at, "d.m.Y H:i"),
            "link": activation_url(tenant=tenant, token=token), "deadline": deadline,
            "contacts": settings.AGE_SUPPORT_CONTACT,
        }
    return subject, body


def _contract_mark_active(*, contract: Contract, tenant: Tenant) -> None:
    from sgsc.provisioning.contracts.services import contract_mark_active

    contract_mark_active(contract=contract, tenant=tenant)


def _step_access(run: _Run) -> dict[str, Any]:
    tenant = _job_tenant(run)
    invitation = ProvisioningStep.objects.get(job=run.job, name=STEP_INVITATION)
    user = run.user or User.objects.get(pk=invitation.details["user_id"])
    if run.token is not None:
        link = ActivationLink.objects.get(token_sha256=token_digest(run.token))
        token = run.token
    else:
        # A resumed run never saw the token (only its hash is stored): issue a new link,
        # which invalidates the earlier one.
        link, token = activation_link_issue(user=user, tenant=tenant)
    if tenant.status == Tenant.Status.PROVISIONING:
        tenant_set_status(tenant=tenant, status=Tenant.Status.ACTIVE,
                          reason="Configurare finalizată; pachetul de acces a fost transmis.")
    _contract_mark_active(contract=run.contract, tenant=tenant)
    subject, body = access_message(tenant=tenant, contract=run.contract, request=run.request,
                                   link=link, token=token)
    # Sent last, inside the step's transaction: a failed send rolls the step back (the
    # tenant stays unreachable) and the retry issues a new link.
    send_mail(subject, body, None, [user.email])
    audit_record(action="provisioning.access.sent", tenant=None, object_type="tenant",
                 object_id=tenant.pk, details={"to": user.email, "link": link.pk})
    return {"sent_to": user.email, "link_expires_at": link.expires_at.isoformat(),
            "url": tenant_url(slug=tenant.slug)}


STEP_FUNCTIONS: dict[str, Callable[[_Run], dict[str, Any]]] = {
    STEP_SCHEMA: _step_schema,
    STEP_DOMAIN: _step_domain,
    STEP_CONFIGURATION: _step_configuration,
    STEP_INVITATION: _step_invitation,
    STEP_ACCESS: _step_access,
}


# ---------------------------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------------------------

def provisioning_job_ensure(*, contract: Contract) -> ProvisioningJob:
    """The contract's job with its steps; created once, whoever asks first."""
    with transaction.atomic():
        job, _created = ProvisioningJob.objects.get_or_create(contract=contract)
        ProvisioningStep.objects.bulk_create(
            [ProvisioningStep(job=job, name=name, position=position)
             for position, name in enumerate(STEP_NAMES, start=1)],
            ignore_conflicts=True)
    return job


def _load_contract(contract_id: int) -> Contract:
    contract = (Contract.objects.select_related("request", "institution", "request__coordinator")
                .filter(pk=contract_id).first())
    if contract is None:
        raise NotFound(_("Contractul nu există."), code="contract_not_found")
    if contract.signed_at is None or contract.status not in (Contract.Status.SIGNED,
                                                              Contract.Status.ACTIVE):
        raise Conflict(_("Contractul %(number)s nu este semnat (stare: %(status)s).")
                       % {"number": contract.number, "status": contract.get_status_display()},
                       code="contract_not_signed")
    return contract


def _error_text(error: BaseException) -> str:
    if isinstance(error, ApplicationError):
        return f"{error.message} [{error.code}]"
    return f"{type(error).__name__}: {error}"[:2000]


def _start(job: ProvisioningJob) -> ProvisioningJob | None:
    """Mark the job running (locked); None when it is already done."""
    with transaction.atomic():
        locked = ProvisioningJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ProvisioningJob.Status.DONE:
            return None
        locked.status = ProvisioningJob.Status.RUNNING
        locked.attempts += 1
        locked.started_at = locked.started_at or timezone.now()
        locked.finished_at = None
        locked.save(update_fields=["status", "attempts", "started_at", "finished_at",
                                   "updated_at"])
        audit_record(action="provisioning.job.start", tenant=None, object_type="contract",
                     object_id=locked.contract_id, details={"attempt": locked.attempts})
    return locked


def _run_step(run: _Run, step: ProvisioningStep) -> None:
    # Visible as running while it works (the panel polls), then done in one transaction.
    ProvisioningStep.objects.filter(pk=step.pk).exclude(
        state=ProvisioningStep.State.DONE).update(
        state=ProvisioningStep.State.RUNNING, started_at=timezone.now(), finished_at=None)
    with transaction.atomic():
        run.job = ProvisioningJob.objects.select_for_update().get(pk=run.job.pk)
        locked = ProvisioningStep.objects.select_for_update().get(pk=step.pk)
        if locked.state == ProvisioningStep.State.DONE:  # a concurrent run did it
            return
        details = STEP_FUNCTIONS[step.name](run)
        locked.state = ProvisioningStep.State.DONE
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.details = details
        locked.save(update_fields=["state", "finished_at", "error", "details"])


def _fail(job: ProvisioningJob, step: ProvisioningStep, error: BaseException) -> None:
    text = _error_text(error)
    with transaction.atomic():
        locked = ProvisioningJob.objects.select_for_update().get(pk=job.pk)
        ProvisioningStep.objects.filter(pk=step.pk).update(
            state=ProvisioningStep.State.FAILED, finished_at=timezone.now(), error=text)
        locked.status = ProvisioningJob.Status.FAILED
        locked.save(update_fields=["status", "updated_at"])
        audit_record(action="provisioning.step", outcome=AuditEvent.Outcome.FAILURE,
                     tenant=None, object_type="contract", object_id=locked.contract_id,
                     details={"step": step.name, "error": text,
                              "code": getattr(error, "code", "")})


def provisioning_job_run(*, contract_id: int) -> ProvisioningJob:
    """Run (or resume) the contract's job up to its end or to the first failing step.

    A transient failure (database, e-mail server) is recorded and raised again, so the task
    retries with backoff; any other failure is recorded and waits for AGE to resume the job.
    """
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        contract = _load_contract(contract_id)
        job = _start(provisioning_job_ensure(contract=contract))
        if job is None:
            return ProvisioningJob.objects.get(contract=contract)
        run = _Run(job=job, contract=contract, request=contract.request)
        for step in ProvisioningStep.objects.filter(job=job).order_by("position"):
            if step.state == ProvisioningStep.State.DONE:
                continue
            try:
                _run_step(run, step)
            except Exception as error:
                logger.warning("provisioning of contract %s failed at step %s: %s",
                               contract.pk, step.name, _error_text(error))
                _fail(job, step, error)
                if isinstance(error, TRANSIENT_ERRORS):
                    raise
                return ProvisioningJob.objects.get(pk=job.pk)
        with transaction.atomic():
            locked = ProvisioningJob.objects.select_for_update().get(pk=job.pk)
            locked.status = ProvisioningJob.Status.DONE
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at", "updated_at"])
            audit_record(action="provisioning.job.done", tenant=None, object_type="contract",
                         object_id=locked.contract_id,
                         details={"tenant": run.job.tenant.slug if run.job.tenant else None,
                                  "attempts": locked.attempts})
        return locked


def provisioning_job_resume(*, contract: Contract, actor: User | None) -> ProvisioningJob:
    """AGE resumes a failed job (or one whose worker was lost): it runs again from the first
    step not done (queued)."""
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().filter(contract=contract).first()
        if job is not None and job.can_resume:
            previous = job.status
            job.status = ProvisioningJob.Status.PENDING
            job.save(update_fields=["status", "updated_at"])
            audit_record(action="provisioning.job.resume", tenant=None, actor=actor,
                         object_type="contract", object_id=contract.pk,
                         details={"attempts": job.attempts, "from": previous})
            enqueue_on_commit(PROVISION_TASK, kwargs={"contract_id": contract.pk})
            return job
    audit_record(action="provisioning.job.resume", outcome=AuditEvent.Outcome.FAILURE,
                 tenant=None, actor=actor, object_type="contract", object_id=contract.pk,
                 details={"code": "job_not_failed"})
    raise Conflict(_("Doar o configurare eșuată sau blocată poate fi reluată."),
                   code="job_not_failed")
