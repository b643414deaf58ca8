from __future__ import annotations

from sgsc.shared_apps.audit.models import AuditEvent

PASSWORD = "Parola-de-test-2026"


def test_repeated_failures_lock_the_account_on_this_address(user_with_role, client_for,  # type: ignore[no-untyped-def]
                                                            tenants) -> None:
    user = user_with_role("l1_operator", tenants.prov_a)
    client = client_for(tenants.prov_a)
    for _attempt in range(5):
        answer = client.post("/autentificare/", {"username": user.email, "password": "gresit"})
    # The fifth failure locks; now even the right password is refused.
    assert answer.status_code == 429
    locked = client.post("/autentificare/", {"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert 'data-code="account_locked"' in page and "blocat temporar" in page
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.filter(action="auth.login", actor_label=user.email).latest("id")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert event.details == {"method": "password", "reason": "account_locked"}
    # Another address is not locked out.
    other = client_for(tenants.prov_a)
    assert other.post("/autentificare/", {"username": user.email, "password": PASSWORD},
                      REMOTE_ADDR="10.0.0.9").status_code == 302


def test_success_resets_the_failure_count(user_with_role, client_for, tenants) -> None:  # type: ignore[no-untyped-def]
    user = user_with_role("l1_operator", tenants.prov_a)
    client = client_for(tenants.prov_a)
    for _attempt in range(4):
        client.post("/autentificare/", {"username": user.email, "password": "gresit"})
    assert client.post("/autentificare/", {"username": user.email,
                                           "password": PASSWORD}).status_code == 302
    client.post("/iesire/")
    for _attempt in range(4):
        client.post("/autentificare/", {"username": user.email, "password": "gresit"})
    assert client.post("/autentificare/", {"username": user.email,
                                           "password": PASSWORD}).status_code == 302
