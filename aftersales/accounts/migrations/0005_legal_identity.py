"""The seller's legal identity of each site (issue 19), printed on invoices, credit notes and work orders."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_brand_contacts"),
    ]

    operations = [
        migrations.CreateModel(
            name="LegalIdentity",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("legal_form", models.CharField(blank=True, help_text="e.g. SAS, SARL, ООО, 有限责任公司", max_length=60, verbose_name="legal form")),
                (
                    "share_capital",
                    models.DecimalField(
                        blank=True, decimal_places=2, help_text="In the site's currency.", max_digits=14, null=True, verbose_name="share capital"
                    ),
                ),
                ("siren", models.CharField(blank=True, help_text="France: the company's 9-digit number.", max_length=9, verbose_name="SIREN")),
                ("siret", models.CharField(blank=True, help_text="France: this establishment's 14-digit number.", max_length=14, verbose_name="SIRET")),
                (
                    "rcs_city",
                    models.CharField(blank=True, help_text="France: the trade register's city, e.g. Lyon.", max_length=80, verbose_name="RCS registry city"),
                ),
                ("inn", models.CharField(blank=True, help_text="Russia: taxpayer number (ИНН).", max_length=12, verbose_name="INN")),
                ("kpp", models.CharField(blank=True, help_text="Russia: registration reason code (КПП).", max_length=9, verbose_name="KPP")),
                ("ogrn", models.CharField(blank=True, help_text="Russia: state registration number (ОГРН).", max_length=15, verbose_name="OGRN")),
                (
                    "uscc",
                    models.CharField(
                        blank=True, help_text="China: 统一社会信用代码, 18 characters.", max_length=18, verbose_name="unified social credit code"
                    ),
                ),
                ("bank_name", models.CharField(blank=True, max_length=160, verbose_name="bank")),
                (
                    "bank_account",
                    models.CharField(
                        blank=True,
                        help_text="The IBAN, or in Russia the settlement account (р/с), 20 digits.",
                        max_length=34,
                        verbose_name="bank account",
                    ),
                ),
                (
                    "bank_code",
                    models.CharField(blank=True, help_text="The BIC, or in Russia the BIK (БИК), 9 digits.", max_length=11, verbose_name="bank code"),
                ),
                (
                    "correspondent_account",
                    models.CharField(
                        blank=True, help_text="Russia: the bank's correspondent account (к/с).", max_length=20, verbose_name="correspondent account"
                    ),
                ),
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="legal_identity", to="accounts.site", verbose_name="site"
                    ),
                ),
            ],
            options={"verbose_name": "legal identity", "verbose_name_plural": "legal identities"},
        ),
    ]
