"""PostgreSQL itself refuses to change or remove a received call event (invariant 4)."""

from django.db import migrations

from sgsc.platform.db_guards import append_only_sql

FORWARD, BACKWARD = append_only_sql(table="telephony_callevent",
                                    function="telephony_callevent_refuse_change")


class Migration(migrations.Migration):
    dependencies = [("telephony", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
