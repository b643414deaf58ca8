"""Changing or revoking a membership locks the membership row only, never its tenant's row.

Found by fuzzing the API (schemathesis): a FOR UPDATE on the joined tenant row blocked the
foreign-key check (FOR KEY SHARE) of a concurrent audit event of that tenant, which held the
audit chain head the first one waited for: a deadlock, answered with a 500."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from sgsc.shared_apps.identity.models import Membership, User
from sgsc.shared_apps.identity.services import (
    membership_grant,
    membership_revoke,
    membership_update,
)
from sgsc.tenants.models import Tenant
from tests.conftest import database_url_for_subprocesses
from tests.factories import UserFactory


def _tenant_row_free_for_audit(tenant: Tenant) -> bool:
    """Whether another connection may take the key-share lock an audit event's FK check takes
    (the test's transaction still holds every lock the service took)."""
    with psycopg.connect(database_url_for_subprocesses(), autocommit=True) as other:
        try:
            other.execute("SELECT 1 FROM public.tenants_tenant WHERE id = %s "
                          "FOR KEY SHARE NOWAIT", [tenant.pk])
        except psycopg.errors.LockNotAvailable:
            return False
    return True


@pytest.mark.parametrize("change", [
    lambda admin, membership: membership_update(actor=admin, membership=membership,
                                                roles=["supervisor"]),
    lambda admin, membership: membership_revoke(actor=admin, membership=membership,
                                                reason="employment_changed", note=""),
], ids=["update", "revoke"])
def test_membership_change_leaves_the_tenant_row_unlocked(
        change: Callable[[User, Membership], Membership], user_with_role, tenants) -> None:  # type: ignore[no-untyped-def]
    admin = user_with_role("tenant_admin", tenants.prov_a)
    person = UserFactory()
    membership = membership_grant(actor=admin, tenant=tenants.prov_a, user=person,
                                  roles=["l1_operator"])
    assert _tenant_row_free_for_audit(tenants.prov_a)
    change(admin, membership)
    assert _tenant_row_free_for_audit(tenants.prov_a)
