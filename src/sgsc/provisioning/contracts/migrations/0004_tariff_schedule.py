"""Contracts point to a tariff schedule instead of holding a free tariff code.

One schedule is created for each code in use, and for the default code of new contracts; the
contracts are linked to theirs; 0005 drops the code column (a separate transaction: PostgreSQL
refuses ALTER TABLE while the updates' deferred foreign-key checks are pending).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import deletion


def link_schedules(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    TariffSchedule = apps.get_model("tariffs", "TariffSchedule")
    codes = set(Contract.objects.values_list("tariff_code", flat=True).distinct())
    codes.add(settings.CONTRACT_DEFAULT_TARIFF_CODE)
    for code in sorted(codes):
        schedule, _ = TariffSchedule.objects.get_or_create(
            code=code, defaults={"name": f"Grila tarifară {code}"})
        Contract.objects.filter(tariff_code=code).update(tariff_schedule=schedule)


def unlink_schedules(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    for contract in Contract.objects.select_related("tariff_schedule"):
        contract.tariff_code = contract.tariff_schedule.code
        contract.save(update_fields=["tariff_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0003_standard_contract_v1"),
        ("tariffs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="tariff_schedule",
            field=models.ForeignKey(null=True, on_delete=deletion.PROTECT,
                                    related_name="contracts", to="tariffs.tariffschedule",
                                    verbose_name="grila tarifară"),
        ),
        migrations.AlterField(
            model_name="contract",
            name="tariff_code",
            field=models.CharField(blank=True, default="", max_length=32,
                                   verbose_name="codul tarifelor"),
        ),
        migrations.RunPython(link_schedules, unlink_schedules),
    ]
