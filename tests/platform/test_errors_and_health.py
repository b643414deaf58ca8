from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIRequestFactory

from sgsc.platform.api.exceptions import exception_handler
from sgsc.platform.errors import Conflict, InvalidInput


def test_application_error_becomes_json_with_stable_code() -> None:
    error = InvalidInput("Valoare greșită.", code="invalid_idno", fields={"idno": ["Greșit."]})
    response = exception_handler(error, {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"error": {"code": "invalid_idno", "message": "Valoare greșită.",
                                       "fields": {"idno": ["Greșit."]}}}
    conflict = exception_handler(Conflict("Nu se poate."), {})
    assert conflict is not None
    assert conflict.status_code == 409
    assert conflict.data["error"]["code"] == "conflict"


def test_unexpected_exception_is_left_to_django() -> None:
    assert exception_handler(RuntimeError("bug"), {}) is None


def test_api_without_login_is_401_json(db: None, public_client: Client) -> None:
    response = public_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_malformed_json_is_400(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, _ = signed_in("tenant_admin", tenants.prov_a)
    response = client.generic("PATCH", "/api/v1/workspace/", "{not json",
                              content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_unknown_api_path_is_json_404(db: None, public_client: Client) -> None:
    response = public_client.get("/api/v1/nu-exista/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_page_is_romanian_404(db: None, public_client: Client) -> None:
    response = public_client.get("/nu-exista/")
    assert response.status_code == 404
    assert "Pagina căutată nu există." in response.content.decode()


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_server_error_page_is_romanian(db: None) -> None:
    from sgsc.platform.views import server_error

    request = APIRequestFactory().get("/", HTTP_HOST="sgsc.test")
    response = server_error(request)
    assert response.status_code == 500
    assert "eroare internă" in response.content.decode()


def test_healthz_answers_on_any_host(db: None) -> None:
    for host in ("sgsc.test", "prov-a.sgsc.test", "10.0.0.7", "necunoscut.sgsc.test"):
        response = Client(HTTP_HOST=host).get("/healthz")
        assert response.status_code == 200, host
        assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(db: None, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    for client in (client_for(None), client_for(tenants.hub)):
        body = client.get("/readyz").json()
        assert body["status"] == "ok"
        assert {name: check["status"] for name, check in body["checks"].items()} == {
            "database": "ok", "redis": "ok", "migrations": "ok"}


def test_readyz_reports_a_dead_redis(db: None, public_client: Client) -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = public_client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["status"].startswith("error")
    assert body["checks"]["database"]["status"] == "ok"


def test_request_id_is_returned_and_kept_from_proxy(db: None, public_client: Client) -> None:
    generated = public_client.get("/autentificare/")
    assert len(generated["X-Request-ID"]) == 32
    kept = public_client.get("/autentificare/", HTTP_X_REQUEST_ID="abc123")
    assert kept["X-Request-ID"] == "abc123"
    unsafe = public_client.get("/autentificare/", HTTP_X_REQUEST_ID="a b\n<script>")
    assert unsafe["X-Request-ID"] != "a b\n<script>"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN"])
def test_prod_settings_refuse_to_start_without_required_variables(missing: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "BASE_DOMAIN": "sgsc.gov.md",
           "DATABASE_URL": "postgres://u@127.0.0.1:5432/db", "REDIS_URL": "redis://127.0.0.1/0",
           "MPASS_IDP_METADATA": "/etc/sgsc/mpass-idp.xml", "MPASS_SP_KEY_FILE": "/etc/sgsc/sp.key",
           "MPASS_SP_CERT_FILE": "/etc/sgsc/sp.crt"}
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import sgsc.platform.settings.prod"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert f"missing environment variables: {missing}" in result.stderr


def test_prod_settings_are_secure() -> None:
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "BASE_DOMAIN": "sgsc.gov.md",
           "DATABASE_URL": "postgres://u@127.0.0.1:5432/db", "REDIS_URL": "redis://127.0.0.1/0",
           "MPASS_IDP_METADATA": "/etc/sgsc/mpass-idp.xml", "MPASS_SP_KEY_FILE": "/etc/sgsc/sp.key",
           "MPASS_SP_CERT_FILE": "/etc/sgsc/sp.crt"}
    code = (
        "import sgsc.platform.settings.prod as s;"
        "assert not s.DEBUG and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE;"
        "assert s.SECURE_HSTS_SECONDS > 0 and \"default-src 'self'\" in s.CONTENT_SECURITY_POLICY;"
        "assert s.LANGUAGE_CODE == 'ro' and s.TIME_ZONE == 'Europe/Chisinau' and s.USE_TZ;"
        "assert not s.DEMO_DATA_ALLOWED and s.DEMO_PASSWORD == ''"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_throttled_requests_get_429_with_stable_code(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    client, _ = signed_in("l1_operator", tenants.prov_a)
    cache.clear()
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/min"}
    try:
        codes = [client.get("/api/v1/me/").status_code for _ in range(3)]
        response = client.get("/api/v1/me/")
    finally:
        UserRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes[:2] == [200, 200]
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
