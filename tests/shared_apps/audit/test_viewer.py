"""The audit viewer pages: scoping, filters, the event page, roles and query counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from sgsc.shared_apps.audit.models import PLATFORM_CHAIN, AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from tests.factories import UserFactory


def _page(client: Client, url: str) -> str:
    """The page's table of events (the rest of the page repeats the query string)."""
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    start, end = html.find("<tbody>"), html.find("</tbody>")
    return html[start:end] if start != -1 else ""


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def test_tenant_auditor_sees_only_own_chain_whatever_the_query(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="viewer.mine", tenant=tenants.prov_a)
    audit_record(action="viewer.theirs", tenant=tenants.prov_b)
    audit_record(action="viewer.platform", tenant=None)
    client, _user = signed_in("auditor", tenants.prov_a)
    for query in ("", "?tenant=prov-b", f"?tenant={PLATFORM_CHAIN}", "?action=viewer.",
                  "?tenant=prov-b&action=viewer.theirs"):
        page = _page(client, f"/audit/{query}")
        assert "viewer.theirs" not in page and "viewer.platform" not in page
    assert "viewer.mine" in _page(client, "/audit/?tenant=prov-b&action=viewer.")
    # No tenant choice on a tenant host.
    assert 'name="tenant"' not in _html(client, "/audit/")


def test_public_host_filters_by_tenant_or_platform_chain(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="viewer.in_a", tenant=tenants.prov_a)
    audit_record(action="viewer.in_b", tenant=tenants.prov_b)
    audit_record(action="viewer.on_platform", tenant=None)
    client, _user = signed_in("age_admin")
    page = _page(client, "/audit/?action=viewer.")
    assert all(action in page for action in ("viewer.in_a", "viewer.in_b", "viewer.on_platform"))
    form = _html(client, "/audit/")
    assert '<option value="prov-b">' in form and f'<option value="{PLATFORM_CHAIN}">' in form
    page = _page(client, "/audit/?action=viewer.&tenant=prov-b")
    assert "viewer.in_b" in page and "viewer.in_a" not in page
    assert "viewer.on_platform" not in page
    page = _page(client, f"/audit/?action=viewer.&tenant={PLATFORM_CHAIN}")
    assert "viewer.on_platform" in page and "viewer.in_b" not in page


def test_filters_by_actor_text_and_id(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    ion = UserFactory(first_name="Ion", last_name="Ciobanu", email="ion.c@test.gov.md",
                      idnp="2002000000015")
    ana = UserFactory(first_name="Ana", last_name="Rusu", email="ana.r@test.gov.md")
    audit_record(action="viewer.by_ion", actor=ion, tenant=tenants.prov_a)
    audit_record(action="viewer.by_ana", actor=ana, tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    for term in ("ion.c@", "Ion Ciobanu", "ciobanu", "2002000000015"):
        page = _page(client, f"/audit/?action=viewer.&actor={term}")
        assert "viewer.by_ion" in page and "viewer.by_ana" not in page, term
    page = _page(client, f"/audit/?action=viewer.&actor_id={ana.pk}")
    assert "viewer.by_ana" in page and "viewer.by_ion" not in page


def test_filters_by_family_action_outcome_and_object(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    audit_record(action="contract.viewer_sign", object_type="contract", object_id="C-7",
                 tenant=tenants.prov_a)
    audit_record(action="auth.viewer_login", outcome=AuditEvent.Outcome.FAILURE,
                 object_type="user", object_id="7", tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    page = _page(client, "/audit/?family=contract")
    assert "contract.viewer_sign" in page and "auth.viewer_login" not in page
    page = _page(client, "/audit/?action=auth.viewer")
    assert "auth.viewer_login" in page and "contract.viewer_sign" not in page
    page = _page(client, "/audit/?outcome=failure&action=auth.viewer")
    assert "auth.viewer_login" in page
    assert "auth.viewer_login" not in _page(client, "/audit/?outcome=success&action=auth.viewer")
    page = _page(client, "/audit/?object_type=contract&object_id=C-7")
    assert "contract.viewer_sign" in page and "auth.viewer_login" not in page
    assert "contract.viewer_sign" not in _page(client, "/audit/?object_type=contract&object_id=C-8")


def test_time_range_is_read_in_chisinau_time(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    # 09:30 UTC is 12:30 in Chisinau (summer time, UTC+3).
    with time_machine.travel(datetime(2026, 5, 5, 9, 30, tzinfo=UTC), tick=False):
        audit_record(action="viewer.timed", tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    assert "viewer.timed" in _page(client, "/audit/?since=2026-05-05T12:00&until=2026-05-05T12:45")
    assert "viewer.timed" not in _page(client, "/audit/?since=2026-05-05T12:31")
    assert "viewer.timed" not in _page(client, "/audit/?until=2026-05-05T12:29")
    # A date alone: from the start of that day, up to the end of that day.
    assert "viewer.timed" in _page(client, "/audit/?since=2026-05-05&until=2026-05-05")
    assert "viewer.timed" not in _page(client, "/audit/?until=2026-05-04")
    # The page shows the Chisinau time.
    assert "05.05.2026 12:30:00" in _page(client, "/audit/?action=viewer.timed")


@pytest.mark.parametrize(("query", "message"), [
    ("since=nu-e-o-data", "Introduceți o dată și o oră valide"),
    ("actor_id=abc", "Introduceți un număr întreg."),
    ("actor_id=0", "Introduceți un număr mai mare decât zero."),
    ("outcome=poate", "Alegeți o valoare din listă."),
    ("family=necunoscut", "Alegeți o valoare din listă."),
    # 02:30 does not exist in Chisinau on the morning summer time starts.
    ("since=2026-03-29T02:30", "Această oră nu există sau este ambiguă"),
    ("since=2026-05-06&until=2026-05-05", "Începutul intervalului este după sfârșitul lui."),
    ("action=" + "a" * 101, "cel mult 100 de caractere"),
    # Refused before the form, by the middleware, for every page and API alike.
    ("action=auth%00", "Cererea conține caractere nepermise."),
    ("since=2026-02-30", "Introduceți o dată și o oră valide"),
])
def test_invalid_filters_show_romanian_errors(signed_in, tenants, query: str,  # type: ignore[no-untyped-def]
                                              message: str) -> None:
    client, _user = signed_in("auditor", tenants.prov_a)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "<table" not in page


def test_list_shows_details_expandable_and_links_to_event(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    event = audit_record(action="viewer.detailed", tenant=tenants.prov_a,
                         details={"motiv": "încălcare ț"})
    client, _user = signed_in("auditor", tenants.prov_a)
    page = _html(client, "/audit/?action=viewer.detailed")
    assert "<details>" in page and "încălcare ț" in page
    assert f'href="/audit/{event.pk}/"' in page
    assert 'href="/audit/export.csv?action=viewer.detailed"' in page
    assert "Total evenimente: 1. Un export cuprinde cel mult 100.000 de rânduri." in page


def test_event_page_shows_hashes_and_chain_position(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    first = audit_record(action="viewer.first", tenant=tenants.prov_a)
    second = audit_record(action="viewer.second", tenant=tenants.prov_a,
                          details={"cheie": "valoare"})
    third = audit_record(action="viewer.third", tenant=tenants.prov_a)
    client, _user = signed_in("auditor", tenants.prov_a)
    page = _html(client, f"/audit/{second.pk}/")
    assert second.hash in page and second.previous_hash == first.hash and first.hash in page
    assert f"{second.sequence} din " in page
    assert f'href="/audit/{first.pk}/"' in page and f'href="/audit/{third.pk}/"' in page
    assert "coincide" in page and "nu coincide" not in page
    assert "valoare" in page and tenants.prov_a.schema_name in page


def test_other_tenants_event_page_is_404(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    theirs = audit_record(action="viewer.theirs", tenant=tenants.prov_b)
    platform = audit_record(action="viewer.platform", tenant=None)
    client, _user = signed_in("auditor", tenants.prov_a)
    for event in (theirs, platform):
        response = client.get(f"/audit/{event.pk}/")
        assert response.status_code == 404
        assert event.hash not in response.content.decode()
    assert client.get("/audit/999999999/").status_code == 404
    admin, _admin = signed_in("age_admin")
    assert theirs.hash in _html(admin, f"/audit/{theirs.pk}/")


@pytest.mark.parametrize("url", ["/audit/", "/audit/1/", "/audit/export.csv"])
def test_operator_is_refused_and_the_refusal_audited(signed_in, tenants, url: str) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("l1_operator", tenants.prov_a)
    exports_before = AuditEvent.objects.filter(action="audit.export").count()
    assert client.get(url).status_code == 403
    denial = AuditEvent.objects.filter(action="access.denied", actor=user).latest("id")
    assert denial.outcome == AuditEvent.Outcome.FAILURE
    assert denial.object_id == url and denial.tenant == tenants.prov_a
    assert AuditEvent.objects.filter(action="audit.export").count() == exports_before


def test_anonymous_is_sent_to_sign_in(db: None, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    response = client_for(tenants.prov_a).get("/audit/export.csv")
    assert response.status_code == 302 and response["Location"].startswith("/autentificare/")


def _record_many(count: int, tenant: object) -> None:
    actors = UserFactory.create_batch(3)
    for index in range(count):
        audit_record(action=f"viewer.bulk.{index}", actor=actors[index % 3], tenant=tenant,
                     details={"n": index})


@pytest.mark.parametrize("host", ["tenant", "public"])
def test_list_query_count_does_not_grow_with_rows(signed_in, tenants, assert_max_queries,  # type: ignore[no-untyped-def]
                                                  host: str) -> None:
    tenant = tenants.prov_a if host == "tenant" else None
    client, _user = signed_in("auditor" if tenant else "age_admin", tenant)
    url = "/audit/?action=viewer.bulk&actor=persoana&since=2020-01-01"
    _record_many(3, tenants.prov_a)
    client.get(url)  # the session and the sign-in are settled on the first request
    with assert_max_queries(10) as few:
        assert _page(client, url).count("<details>") == 3
    _record_many(40, tenants.prov_a)
    with assert_max_queries(len(few.captured_queries)):
        assert _page(client, url).count("<details>") == 43
