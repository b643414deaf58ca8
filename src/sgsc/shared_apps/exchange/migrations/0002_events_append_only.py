"""PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE on the trace of exchanges."""

from django.db import migrations

from sgsc.platform.db_guards import append_only_sql

FORWARD, BACKWARD = append_only_sql(table="exchange_exchangeevent",
                                    function="exchange_event_refuse_change")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
