"""Every tenant starts with Monday to Friday 08:00-17:00 and a 12:00-13:00 break (editable)."""

from datetime import time

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    period_model = apps.get_model("sla", "BusinessPeriod")
    settings_model = apps.get_model("sla", "ClockSettings")
    settings_model.objects.get_or_create(pk=1)
    if period_model.objects.exists():
        return
    period_model.objects.bulk_create(
        period_model(weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in ((time(8), time(12)), (time(13), time(17))))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
