"""Demo data for development and the first look: loaded by ``sgsc up`` into an empty database.

The two demo tenants are onboarded through the real journey (request, approval, contract,
signature, provisioning); more requests are left in every state, one of them close to its
review deadline and one late. The two tenants' contracts are in force from the first day of the
month two months back, so that the nightly metering and the monthly statements have a history
to show (the State Chancellery's console); the facts the journey stamps "now" and the meters
read (when people and member institutions joined) are moved back to that day, as ``_backdate``
does for the requests. Identifiers are synthetic but valid (check digits computed);
the password comes from the settings (dev, or test for the tests), never from production.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from stdnum.md import idno as stdnum_idno

from sgsc.billing.statements.models import AllocationKey
from sgsc.billing.statements.services import (
    hub_allocation_key_set,
    statement_generate,
    statement_issue,
)
from sgsc.billing.tariffs.models import TariffComponent, TariffScheduleVersion
from sgsc.billing.tariffs.selectors import tariff_schedule_get
from sgsc.billing.tariffs.services import (
    ComponentInput,
    tariff_version_approve,
    tariff_version_draft,
    tariff_version_new_from,
    tariff_version_submit,
    tariff_version_update,
)
from sgsc.billing.usage.services import usage_meter_tenant_day
from sgsc.platform.demo_support import DemoPeople, demo_support_load
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.contracts.services import (
    contract_record_handover,
    contract_sign,
    contract_update_draft,
)
from sgsc.provisioning.onboarding.services import provisioning_job_run
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.provisioning.requests.services import (
    connection_request_approve,
    connection_request_ask_info,
    connection_request_reject,
    connection_request_start_review,
    connection_request_submit,
)
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.roles import PlatformRole, TenantRole
from sgsc.shared_apps.identity.services import membership_grant
from sgsc.shared_apps.institutions.models import HubAgreement, HubMembership, Institution
from sgsc.shared_apps.institutions.services import institution_create
from sgsc.shared_apps.workdays.selectors import deadline_after, local_zone, work_calendar
from sgsc.tenants.models import Tenant
from sgsc.tenants.selectors import tenant_list_real
from sgsc.tenants.services import tenant_host_for


@dataclass(frozen=True)
class DemoLogin:
    email: str
    host: str
    roles: tuple[str, ...]


PROVIDER_SLUG = "cnas"
HUB_SLUG = "hub-social"
PENDING_SIGNATURE_SLUG = "app"

_INSTITUTIONS = {
    "age": ("1003600008057", "Agenția de Guvernare Electronică", Institution.Kind.AGENCY),
    "cnas": ("1003600008068", "Casa Națională de Asigurări Sociale", Institution.Kind.AGENCY),
    "mmps": ("1003600008079", "Ministerul Muncii și Protecției Sociale",
             Institution.Kind.MINISTRY),
    "anofm": ("1003600008080", "Agenția Națională pentru Ocuparea Forței de Muncă",
              Institution.Kind.AGENCY),
    "anas": ("1003600008091", "Agenția Națională Asistență Socială", Institution.Kind.AGENCY),
}

_PLATFORM_USERS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("admin@age.gov.md", "Ion", "Rusu", (PlatformRole.AGE_ADMIN,)),
    ("conectare@age.gov.md", "Elena", "Ciobanu", (PlatformRole.AGE_ONBOARDING_OFFICER,)),
    ("tarife@gov.md", "Mihai", "Popa", (PlatformRole.CHANCELLERY_REVIEWER,)),
    ("calitate@asp.gov.md", "Ana", "Lungu", (PlatformRole.ASP_MONITOR,)),
]
# The first user of each tenant is the contact of its connection request: provisioning
# invites them as the tenant's administrator.
_TENANT_USERS: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    PROVIDER_SLUG: [
        ("admin@cnas.gov.md", "Victor", "Munteanu", (TenantRole.TENANT_ADMIN,)),
        ("operator@cnas.gov.md", "Maria", "Sârbu", (TenantRole.L1_OPERATOR,)),
        ("specialist@cnas.gov.md", "Andrei", "Țurcanu", (TenantRole.L2_SPECIALIST,)),
        ("auditor@cnas.gov.md", "Natalia", "Ursu", (TenantRole.AUDITOR,)),
    ],
    HUB_SLUG: [
        ("admin@hub-social.gov.md", "Sergiu", "Cojocaru", (TenantRole.TENANT_ADMIN,)),
        ("coordonator@hub-social.gov.md", "Diana", "Moraru",
         (TenantRole.COORDINATOR, TenantRole.SUPERVISOR)),
        ("operator@hub-social.gov.md", "Vasile", "Rotaru", (TenantRole.L1_OPERATOR,)),
    ],
}
_CONTACT_IDNPS = {PROVIDER_SLUG: "2003000000016", HUB_SLUG: "2003000000027"}


@dataclass(frozen=True)
class _LimitedAccess:
    """A demo person whose access is limited: to one of the hub's institutions (the key in
    ``_INSTITUTIONS``) or in time. AGE's administrator grants it through the console's
    service, so it is audited and scoped exactly as in real use."""

    slug: str
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    institution: str | None = None
    days: int | None = None


_LIMITED_USERS = (
    _LimitedAccess(HUB_SLUG, "operator.anofm@hub-social.gov.md", "Elena", "Bălan",
                   (TenantRole.L1_OPERATOR,), institution="anofm"),
    _LimitedAccess(PROVIDER_SLUG, "supervizor@cnas.gov.md", "Tudor", "Grosu",
                   (TenantRole.SUPERVISOR,), days=30),
)

# Requests left in the console's states: (IDNO, institution, contact IDNP, state, working
# days since receipt).
_OTHER_REQUESTS = [
    ("1003600008116", "Agenția Servicii Publice", "2003000000038", "at_risk", 8),
    ("1003600008127", "Serviciul Fiscal de Stat", "2003000000049", "late", 12),
    ("1003600008138", "Agenția Națională pentru Siguranța Alimentelor", "2003000000050",
     "needs_info", 3),
    ("1003600008149", "Primăria municipiului Bălți", "2003000000061", "rejected", 5),
    ("1003600008150", "Agenția Proprietății Publice", "2003000000072", "approved", 4),
    ("1003600008161", "Inspectoratul General de Poliție", "2003000000083", "submitted", 0),
]
# Full months of usage and issued statements before the current month.
BILLED_MONTHS = 2
_SERVICES = ("Informare privind serviciile publice", "Asistență pentru servicii electronice")


def demo_logins() -> list[DemoLogin]:
    """The demo accounts, when they exist (to print them again on every start)."""
    if not User.objects.filter(email=_PLATFORM_USERS[0][0]).exists():
        return []
    logins = [DemoLogin(email, settings.PUBLIC_HOST, tuple(roles))
              for email, _first, _last, roles in _PLATFORM_USERS]
    for slug, users in _TENANT_USERS.items():
        logins += [DemoLogin(email, tenant_host_for(slug=slug), tuple(roles))
                   for email, _first, _last, roles in users]
    logins += [DemoLogin(access.email, tenant_host_for(slug=access.slug), access.roles)
               for access in _LIMITED_USERS]
    return logins


def demo_is_needed() -> bool:
    return not tenant_list_real().exists() and not User.objects.exists()


def _demo_idnp(email: str) -> str:
    """A stable, valid IDNP per demo person, so that they can sign in through the test MPass."""
    base = "2" + str(int(hashlib.sha256(email.encode()).hexdigest(), 16) % 10**11).zfill(11)
    return base + stdnum_idno.calc_check_digit(base)


def _user(email: str, first: str, last: str, password: str,
          platform_roles: Sequence[str] = ()) -> User:
    return User.objects.create_user(email, password, first_name=first, last_name=last,
                                    platform_roles=list(platform_roles), idnp=_demo_idnp(email))


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _submit(*, idno: str, name: str, contact: tuple[str, str, str], mode: str = "individual",
            **hub: object) -> ConnectionRequest:
    documents = [("application", _pdf("cerere.pdf"))]
    if mode == "hub":
        documents.append(("agreement", _pdf("acord-interinstitutional.pdf")))
    contact_name, contact_idnp, contact_email = contact
    return connection_request_submit(
        institution_idno=idno, institution_name=name, institution_kind=Institution.Kind.AGENCY,
        mode=mode, services=list(_SERVICES), channels=["phone", "email", "portal"],
        expected_seats=12, expected_requests_month=4000, expected_call_minutes=9000,
        contact_name=contact_name, contact_idnp=contact_idnp, contact_email=contact_email,
        contact_phone="+37322000000", documents=documents,
        **hub,  # type: ignore[arg-type]
    )


def _tariff_components(*, subscription: str, seat: str) -> list[ComponentInput]:
    kind = TariffComponent.Kind
    return [ComponentInput(kind.SUBSCRIPTION, subscription, hub_multiplier="0.8000"),
            ComponentInput(kind.SEAT, seat), ComponentInput(kind.TICKET, "2.5000"),
            ComponentInput(kind.CALL_MINUTE, "0.4500"),
            ComponentInput(kind.STORAGE_GB_MONTH, "1.2000", allowance_gb="50")]


def _approve_tariffs(*, admin: User, reviewer: User, since: date) -> TariffScheduleVersion:
    """AGE drafts and submits the default schedule's first version (in force from the start of
    the year of ``since``); the Chancellery approves it, so that contracts can be signed."""
    version = tariff_version_draft(
        schedule=tariff_schedule_get(code=settings.CONTRACT_DEFAULT_TARIFF_CODE),
        effective_from=since.replace(month=1, day=1), effective_to=None,
        vat_treatment=TariffScheduleVersion.Vat.EXEMPT, vat_rate=None, actor=admin,
        components=_tariff_components(subscription="1500.0000", seat="350.0000"))
    tariff_version_submit(version=version, actor=admin)
    return tariff_version_approve(version=version, decision_number="CS-14/2026",
                                  decision_date=timezone.localdate(),
                                  decision_document=_pdf("decizia-cancelariei.pdf"),
                                  actor=reviewer)


def _propose_tariffs(*, admin: User, approved: TariffScheduleVersion) -> None:
    """AGE's next version (from next January, new prices) waits for the Chancellery: its
    queue is not empty and the console's what-if can apply it to a past month."""
    draft = tariff_version_new_from(version=approved, actor=admin)
    tariff_version_update(
        version=draft, effective_from=date(timezone.localdate().year + 1, 1, 1),
        effective_to=None, vat_treatment=approved.vat_treatment, vat_rate=approved.vat_rate,
        components=_tariff_components(subscription="1650.0000", seat="320.0000"), actor=admin)
    tariff_version_submit(version=draft, actor=admin)


def _onboard(*, request: ConnectionRequest, slug: str, admin: User, hand_over: bool,
             effective_date: date) -> Tenant:
    """Approve, sign and provision, exactly as AGE does in the console. The contract may be in
    force from a past day (the service allows it; the hand-over term runs from the
    signature)."""
    connection_request_approve(connection_request=request, actor=admin,
                               note="Cererea corespunde cerințelor.")
    contract = Contract.objects.get(request=request)
    contract_update_draft(contract=contract, tenant_slug=slug, tariff_code=contract.tariff_code,
                          effective_date=effective_date, term_months=36,
                          services=contract.services, channels=contract.channels, actor=admin)
    contract_sign(contract=contract, age_signer_name="Ion Rusu",
                  age_signer_position="Director, AGE", provider_signer_name="Conducătorul",
                  provider_signer_position="Director", signed_document=None, actor=admin)
    provisioning_job_run(contract_id=contract.pk)
    contract.refresh_from_db()
    if hand_over:
        contract_record_handover(contract=contract, actor=admin)
    return Tenant.objects.get(slug=slug)


def _backdate(request: ConnectionRequest, working_days: int) -> None:
    """Move a demo request's receipt back so the console shows a deadline near or past."""
    calendar = work_calendar()
    day = timezone.localdate()
    moved = 0
    while moved < working_days:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            moved += 1
    received = request.received_at - (timezone.localdate() - day)
    ConnectionRequest.objects.filter(pk=request.pk).update(
        received_at=received,
        review_deadline=deadline_after(event=received, working_days=10, calendar=calendar))


def _other_requests(admin: User) -> None:
    for idno, name, idnp, state, age in _OTHER_REQUESTS:
        email = f"conectare@{idno[-4:]}.gov.md"
        request = _submit(idno=idno, name=name, contact=("Persoana de contact", idnp, email))
        if age:
            _backdate(request, age)
            request.refresh_from_db()
        if state in ("at_risk", "late", "rejected", "approved"):
            connection_request_start_review(connection_request=request, actor=admin)
        if state == "needs_info":
            connection_request_ask_info(connection_request=request, actor=admin,
                                        message="Anexați împuternicirea persoanei de contact.")
        elif state == "rejected":
            connection_request_reject(
                connection_request=request, actor=admin,
                reasons="Instituția nu prestează servicii publice către cetățeni.",
                legal_basis="Anexa 1, pct. 10 din Regulamentul SGSC")
        elif state == "approved":
            connection_request_approve(connection_request=request, actor=admin,
                                       note="Contractul urmează a fi semnat.")
            contract = Contract.objects.get(request=request)
            contract_update_draft(contract=contract, tenant_slug=PENDING_SIGNATURE_SLUG,
                                  tariff_code=contract.tariff_code, effective_date=None,
                                  term_months=36, services=contract.services,
                                  channels=contract.channels, actor=admin)


def _limited_access(*, admin: User, tenants: dict[str, Tenant], password: str) -> None:
    for access in _LIMITED_USERS:
        institution_ids = None
        if access.institution is not None:
            idno = _INSTITUTIONS[access.institution][0]
            institution_ids = [Institution.objects.get(idno=idno).pk]
        membership_grant(
            actor=admin, tenant=tenants[access.slug],
            user=_user(access.email, access.first_name, access.last_name, password),
            roles=list(access.roles), institution_ids=institution_ids,
            valid_until=timezone.now() + timedelta(days=access.days) if access.days else None)


def _backdate_onboarding(*, tenants: Sequence[Tenant], since: date) -> None:
    """The tenants have been working since ``since``: their people without an end date
    (temporary access stays as granted) and the hub's member institutions joined that day."""
    start = datetime.combine(since, time.min, tzinfo=local_zone())
    Membership.objects.filter(tenant__in=tenants, valid_until__isnull=True,
                              ended_at__isnull=True).update(valid_from=start)
    HubMembership.objects.filter(hub__in=tenants).update(joined_at=start)


# Who works the demo tickets of each tenant: the L1 operator, the L2 specialist (in the hub,
# the coordinator, who holds every level) and someone with the supervisor's rights.
_SUPPORT_PEOPLE = {
    PROVIDER_SLUG: ("operator@cnas.gov.md", "specialist@cnas.gov.md", "admin@cnas.gov.md"),
    HUB_SLUG: ("operator@hub-social.gov.md", "coordonator@hub-social.gov.md",
               "coordonator@hub-social.gov.md"),
}


def _support_work(*, tenants: Sequence[Tenant], since: date) -> None:
    institutions = {key: Institution.objects.get(idno=idno)
                    for key, (idno, _name, _kind) in _INSTITUTIONS.items()}
    for tenant in tenants:
        l1, l2, supervisor = (User.objects.get(email=email)
                              for email in _SUPPORT_PEOPLE[tenant.slug])
        demo_support_load(tenant=tenant, people=DemoPeople(l1=l1, l2=l2, supervisor=supervisor),
                          institutions=institutions,
                          days=(timezone.localdate() - since).days)


def _billing_history(*, admin: User, tenants: Sequence[Tenant], since: date) -> None:
    """What the nightly metering and AGE's monthly run would have left: every day from
    ``since`` to yesterday metered, the hub's cost shared by operator seats, and the full
    months' statements issued."""
    yesterday = timezone.localdate() - timedelta(days=1)
    for tenant in tenants:
        day = since
        while day <= yesterday:
            usage_meter_tenant_day(tenant=tenant, day=day)
            day += timedelta(days=1)
        if tenant.kind == Tenant.Kind.HUB:
            hub_allocation_key_set(agreement=HubAgreement.objects.get(hub=tenant),
                                   key=AllocationKey.SEATS, actor=admin)
    for months in range(BILLED_MONTHS):
        month = since + relativedelta(months=months)
        for contract in Contract.objects.filter(tenant__in=tenants).order_by("number"):
            statement_issue(statement=statement_generate(contract=contract, month=month,
                                                         actor=admin), actor=admin)


@transaction.atomic
def demo_load(*, password: str) -> None:
    """Create the demo platform. Call only on an empty platform.

    One transaction (PostgreSQL DDL included): an interrupted load leaves nothing behind.
    """
    for idno, name, kind in _INSTITUTIONS.values():
        institution_create(idno=idno, name=name, kind=kind)
    users = {email: _user(email, first, last, password, roles)
             for email, first, last, roles in _PLATFORM_USERS}
    admin = users[_PLATFORM_USERS[0][0]]
    since = timezone.localdate().replace(day=1) - relativedelta(months=BILLED_MONTHS)
    tariff = _approve_tariffs(admin=admin, reviewer=users["tarife@gov.md"], since=since)

    def contact(slug: str) -> tuple[str, str, str]:
        email, first, last, _roles = _TENANT_USERS[slug][0]
        return f"{first} {last}", _CONTACT_IDNPS[slug], email

    cnas_idno, cnas_name, _kind = _INSTITUTIONS["cnas"]
    provider = _onboard(request=_submit(idno=cnas_idno, name=cnas_name,
                                        contact=contact(PROVIDER_SLUG)),
                        slug=PROVIDER_SLUG, admin=admin, hand_over=True, effective_date=since)
    hub_request = _submit(
        idno=_INSTITUTIONS["mmps"][0], name=_INSTITUTIONS["mmps"][1],
        contact=contact(HUB_SLUG), mode="hub", coordinator_idno=_INSTITUTIONS["mmps"][0],
        member_idnos=[_INSTITUTIONS["anofm"][0], _INSTITUTIONS["anas"][0]],
        agreement_number="AI-2026/14", agreement_date=date(2026, 9, 1))
    hub = _onboard(request=hub_request, slug=HUB_SLUG, admin=admin, hand_over=False,
                   effective_date=since)

    for tenant in (provider, hub):
        for position, (email, first, last, roles) in enumerate(_TENANT_USERS[tenant.slug]):
            if position == 0:  # invited by provisioning: give the demo password
                user = User.objects.get(email=email)
                user.set_password(password)
                user.first_name, user.last_name = first, last
                user.save(update_fields=["password", "first_name", "last_name"])
                continue
            user = _user(email, first, last, password)
            Membership.objects.create(user=user, tenant=tenant, roles=list(roles))
    _limited_access(admin=admin, tenants={provider.slug: provider, hub.slug: hub},
                    password=password)
    _backdate_onboarding(tenants=(provider, hub), since=since)
    _support_work(tenants=(provider, hub), since=since)
    _billing_history(admin=admin, tenants=(provider, hub), since=since)
    _propose_tariffs(admin=admin, approved=tariff)
    _other_requests(admin)
