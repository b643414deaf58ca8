"""PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the ticket journal (invariant 2)."""

from django.db import migrations

from sgsc.platform.db_guards import append_only_sql

FORWARD, BACKWARD = append_only_sql(table="tickets_journalentry",
                                    function="tickets_journal_refuse_change")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
