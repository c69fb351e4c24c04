# Check-in: the protective covers' reason, a photo tied to the damage mark it shows; extra work: a parts line may be
# a part described in free text (not in the catalogue).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshop", "0009_open_early"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="covers_not_fitted_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="why no cover was fitted"),
        ),
        migrations.AddField(
            model_name="workorderphoto",
            name="damage_mark",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="photos",
                to="workshop.damagemark",
                verbose_name="damage shown",
            ),
        ),
        migrations.AlterField(
            model_name="workorderpart",
            name="part",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to="customers.part", verbose_name="part"
            ),
        ),
        migrations.AddField(
            model_name="workorderpart",
            name="description",
            field=models.CharField(blank=True, max_length=120, verbose_name="part not in the catalogue"),
        ),
        migrations.AddConstraint(
            model_name="workorderpart",
            constraint=models.CheckConstraint(
                condition=models.Q(("part__isnull", False), models.Q(("description", ""), _negated=True), _connector="OR"),
                name="work_order_part_named",
            ),
        ),
    ]
