"""The victims hold one object of every kind of tenant data, so every route has something of
theirs to be asked for; a new kind of tenant data fails here until it is seeded."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django_tenants.utils import schema_context

from tests.isolation.world import World, tenant_foreign_keys

# Kinds that need no victim row, and why.
NOT_SEEDED: dict[str, str] = {
    "contenttypes.ContentType": "made by migrations in every schema",
    "auth.Permission": "made by migrations in every schema",
}


def test_every_kind_of_tenant_data_is_seeded(world: World, db: None) -> None:
    victims = [world.prov_b, world.hub]
    # Every app with tables in a tenant schema (contenttypes, auth and guardian too).
    in_tenant_schemas = [config for config in apps.get_app_configs()
                         if config.name in settings.TENANT_APPS]
    missing = []
    with schema_context(world.prov_b.schema_name):
        for config in in_tenant_schemas:
            for model in config.get_models():
                label = model._meta.label
                if label in NOT_SEEDED or model._meta.auto_created:
                    continue
                if not model.objects.exists():
                    missing.append(f"{label} (in prov-b's schema)")
    for model, name in tenant_foreign_keys():
        if not model.objects.filter(**{f"{name}__in": victims}).exists():
            missing.append(f"{model._meta.label}.{name} (public rows of prov-b or the hub)")
    assert not missing, (
        f"no victim object of kind(s) {missing}: seed one in tests/isolation/world.py (with "
        "the marker in a text field) and add its identifiers to the candidates")
