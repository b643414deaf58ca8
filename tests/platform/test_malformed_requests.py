"""A NUL character in the path or the query string is refused with a stable code (found by
fuzzing the API with schemathesis: it reached PostgreSQL and became a 500)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", [
    "/api/v1/institutions/?q=ab%00c",
    "/api/v1/institutions/?%00=1",
    "/api/v1/tariff-schedules/a%00b/versions/",
])
def test_api_refuses_a_nul_character(url: str, signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _admin = signed_in("age_admin")
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_tenant_api_and_pages_refuse_a_nul_character(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _admin = signed_in("tenant_admin", tenants.prov_a)
    response = client.get("/api/v1/members/?q=%00", HTTP_ACCEPT="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_request")
    public, _age = signed_in("age_admin")
    page = public.get("/institutii/?q=%00")
    assert page.status_code == 400
    assert "Cererea conține caractere nepermise." in page.content.decode()


def test_an_ordinary_search_still_answers(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _admin = signed_in("age_admin")
    assert client.get("/api/v1/institutions/?q=casa").status_code == 200
