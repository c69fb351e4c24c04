from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0010_catalogue_prices")]

    operations = [
        migrations.AddIndex(
            model_name="vehicle",
            index=models.Index(fields=["next_service_due_date"], name="vehicle_service_due_idx"),
        ),
    ]
