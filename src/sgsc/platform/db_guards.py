"""SQL that makes PostgreSQL itself guard a table, for migrations to run with ``RunSQL``."""

from __future__ import annotations

_FUNCTION_SUFFIX = "_refuse_change"


def append_only_sql(*, table: str, function: str) -> tuple[str, str]:
    """The (forward, backward) SQL that refuses UPDATE, DELETE and TRUNCATE on ``table``.

    ``function`` names the trigger function and ends in ``_refuse_change``; the two triggers
    take its stem (``<stem>_no_update_delete``, ``<stem>_no_truncate``). The names are in
    databases already, so they must not change for an existing table.
    """
    if not function.endswith(_FUNCTION_SUFFIX):
        raise ValueError(f"{function!r} does not end in {_FUNCTION_SUFFIX!r}")
    stem = function.removesuffix(_FUNCTION_SUFFIX)
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {stem}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();

CREATE TRIGGER {stem}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    backward = f"""
DROP TRIGGER IF EXISTS {stem}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {stem}_no_update_delete ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, backward
