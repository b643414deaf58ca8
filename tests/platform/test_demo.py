from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from sgsc.billing.statements.models import Statement
from sgsc.billing.tariffs.models import TariffScheduleVersion
from sgsc.billing.usage.models import Metric, UsageRecord
from sgsc.platform.demo import (
    BILLED_MONTHS,
    HUB_SLUG,
    PROVIDER_SLUG,
    DemoLogin,
    demo_is_needed,
    demo_load,
    demo_logins,
)
from sgsc.platform.demo_support import TICKETS_PER_TENANT
from sgsc.provisioning.contracts.models import Contract
from sgsc.provisioning.requests.models import ConnectionRequest
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.scoping import institution_scope_for
from sgsc.shared_apps.institutions.models import HubMembership, Institution
from sgsc.shared_apps.workdays.selectors import local_zone, work_calendar, working_days_left
from sgsc.tenant_apps.telephony.models import (
    MISSED_DISPOSITIONS,
    Call,
    CallEvent,
    Connector,
    Extension,
    PhoneLine,
)
from sgsc.tenant_apps.tickets.models import Ticket
from sgsc.tenants.models import Tenant
from sgsc.tenants.services import tenant_host_for


def test_demo_data(db: None) -> None:
    """One load (it works a few hundred tickets through the services), three looks at it."""
    assert demo_logins() == []
    demo_load(password="Parola-demo-2026")
    _builds_the_promised_platform()
    _access_is_limited_by_institution_and_in_time()
    _has_a_billing_history()
    _has_calls_metered_and_billed()


def _builds_the_promised_platform() -> None:
    provider = Tenant.objects.get(slug=PROVIDER_SLUG)
    hub = Tenant.objects.get(slug=HUB_SLUG)
    assert (provider.kind, provider.status) == (Tenant.Kind.PROVIDER, Tenant.Status.ACTIVE)
    assert (hub.kind, hub.status) == (Tenant.Kind.HUB, Tenant.Status.ACTIVE)
    assert HubMembership.objects.filter(hub=hub).count() == 2
    assert Membership.objects.filter(tenant=provider).count() >= 3
    assert not demo_is_needed()
    logins = demo_logins()
    roles = {role for login in logins for role in login.roles}
    assert {"age_admin", "chancellery_reviewer", "tenant_admin", "coordinator",
            "l1_operator"} <= roles

    statuses = set(ConnectionRequest.objects.values_list("status", flat=True))
    assert {"approved", "rejected", "needs_info", "under_review", "submitted"} <= statuses
    calendar = work_calendar()
    left = sorted(working_days_left(deadline=r.review_deadline, calendar=calendar)
                  for r in ConnectionRequest.objects.filter(status="under_review"))
    assert left[0] < 0 and 0 <= left[1] <= 2  # one late, one close to its deadline
    assert Contract.objects.filter(status="draft").count() == 1
    assert Contract.objects.get(tenant=provider).handed_over_at is not None
    assert Contract.objects.get(tenant=hub).handed_over_at is None

    coordinator = next(login for login in logins if "coordinator" in login.roles)
    client = Client(HTTP_HOST=coordinator.host)
    response = client.post("/autentificare/", {"username": coordinator.email,
                                                "password": "Parola-demo-2026"})
    assert response.status_code == 302
    assert "Coordonator de hub" in client.get("/").content.decode()


def _access_is_limited_by_institution_and_in_time() -> None:
    hub = Tenant.objects.get(slug=HUB_SLUG)
    provider = Tenant.objects.get(slug=PROVIDER_SLUG)
    logins = {login.email: login for login in demo_logins()}

    # The hub's coordinator sees every member institution; one operator only ANOFM's.
    coordinator = Membership.objects.get(tenant=hub, roles__contains=["coordinator"])
    assert institution_scope_for(membership=coordinator) is None
    operator = Membership.objects.get(tenant=hub, user__email="operator.anofm@hub-social.gov.md")
    anofm = Institution.objects.get(idno="1003600008080")
    assert HubMembership.objects.filter(hub=hub).exclude(institution=anofm).exists()
    assert operator.roles == ["l1_operator"] and operator.limited_to_institutions
    assert institution_scope_for(membership=operator) == frozenset({anofm.pk})
    assert logins[operator.user.email] == DemoLogin(operator.user.email,
                                                    tenant_host_for(slug=HUB_SLUG),
                                                    ("l1_operator",))

    # CNAS's supervisor has temporary access: it ends by itself in 30 days.
    supervisor = Membership.objects.get(tenant=provider, user__email="supervizor@cnas.gov.md")
    assert supervisor.roles == ["supervisor"] and supervisor.valid_until is not None
    now = timezone.now()
    assert now + timedelta(days=29) < supervisor.valid_until <= now + timedelta(days=30)
    assert institution_scope_for(membership=supervisor) is None
    assert logins[supervisor.user.email].roles == ("supervisor",)
    assert logins[supervisor.user.email].host == tenant_host_for(slug=PROVIDER_SLUG)

    # Granted through the service, as AGE's administrator: audited on each tenant's chain.
    age_admin = User.objects.get(email="admin@age.gov.md")
    for membership in (operator, supervisor):
        assert membership.granted_by == age_admin
        assert AuditEvent.objects.filter(action="membership.grant", actor=age_admin,
                                         tenant=membership.tenant,
                                         object_id=str(membership.pk)).exists()
    # Both can sign in through the test MPass (a valid IDNP).
    assert operator.user.idnp and supervisor.user.idnp


def _has_a_billing_history() -> None:
    """The Chancellery's console has something to show: metered days, issued statements (the
    hub's shared among its institutions by seats) and a tariff version awaiting approval."""
    today = timezone.localdate()
    since = today.replace(day=1) - relativedelta(months=BILLED_MONTHS)
    tenants = list(Tenant.objects.filter(slug__in=[PROVIDER_SLUG, HUB_SLUG]))
    assert {contract.effective_date for contract in Contract.objects.filter(tenant__in=tenants)
            } == {since}
    for tenant in tenants:  # every day up to yesterday, seats and storage
        for metric in (Metric.SEATS, Metric.STORAGE_GB):
            days = set(UsageRecord.objects.filter(tenant=tenant, metric=metric)
                       .values_list("day", flat=True))
            assert days == {since + timedelta(days=n) for n in range((today - since).days)}
    for tenant in tenants:  # demo tickets in every state, their resolutions metered
        with schema_context(tenant.schema_name):
            statuses = set(Ticket.objects.values_list("status", flat=True))
            assert Ticket.objects.count() == TICKETS_PER_TENANT
            assert statuses == set(Ticket.Status.values)
            if tenant.slug == HUB_SLUG:
                assert not Ticket.objects.filter(institution__isnull=True).exists()
        handled = UsageRecord.objects.filter(tenant=tenant, metric=Metric.TICKETS_HANDLED)
        assert sum(record.quantity for record in handled) > 0
    hub_seats = UsageRecord.objects.filter(tenant__slug=HUB_SLUG, metric=Metric.SEATS,
                                           day=since).get()
    assert hub_seats.quantity == 3 and hub_seats.source["limited"]  # ANOFM's own operator

    statements = Statement.objects.filter(kind=Statement.Kind.STATEMENT)
    assert statements.count() == 2 * BILLED_MONTHS
    assert set(statements.values_list("status", flat=True)) == {Statement.Status.ISSUED}
    assert {s.month for s in statements} == {since + relativedelta(months=n)
                                              for n in range(BILLED_MONTHS)}
    for statement in statements:
        assert statement.total > 0
        assert sum(line.total for line in statement.lines.all()) == statement.total
        shares = list(statement.allocations.all())
        if statement.tenant.slug == HUB_SLUG:
            assert statement.allocation_key == "seats" and len(shares) == 2
            assert sum((share.amount for share in shares), Decimal(0)) == statement.total
            assert len({share.amount for share in shares}) == 2  # by seats, not equal
        else:
            assert shares == []
    assert TariffScheduleVersion.objects.filter(
        status=TariffScheduleVersion.Status.SUBMITTED).count() == 1

    # The first look: the Chancellery's console of last month, the provider's own statements.
    logins = {login.email: login for login in demo_logins()}
    pages = {}
    for email, url in (("tarife@gov.md", "/cancelarie/utilizare/"),
                       ("tarife@gov.md", f"/cancelarie/utilizare/{HUB_SLUG}/"),
                       ("admin@cnas.gov.md", "/facturare/")):
        client = Client(HTTP_HOST=logins[email].host)
        assert client.post("/autentificare/", {"username": email,
                                                "password": "Parola-demo-2026"}).status_code == 302
        pages[url] = client.get(url).content.decode()
    assert "Casa Națională de Asigurări Sociale" in pages["/cancelarie/utilizare/"]
    assert "<svg" in pages["/cancelarie/utilizare/"]
    hub_page = pages[f"/cancelarie/utilizare/{HUB_SLUG}/"]
    assert "Repartizarea între instituțiile membre" in hub_page
    assert "Agenția Națională pentru Ocuparea Forței de Muncă" in hub_page
    own = statements.filter(tenant__slug=PROVIDER_SLUG)
    assert all(statement.number in pages["/facturare/"] for statement in own)


def _has_calls_metered_and_billed() -> None:
    """Each tenant's PBX reported calls over the billed months through the ingest service:
    answered, missed (some called back) and some that registered the phone tickets; their
    talk time is metered every day and billed in the statements."""
    today = timezone.localdate()
    since = today.replace(day=1) - relativedelta(months=BILLED_MONTHS)
    for tenant in Tenant.objects.filter(slug__in=[PROVIDER_SLUG, HUB_SLUG]):
        with schema_context(tenant.schema_name):
            calls = Call.objects.all()
            assert calls.count() >= 150 and not calls.exclude(state=Call.State.ENDED).exists()
            # Built from their events: each has its ringing and its end (answered: 3 events).
            assert CallEvent.objects.count() >= 2 * calls.count() + calls.filter(
                disposition=Call.Disposition.ANSWERED).count()
            assert Connector.objects.filter(revoked_at__isnull=True).count() == 1
            answered = calls.filter(disposition=Call.Disposition.ANSWERED)
            assert {30 <= call.talk_seconds <= 600 for call in answered} == {True}
            assert not answered.filter(agent__isnull=True).exists()  # at an extension
            inbound = calls.filter(direction=Call.Direction.INBOUND)
            missed = inbound.filter(disposition__in=MISSED_DISPOSITIONS)
            assert 0.08 <= missed.count() / inbound.count() <= 0.25
            assert {call.disposition for call in missed} == {"no_answer", "abandoned", "busy"}
            assert missed.filter(called_back_at__isnull=False).exists()
            assert missed.filter(called_back_at__isnull=True).exists()
            months = {call.started_at.astimezone(local_zone()).date().replace(day=1)
                      for call in calls}
            assert {since + relativedelta(months=n) for n in range(BILLED_MONTHS)} <= months
            from_calls = Ticket.objects.filter(calls__isnull=False)
            assert from_calls.count() >= 20
            assert set(from_calls.values_list("channel", flat=True)) == {"phone"}
            assert Extension.objects.count() >= 3
            if tenant.slug == HUB_SLUG:  # a line per member institution, calls kept apart
                members = set(HubMembership.objects.filter(hub=tenant)
                              .values_list("institution_id", flat=True))
                assert set(PhoneLine.objects.values_list("institution_id", flat=True)) == members
                assert not calls.filter(institution__isnull=True).exists()
                anofm = Institution.objects.get(idno="1003600008080")
                assert set(calls.filter(agent__email="operator.anofm@hub-social.gov.md")
                           .values_list("institution_id", flat=True)) == {anofm.pk}
            talk = sum(call.talk_seconds for call in calls.filter(ended_at__date__lt=today))
        minutes = UsageRecord.objects.filter(tenant=tenant, metric=Metric.CALL_MINUTES)
        assert set(minutes.values_list("day", flat=True)) == {
            since + timedelta(days=n) for n in range((today - since).days)}
        metered = sum(record.quantity for record in minutes)
        assert abs(metered - Decimal(talk) / 60) < Decimal("0.01") * minutes.count()
        for statement in Statement.objects.filter(tenant=tenant, kind=Statement.Kind.STATEMENT):
            line = statement.lines.get(component="call_minute")
            assert line.quantity > 0 and line.total > 0
