"""From audit events to MLog events; encoding under the size limits; batching."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sgsc.integrations.doubles.mlog_server import EVENT_TIME, parse_events
from sgsc.integrations.mlog.events import (
    STRING_MAX_BYTES,
    batch_body,
    batch_size,
    batches_split,
    event_encode,
    event_time,
    event_type_for,
    mlog_event_for,
)
from sgsc.shared_apps.audit.models import AuditEvent
from sgsc.shared_apps.audit.services import audit_record
from sgsc.tenants.models import Tenant
from tests.factories import InstitutionFactory, UserFactory
from tests.integrations.mlog.conftest import PLATFORM_IDNO, valid_code

pytestmark = pytest.mark.django_db


def _with_institution(tenant: Tenant, idno: str) -> Tenant:
    tenant.institution = InstitutionFactory(idno=idno)
    tenant.save(update_fields=["institution"])
    return tenant


def test_sign_in_is_user_login_with_the_idnp_and_the_institutions_idno(tenants) -> None:  # type: ignore[no-untyped-def]
    tenant = _with_institution(tenants.prov_a, valid_code("1", 4242))
    user = UserFactory(idnp=valid_code("2", 77))
    event = audit_record(action="auth.login", actor=user, tenant=tenant, ip="10.1.2.3",
                         request_id="req-1", details={"method": "mpass"})

    assert mlog_event_for(event, platform_idno=PLATFORM_IDNO) == {
        "event_time": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{event.occurred_at.microsecond // 1000:03d}Z",
        "event_type": "SGSC.User.Login",
        "event_id": f"{tenant.schema_name}:{event.sequence}",
        "event_correlation": "req-1",
        "event_level": "info",
        "event_source": f"SGSC:{tenant.schema_name}",
        "event_message": "auth.login success",
        "event_details": '{"method":"mpass"}',
        "legal_entity": tenant.institution.idno,
        "user": user.idnp,
        "user_label": user.email,
        "user_address": "10.1.2.3",
        "outcome": "success",
        "hash": event.hash,
    }


def test_failed_sign_in_on_the_platform_names_the_platform_and_the_typed_login() -> None:
    event = audit_record(action="auth.login", outcome=AuditEvent.Outcome.FAILURE,
                         actor_label="cineva@test.gov.md", tenant=None)
    fields = mlog_event_for(event, platform_idno=PLATFORM_IDNO)
    assert fields["event_type"] == "SGSC.User.LoginFailed"
    assert fields["event_level"] == "warning"
    assert fields["legal_entity"] == PLATFORM_IDNO
    assert fields["event_id"] == f"platform:{event.sequence}"
    assert fields["user_label"] == "cineva@test.gov.md"
    assert "user" not in fields  # no one signed in: no IDNP
    assert EVENT_TIME.match(fields["event_time"])


@pytest.mark.parametrize(("action", "outcome", "expected"), [
    ("auth.logout", "success", "SGSC.User.Logout"),
    ("access.denied", "failure", "SGSC.Access.Denied"),
    ("personal_data.view", "success", "SGSC.PersonalData.Access"),
    ("membership.grant", "success", "SGSC.Membership.Grant"),
    ("membership.grant", "failure", "SGSC.Membership.GrantFailed"),
    ("membership.roles_changed", "success", "SGSC.Membership.RolesChanged"),
    ("tenant.status.change", "success", "SGSC.Tenant.StatusChange"),
    ("connection_request.approve", "success", "SGSC.ConnectionRequest.Approve"),
])
def test_event_types(action: str, outcome: str, expected: str) -> None:
    assert event_type_for(action, outcome) == expected


def test_a_personal_data_view_carries_what_mlog_requires_for_it(tenants) -> None:  # type: ignore[no-untyped-def]
    viewer = UserFactory(idnp=valid_code("2", 78))
    subject = valid_code("2", 79)
    event = audit_record(
        action="personal_data.view", actor=viewer, tenant=tenants.prov_b, ip="10.0.0.9",
        object_type="identity.user", object_id=12,
        details={"subject": subject, "subject_name": "Ion Popescu",
                 "legal_basis": "Legea 133/2011", "legal_reason": "tichet 42"})
    fields = mlog_event_for(event, platform_idno=PLATFORM_IDNO)
    assert fields["event_type"] == "SGSC.PersonalData.Access"
    assert {key: fields[key] for key in ("user", "user_address", "subject", "subject_type",
                                         "subject_name", "legal_basis", "legal_reason",
                                         "object", "object_type")} == {
        "user": viewer.idnp, "user_address": "10.0.0.9", "subject": subject,
        "subject_type": "Person", "subject_name": "Ion Popescu",
        "legal_basis": "Legea 133/2011", "legal_reason": "tichet 42", "object": "12",
        "object_type": "identity.user"}
    # Without an institution the tenant acts under the platform operator's IDNO.
    assert fields["legal_entity"] == PLATFORM_IDNO


BASE_FIELDS: dict[str, Any] = {
    "event_time": "2026-03-01T10:00:00.000Z", "event_type": "SGSC.Tenant.Export",
    "event_id": "t_prov_a:1", "legal_entity": PLATFORM_IDNO, "hash": "ab" * 32,
}


def test_too_long_details_are_cut_and_the_event_says_so() -> None:
    details = json.dumps({"note": 'ș"ț\\' * 30_000}, ensure_ascii=False)
    data = event_encode({**BASE_FIELDS, "event_details": details}, max_bytes=256_000)
    [event] = parse_events(data)  # what MLog (the double) accepts
    assert len(event["event_details"].encode()) <= STRING_MAX_BYTES
    assert details.startswith(event["event_details"])
    assert event["details_truncated"] == "true"
    assert event["details_bytes"] == str(len(details.encode()))


def test_an_event_that_fits_is_left_alone() -> None:
    fields = {**BASE_FIELDS, "event_details": '{"a":1}'}
    assert json.loads(event_encode(fields, max_bytes=256_000)) == fields


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=20_000), max_bytes=st.integers(min_value=8192, max_value=40_000))
def test_every_event_fits_the_limit(text: str, max_bytes: int) -> None:
    data = event_encode({**BASE_FIELDS, "event_details": text}, max_bytes=max_bytes)
    assert len(data) <= max_bytes
    [event] = parse_events(data)
    assert text.startswith(event.get("event_details", ""))
    assert ("details_truncated" in event) == (event.get("event_details", "") != text)


@settings(max_examples=300, deadline=None)
@given(sizes=st.lists(st.integers(min_value=1, max_value=3000), max_size=80),
       max_bytes=st.integers(min_value=1, max_value=6000))
def test_batches_keep_order_lose_nothing_and_stay_under_the_limit(sizes: list[int],
                                                                   max_bytes: int) -> None:
    items = list(enumerate(sizes))
    batches = list(batches_split(items, size=lambda item: item[1], max_bytes=max_bytes))
    assert [item for batch in batches for item in batch] == items
    for batch in batches:
        assert batch
        body = batch_size(size for _index, size in batch)
        assert body <= max_bytes or len(batch) == 1  # only an oversized event goes alone
    # Greedy: a batch is closed only when the next event would not fit.
    for batch, following in itertools.pairwise(batches):
        assert batch_size([*(size for _i, size in batch), following[0][1]]) > max_bytes


def test_batch_size_is_the_size_of_the_body() -> None:
    encoded = [b'{"a":1}', b'{"b":"\xc8\x99"}', b"{}"]
    assert batch_size(len(data) for data in encoded) == len(batch_body(encoded))
    assert batch_body(encoded).split(b"\n") == encoded


def test_event_time_is_utc_milliseconds() -> None:
    event = AuditEvent(occurred_at=datetime(2026, 3, 1, 12, 30, 5, 123_999,
                                            tzinfo=UTC).astimezone())
    assert event_time(event) == "2026-03-01T12:30:05.123Z"
