"""Personal API tokens: the page and the API on every host, valid only where issued."""

from __future__ import annotations

import re

import pytest

from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.identity.models import ApiToken, Membership
from sgsc.shared_apps.identity.services import api_token_issue, membership_revoke

pytestmark = pytest.mark.django_db


def issued_key(page: str) -> str:
    match = re.search(r'id="new-token-key" class="token-key" value="([^"]+)"', page)
    assert match, "the key is not on the page"
    return match.group(1)


def test_page_creates_a_token_shown_once_that_works_in_the_api(  # type: ignore[no-untyped-def]
        signed_in, client_for, tenants) -> None:
    client, user = signed_in("l1_operator", tenants.prov_a)
    assert "Nu aveți niciun token" in client.get("/profil/tokenuri/").content.decode()
    response = client.post("/profil/tokenuri/", {"name": "Integrare CRM", "valid_days": "30"})
    assert response.status_code == 200
    page = response.content.decode()
    key = issued_key(page)
    assert "nu va mai fi afișată" in page and "sgsc/js/copy.js" in page
    token = ApiToken.objects.get(user=user)
    assert token.tenant == tenants.prov_a and token.prefix == key[:8]
    assert token.expires_at is not None and key not in token.key_sha256
    # The next view of the list shows the prefix, never the key.
    listed = client.get("/profil/tokenuri/").content.decode()
    assert "Integrare CRM" in listed and key[:8] in listed and key not in listed

    api = client_for(tenants.prov_a)
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200 and me.json()["id"] == user.pk
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Only on its own host.
    for other in (tenants.prov_b, None):
        refused = client_for(other).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "authentication_failed"


def test_page_refuses_bad_input(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("auditor", tenants.prov_a)
    assert client.post("/profil/tokenuri/", {"name": "", "valid_days": "5"}).status_code == 400
    too_long = client.post("/profil/tokenuri/", {"name": "x", "valid_days": "400"})
    assert too_long.status_code == 400 and "new-token-key" not in too_long.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()


def test_revoke_asks_for_confirmation_then_the_token_stops(  # type: ignore[no-untyped-def]
        signed_in, client_for, tenants) -> None:
    client, user = signed_in("age_admin")  # the public host works the same way
    token, key = api_token_issue(user=user, tenant=None, name="script")
    url = f"/profil/tokenuri/{token.pk}/revocare/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Confirm revocarea" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # looking is not revoking
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="identity.token.revoke",
                                     object_id=str(token.pk)).exists()
    assert client_for(None).get("/api/v1/me/",
                                HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert "Revocat" in client.get("/profil/tokenuri/").content.decode()


def test_someone_elses_token_is_not_found(signed_in, user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _user = signed_in("tenant_admin", tenants.prov_a)
    colleague = user_with_role("l1_operator", tenants.prov_a)
    theirs, _key = api_token_issue(user=colleague, tenant=tenants.prov_a, name="theirs")
    assert client.get(f"/profil/tokenuri/{theirs.pk}/revocare/").status_code == 404
    assert client.post(f"/profil/tokenuri/{theirs.pk}/revocare/").status_code == 404
    assert client.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_api_lists_creates_and_deletes_own_tokens(  # type: ignore[no-untyped-def]
        signed_in, client_for, tenants, assert_max_queries) -> None:
    client, user = signed_in("coordinator", tenants.hub)
    for number in range(5):
        api_token_issue(user=user, tenant=tenants.hub, name=f"t{number}")
    api_token_issue(user=user, tenant=None, name="public host, not listed here")
    # search_path, host, session, user, membership, one page.
    with assert_max_queries(7):
        listed = client.get("/api/v1/tokens/?page_size=3")
    body = listed.json()
    assert listed.status_code == 200 and len(body["results"]) == 3 and body["next"]
    assert set(body["results"][0]) == {"id", "name", "prefix", "created_at", "expires_at",
                                       "last_used_at", "revoked_at", "state"}
    created = client.post("/api/v1/tokens/", {"name": "ETL", "valid_days": 7},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    new = created.json()
    assert new["state"] == "active" and new["key"].startswith(new["prefix"])
    token_client = client_for(tenants.hub)
    auth = {"HTTP_AUTHORIZATION": f"Token {new['key']}"}
    assert token_client.get("/api/v1/tokens/", **auth).status_code == 200
    # A token cannot mint tokens.
    minted = token_client.post("/api/v1/tokens/", {"name": "child"},
                               content_type="application/json", **auth)
    assert minted.status_code == 403 and minted.json()["error"]["code"] == "token_cannot_issue"
    bad = client.post("/api/v1/tokens/", {"name": " "}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "name_required"
    assert client.delete(f"/api/v1/tokens/{new['id']}/").status_code == 204
    assert token_client.get("/api/v1/tokens/", **auth).status_code == 401


def test_token_stops_when_the_membership_is_revoked(  # type: ignore[no-untyped-def]
        user_with_role, client_for, tenants) -> None:
    admin = user_with_role("tenant_admin", tenants.prov_a)
    operator = user_with_role("l1_operator", tenants.prov_a)
    _token, key = api_token_issue(user=operator, tenant=tenants.prov_a, name="bot")
    api = client_for(tenants.prov_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert api.get("/api/v1/tokens/", **auth).status_code == 200
    membership_revoke(actor=admin, membership=Membership.objects.get(user=operator),
                      reason="employment_ended")
    assert api.get("/api/v1/tokens/", **auth).status_code == 401


def test_pages_and_api_need_a_signed_in_person(client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    anonymous = client_for(tenants.prov_a)
    assert anonymous.get("/profil/tokenuri/")["Location"].startswith("/autentificare/")
    assert anonymous.get("/api/v1/tokens/").status_code == 401
