import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workshop", "0011_plausible_clocking")]

    operations = [
        migrations.CreateModel(
            name="WorkOrderPdf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                ("fingerprint", models.CharField(max_length=64, verbose_name="SHA-256 of the printed content")),
                ("content", models.BinaryField(verbose_name="PDF")),
                ("rendered_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="rendered at")),
                (
                    "work_order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pdfs",
                        to="workshop.workorder",
                        verbose_name="work order",
                    ),
                ),
            ],
            options={
                "verbose_name": "work-order PDF",
                "verbose_name_plural": "work-order PDFs",
                "constraints": [models.UniqueConstraint(fields=("work_order", "language"), name="unique_work_order_pdf_language")],
            },
        ),
    ]
