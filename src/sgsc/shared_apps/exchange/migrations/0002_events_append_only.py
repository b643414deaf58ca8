"""PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the trace of exchanges."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION exchange_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'exchange_exchangeevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER exchange_event_no_update_delete
    BEFORE UPDATE OR DELETE ON exchange_exchangeevent
    FOR EACH ROW EXECUTE FUNCTION exchange_event_refuse_change();

CREATE TRIGGER exchange_event_no_truncate
    BEFORE TRUNCATE ON exchange_exchangeevent
    FOR EACH STATEMENT EXECUTE FUNCTION exchange_event_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS exchange_event_no_truncate ON exchange_exchangeevent;
DROP TRIGGER IF EXISTS exchange_event_no_update_delete ON exchange_exchangeevent;
DROP FUNCTION IF EXISTS exchange_event_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
