"""A brand's contact point names the site its own way (Toyota Marseille at the Lexus Marseille site)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_assistance_contacts"),
    ]

    operations = [
        migrations.AddField(
            model_name="sitebrand",
            name="public_name",
            field=models.CharField(
                blank=True,
                help_text="The site's name in messages, pages and documents for this brand, e.g. Toyota Marseille. Empty: the site's name.",
                max_length=120,
                verbose_name="name shown to customers",
            ),
        ),
    ]
