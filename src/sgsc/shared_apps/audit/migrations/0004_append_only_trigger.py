"""PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the audit log."""

from django.db import migrations

from sgsc.platform.db_guards import append_only_sql

FORWARD, BACKWARD = append_only_sql(table="audit_auditevent",
                                    function="audit_event_refuse_change")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
