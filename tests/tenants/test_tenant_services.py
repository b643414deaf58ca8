from __future__ import annotations

import pytest
from django.db import connection

from sgsc.platform.errors import Conflict, InvalidInput
from sgsc.tenants.models import Tenant, schema_name_for_slug
from sgsc.tenants.selectors import tenant_list_active, tenant_list_real
from sgsc.tenants.services import tenant_create


def _tables(schema: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY 1, 2", [schema])
        return list(cursor.fetchall())


def test_cloned_tenant_has_exactly_the_template_schema(tenants) -> None:  # type: ignore[no-untyped-def]
    template = _tables("tenant_template")
    assert template, "the template schema must have tables"
    assert _tables(tenants.prov_a.schema_name) == template
    assert _tables(tenants.hub.schema_name) == template


def test_template_is_never_in_tenant_lists(tenants) -> None:  # type: ignore[no-untyped-def]
    assert not tenant_list_real().filter(is_template=True).exists()
    assert not tenant_list_active().filter(kind=Tenant.Kind.PLATFORM).exists()


@pytest.mark.parametrize(("slug", "code"), [
    ("A", "invalid_slug"), ("ab", "invalid_slug"), ("-abc", "invalid_slug"),
    ("abc-", "invalid_slug"), ("a--b", "invalid_slug"), ("www", "reserved_slug"),
    ("drop table", "invalid_slug"),
])
def test_bad_slugs_are_refused(db: None, slug: str, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        tenant_create(slug=slug, name="X", kind="provider")
    assert error.value.code == code


def test_taken_slug_and_bad_kind_are_refused(tenants) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict):
        tenant_create(slug="prov-a", name="Dublură", kind="provider")
    with pytest.raises(InvalidInput) as error:
        tenant_create(slug="nou-tip", name="X", kind="platform")
    assert error.value.code == "invalid_kind"


def test_schema_name_is_derived_from_slug() -> None:
    assert schema_name_for_slug("hub-nord-2") == "t_hub_nord_2"
