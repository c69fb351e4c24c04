"""Issue 19: the seller's service dates, partial credit notes, refunds and customer credit, the accounting export.

Invoices get the period of the service; a credit-note line names the line it credits; a payment can be a
refund (its method ``credit`` keeps the money as the customer's credit); a closure records the refunds given;
each site gets its accounting mapping (journals, accounts, a sales account per VAT rate).

SQLite rebuilds a table to add a column with a default (payment, closure), and the rebuilt table loses its
triggers: the triggers of migration 0002 are put back at the end, so issued rows stay refused there too.
"""

import importlib
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

REFUSE_CHANGES = importlib.import_module("invoicing.migrations.0002_refuse_changes_to_issued_documents")


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in REFUSE_CHANGES.SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    REFUSE_CHANGES.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0003_invoice_email_template"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='invoice',
            options={'ordering': ['-created_at', '-pk'], 'permissions': [('issue_invoice', 'Can issue invoices and credit notes'), ('close_period', 'Can close a day, month or year of invoicing'), ('authorize_release', 'Can release a car with a balance due'), ('export_accounting', 'Can download the accounting export (FEC, journal)')], 'verbose_name': 'invoice', 'verbose_name_plural': 'invoices'},
        ),
        migrations.AddField(
            model_name='closure',
            name='refunds_total',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='refunds given'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='service_from',
            field=models.DateField(blank=True, help_text='When the work began (reception).', null=True, verbose_name='service from'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='service_to',
            field=models.DateField(blank=True, help_text='When the work was done (quality check).', null=True, verbose_name='service to'),
        ),
        migrations.AddField(
            model_name='invoiceline',
            name='credited_line',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_lines', to='invoicing.invoiceline', verbose_name='line credited'),
        ),
        migrations.AddField(
            model_name='payment',
            name='kind',
            field=models.CharField(choices=[('payment', 'Payment received'), ('refund', 'Refund')], default='payment', max_length=8, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='closure',
            name='payments_total',
            field=models.DecimalField(decimal_places=2, help_text='Money received less money refunded.', max_digits=14, verbose_name='payments received'),
        ),
        migrations.AlterField(
            model_name='payment',
            name='method',
            field=models.CharField(choices=[('card', 'Card'), ('cash', 'Cash'), ('transfer', 'Bank transfer'), ('cheque', 'Cheque'), ('financing', 'Financing'), ('credit', 'Customer credit')], max_length=10, verbose_name='method'),
        ),
        migrations.CreateModel(
            name='AccountingMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sales_journal', models.CharField(help_text='e.g. VE', max_length=10, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='sales journal code')),
                ('sales_journal_label', models.CharField(max_length=60, verbose_name='sales journal name')),
                ('receipts_journal', models.CharField(help_text='Payments and refunds, e.g. BQ', max_length=10, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='receipts journal code')),
                ('receipts_journal_label', models.CharField(max_length=60, verbose_name='receipts journal name')),
                ('customer_account', models.CharField(help_text='e.g. 411000', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='customers account')),
                ('customer_account_label', models.CharField(max_length=60, verbose_name='customers account name')),
                ('customer_credit_account', models.CharField(help_text='Overpayments kept for a next invoice, e.g. 419100', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='customer credits account')),
                ('customer_credit_account_label', models.CharField(max_length=60, verbose_name='customer credits account name')),
                ('vat_account', models.CharField(help_text='e.g. 445710', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='VAT collected account')),
                ('vat_account_label', models.CharField(max_length=60, verbose_name='VAT collected account name')),
                ('cash_account', models.CharField(help_text='e.g. 530000', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='cash account')),
                ('cash_account_label', models.CharField(max_length=60, verbose_name='cash account name')),
                ('bank_account', models.CharField(help_text='Transfers, cheques and financing, e.g. 512000', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='bank account')),
                ('bank_account_label', models.CharField(max_length=60, verbose_name='bank account name')),
                ('card_account', models.CharField(help_text='e.g. 511500', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='card payments account')),
                ('card_account_label', models.CharField(max_length=60, verbose_name='card payments account name')),
                ('site', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='accounting_mapping', to='accounts.site', verbose_name='site')),
            ],
            options={
                'verbose_name': 'accounting mapping',
                'verbose_name_plural': 'accounting mappings',
            },
        ),
        migrations.CreateModel(
            name='SalesAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('vat_rate', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='VAT rate (%)')),
                ('account', models.CharField(help_text='e.g. 706000', max_length=20, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z.]{1,20}$', 'Letters, digits and dots, 20 at most.')], verbose_name='sales account')),
                ('label', models.CharField(max_length=60, verbose_name='account name')),
                ('mapping', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sales_accounts', to='invoicing.accountingmapping', verbose_name='mapping')),
            ],
            options={
                'verbose_name': 'sales account',
                'verbose_name_plural': 'sales accounts',
                'ordering': ['mapping', 'vat_rate'],
                'constraints': [models.UniqueConstraint(fields=('mapping', 'vat_rate'), name='unique_sales_account_per_rate')],
            },
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
