"""Typed access to the schema the database connection is in (django-tenants sets it)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def current_schema_name() -> str:
    return str(getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME))


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
