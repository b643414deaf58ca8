from django.db import migrations, models
from django.db.models import deletion


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0004_tariff_schedule"),
    ]

    operations = [
        migrations.RemoveField(model_name="contract", name="tariff_code"),
        migrations.AlterField(
            model_name="contract",
            name="tariff_schedule",
            field=models.ForeignKey(on_delete=deletion.PROTECT, related_name="contracts",
                                    to="tariffs.tariffschedule", verbose_name="grila tarifară"),
        ),
    ]
