"""Every tenant starts with four priorities and a full impact x urgency matrix (editable)."""

from django.db import migrations

PRIORITIES = [("p1", "Critică", 1), ("p2", "Înaltă", 2), ("p3", "Medie", 3), ("p4", "Scăzută", 4)]
# (impact, urgency) -> priority code; 1 is high, 3 is low.
MATRIX = {(1, 1): "p1", (1, 2): "p2", (1, 3): "p3", (2, 1): "p2", (2, 2): "p3",
          (2, 3): "p4", (3, 1): "p3", (3, 2): "p4", (3, 3): "p4"}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    priority_model = apps.get_model("catalog", "Priority")
    rule_model = apps.get_model("catalog", "PriorityRule")
    if priority_model.objects.exists():
        return
    by_code = {code: priority_model.objects.create(code=code, name=name, rank=rank)
               for code, name, rank in PRIORITIES}
    rule_model.objects.bulk_create(
        rule_model(impact=impact, urgency=urgency, priority=by_code[code])
        for (impact, urgency), code in MATRIX.items())


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
