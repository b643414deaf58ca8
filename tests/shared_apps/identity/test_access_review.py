"""The periodic access review: page, CSV and API; a tenant sees only its own rows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from stdnum.md import idno as idno_number

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import Membership, SignInSession, User
from sgsc.shared_apps.identity.selectors import idnp_masked
from sgsc.shared_apps.identity.services import membership_grant
from sgsc.shared_apps.institutions.models import HubMembership
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def valid_idnp(n: int) -> str:
    base = f"2{n:011d}"
    return base + idno_number.calc_check_digit(base)


@pytest.fixture
def people(tenants):  # type: ignore[no-untyped-def]
    """In prov_a: a dormant member (granted 100 days ago, never signed in), a temporary one
    ending in 3 days, an active one seen yesterday, a revoked one. In prov_b: one member."""
    now = timezone.now()
    granter = UserFactory(first_name="Gica", last_name="Acordă")
    dormant = UserFactory(first_name="Dan", last_name="Adormit", idnp=valid_idnp(1))
    temporary = UserFactory(first_name="Tudor", last_name="Temporar")
    seen = UserFactory(first_name="Sanda", last_name="Văzută")
    revoked = UserFactory(first_name="Radu", last_name="Revocat")
    other = UserFactory(first_name="Bogdan", last_name="DinB")
    Membership.objects.create(user=dormant, tenant=tenants.prov_a, roles=["l1_operator"],
                              valid_from=now - timedelta(days=100), granted_by=granter)
    Membership.objects.create(user=temporary, tenant=tenants.prov_a, roles=["l2_specialist"],
                              valid_until=now + timedelta(days=3))
    Membership.objects.create(user=seen, tenant=tenants.prov_a, roles=["supervisor"],
                              valid_from=now - timedelta(days=400))
    SignInSession.objects.create(session_key="s" * 40, user=seen, tenant=tenants.prov_a,
                                 started_at=now - timedelta(days=1))
    # A sign-in on another host does not count for this one.
    SignInSession.objects.create(session_key="d" * 40, user=dormant, tenant=tenants.prov_b,
                                 started_at=now - timedelta(days=1))
    Membership.objects.create(user=revoked, tenant=tenants.prov_a, roles=["auditor"],
                              state=Membership.State.REVOKED)
    Membership.objects.create(user=other, tenant=tenants.prov_b, roles=["l1_operator"])
    return {"dormant": dormant, "temporary": temporary, "seen": seen, "revoked": revoked,
            "other": other}


def table_of(page: str) -> str:
    return page.split("<table", 1)[1] if "<table" in page else ""


def test_tenant_page_lists_its_access_and_flags_rows(signed_in, tenants, people) -> None:  # type: ignore[no-untyped-def]
    client, _auditor = signed_in("auditor", tenants.prov_a)
    response = client.get("/acces/revizuire/")
    assert response.status_code == 200
    table = table_of(response.content.decode())
    for text in ("Adormit", "Temporar", "Văzută", idnp_masked(valid_idnp(1)), "Gica Acordă",
                 "Operator nivel 1", "fără autentificare de 90 de zile",
                 "accesul temporar se încheie curând", "acum 1 zi"):
        assert text in table, text
    assert valid_idnp(1) not in table
    assert "Revocat" not in table  # only existing access by default
    assert "DinB" not in table  # tenant A never sees B
    assert table.count('class="needs-attention"') == 2
    attention = table_of(client.get("/acces/revizuire/?stare=atentie").content.decode())
    assert "Adormit" in attention and "Temporar" in attention and "Văzută" not in attention
    everything = table_of(client.get("/acces/revizuire/?stare=toate").content.decode())
    assert "Radu Revocat" in everything and "DinB" not in everything
    # The public host's tenant filter does not exist here: a tenant cannot widen its view.
    widened = table_of(client.get(f"/acces/revizuire/?spatiu={tenants.prov_b.pk}")
                       .content.decode())
    assert "DinB" not in widened and "Adormit" in widened


def test_tenant_csv_is_utf8_with_bom_romanian_and_audited(signed_in, tenants, people) -> None:  # type: ignore[no-untyped-def]
    client, auditor = signed_in("tenant_admin", tenants.prov_a)
    response = client.get("/acces/revizuire/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="revizuirea-accesului-')
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:5] == ["Persoana", "E-mail", "IDNP (mascat)", "Spațiu", "Roluri"]
    body = {row[0]: row for row in rows[1:]}
    # The signed-in admin is a member too; B's member and the revoked one are not there.
    assert set(body) == {"Dan Adormit", "Tudor Temporar", "Sanda Văzută",
                         auditor.get_full_name()}
    dormant = body["Dan Adormit"]
    assert dormant[2] == idnp_masked(valid_idnp(1)) and dormant[3] == "Prestatorul A de test"
    assert dormant[4] == "Operator nivel 1" and dormant[5] == "toate"
    assert dormant[9] == "Gica Acordă" and dormant[10] == "" and "90" in dormant[12]
    seen = body["Sanda Văzută"]
    local = timezone.localtime(SignInSession.objects.get(user=people["seen"]).started_at)
    assert str(local.tzinfo) == "Europe/Chisinau"
    assert seen[10] == local.strftime("%Y-%m-%d %H:%M") and seen[11] == "1" and seen[12] == ""
    assert "se încheie" in body["Tudor Temporar"][12]
    event = AuditEvent.objects.get(action="access.review.export")
    assert event.actor == auditor and event.tenant == tenants.prov_a
    assert event.details["rows"] == 4


def test_public_host_sees_every_tenant_and_platform_roles(signed_in, tenants, people) -> None:  # type: ignore[no-untyped-def]
    client, _admin = signed_in("age_admin")
    UserFactory(first_name="Pavel", last_name="Platformă", platform_roles=["asp_monitor"])
    page = client.get("/acces/revizuire/").content.decode()
    for text in ("Adormit", "DinB", "Pavel Platformă", "Monitor ASP", "Prestatorul B de test"):
        assert text in page, text
    only_b = table_of(client.get(f"/acces/revizuire/?spatiu={tenants.prov_b.pk}")
                      .content.decode())
    assert "DinB" in only_b and "Adormit" not in only_b and "Pavel" not in only_b
    only_platform = client.get("/acces/revizuire/?spatiu=platforma").content.decode()
    assert "Pavel Platformă" in only_platform and "Adormit" not in only_platform
    raw = b"".join(client.get("/acces/revizuire/export.csv").streaming_content).decode()
    assert "Pavel Platformă" in raw and "DinB" in raw and "Platformă (AGE)" in raw
    assert AuditEvent.objects.get(action="access.review.export").tenant is None


def test_hub_rows_name_the_institutions_of_a_limited_member(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    x = InstitutionFactory(name="Agenția X")
    HubMembership.objects.create(hub=tenants.hub, institution=x)
    HubMembership.objects.create(hub=tenants.hub, institution=InstitutionFactory(name="Agenția Y"))
    operator = UserFactory(last_name="Limitat")
    membership_grant(actor=admin, tenant=tenants.hub, user=operator, roles=["l1_operator"],
                     institution_ids=[x.pk])
    table = table_of(client.get(f"/acces/revizuire/?spatiu={tenants.hub.pk}").content.decode())
    assert "Agenția X" in table and "Agenția Y" not in table
    api = client.get(f"/api/v1/access-review/?tenant={tenants.hub.slug}").json()
    assert [row["institutions"] for row in api["results"]] == [["Agenția X"]]


def test_review_needs_access_review(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, operator = signed_in("l1_operator", tenants.prov_a)
    for url in ("/acces/revizuire/", "/acces/revizuire/export.csv"):
        assert client.get(url).status_code == 403
    assert client.get("/api/v1/access-review/").status_code == 403
    assert not AuditEvent.objects.filter(action="access.review.export").exists()
    assert AuditEvent.objects.filter(action="access.denied", actor_id=operator.pk).count() == 3
    public, _monitor = signed_in("asp_monitor")
    assert public.get("/acces/revizuire/").status_code == 403


def test_api_is_scoped_paginated_and_cheap(signed_in, tenants, people, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, _admin = signed_in("tenant_admin", tenants.prov_a)
    for _ in range(10):
        Membership.objects.create(user=UserFactory(), tenant=tenants.prov_a, roles=["l1_operator"])
    # search_path, host, session, user, membership (capabilities), one page.
    with assert_max_queries(7):
        first = client.get("/api/v1/access-review/?page_size=5")
    body = first.json()
    assert first.status_code == 200 and len(body["results"]) == 5 and body["next"]
    seen: list[int] = [row["membership_id"] for row in body["results"]]
    url = body["next"]
    while url:
        page = client.get(url).json()
        seen += [row["membership_id"] for row in page["results"]]
        url = page["next"]
    expected = set(Membership.objects.filter(tenant=tenants.prov_a,
                                             state=Membership.State.ACTIVE)
                   .values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) and set(seen) == expected
    # Asking for B on A's host changes nothing.
    other = client.get(f"/api/v1/access-review/?tenant={tenants.prov_b.slug}&page_size=200")
    assert people["other"].pk not in {row["user_id"] for row in other.json()["results"]}
    dormant = next(row for row in client.get("/api/v1/access-review/?state=atentie").json()
                   ["results"] if row["user_id"] == people["dormant"].pk)
    assert dormant["inactive"] is True and dormant["last_sign_in"] is None
    assert dormant["idnp_masked"] == idnp_masked(valid_idnp(1))


def test_page_query_count_does_not_grow_with_rows(signed_in, tenants, assert_max_queries) -> None:  # type: ignore[no-untyped-def]
    client, admin = signed_in("age_admin")
    for number in range(40):
        user = UserFactory()
        Membership.objects.create(user=user, tenant=[tenants.prov_a, tenants.prov_b][number % 2],
                                  roles=["l1_operator"], granted_by=admin)
    # search_path, host, session, user, tenants (filter), count, one page, platform people.
    with assert_max_queries(10):
        response = client.get("/acces/revizuire/")
    assert response.status_code == 200
    assert User.objects.filter(memberships__isnull=False).count() >= 40
