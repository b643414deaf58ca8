"""PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the ticket journal (invariant 2)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tickets_journal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_journalentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_journal_no_update_delete
    BEFORE UPDATE OR DELETE ON tickets_journalentry
    FOR EACH ROW EXECUTE FUNCTION tickets_journal_refuse_change();

CREATE TRIGGER tickets_journal_no_truncate
    BEFORE TRUNCATE ON tickets_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_journal_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS tickets_journal_no_truncate ON tickets_journalentry;
DROP TRIGGER IF EXISTS tickets_journal_no_update_delete ON tickets_journalentry;
DROP FUNCTION IF EXISTS tickets_journal_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
