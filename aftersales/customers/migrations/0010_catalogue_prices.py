"""Catalogue prices per currency: the single prices of parts, operations and offers become rows of price tables.

The existing prices were the group's base currency, the euro, except an offer's: an offer kept for sites that all
use one currency was priced in that currency (the Moscow winter tyres in roubles).
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

BASE_CURRENCY = "EUR"


def _offer_currency(offer) -> str:
    currencies = {site.currency for site in offer.sites.all()}
    return currencies.pop() if len(currencies) == 1 else BASE_CURRENCY


def single_prices_to_tables(apps, schema_editor):
    Part, PartPrice = apps.get_model("customers", "Part"), apps.get_model("customers", "PartPrice")
    LabourOperation, OperationPrice = apps.get_model("customers", "LabourOperation"), apps.get_model("customers", "OperationPrice")
    SeasonalOffer, OfferPrice = apps.get_model("customers", "SeasonalOffer"), apps.get_model("customers", "OfferPrice")
    PartPrice.objects.bulk_create(
        PartPrice(part_id=pk, currency=BASE_CURRENCY, amount=price)
        for pk, price in Part.objects.filter(unit_price__isnull=False).values_list("pk", "unit_price")
    )
    OperationPrice.objects.bulk_create(
        OperationPrice(operation_id=pk, currency=BASE_CURRENCY, amount=price)
        for pk, price in LabourOperation.objects.filter(price__isnull=False).values_list("pk", "price")
    )
    OfferPrice.objects.bulk_create(
        OfferPrice(offer_id=offer.pk, currency=_offer_currency(offer), amount=offer.price)
        for offer in SeasonalOffer.objects.filter(price__isnull=False).prefetch_related("sites")
    )


def tables_to_single_prices(apps, schema_editor):
    """Back to one price per item: the euro price (an offer's: its sites' currency, as it was read forward)."""
    Part, PartPrice = apps.get_model("customers", "Part"), apps.get_model("customers", "PartPrice")
    LabourOperation, OperationPrice = apps.get_model("customers", "LabourOperation"), apps.get_model("customers", "OperationPrice")
    SeasonalOffer, OfferPrice = apps.get_model("customers", "SeasonalOffer"), apps.get_model("customers", "OfferPrice")
    euro = dict(PartPrice.objects.filter(currency=BASE_CURRENCY).values_list("part_id", "amount"))
    for part in Part.objects.all():
        part.unit_price = euro.get(part.pk, Decimal("0"))
        part.save(update_fields=["unit_price"])
    for operation_id, amount in OperationPrice.objects.filter(currency=BASE_CURRENCY).values_list("operation_id", "amount"):
        LabourOperation.objects.filter(pk=operation_id).update(price=amount)
    for offer in SeasonalOffer.objects.prefetch_related("sites"):
        price = OfferPrice.objects.filter(offer=offer, currency=_offer_currency(offer)).first()
        if price is not None:
            SeasonalOffer.objects.filter(pk=offer.pk).update(price=price.amount)


def _price_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        (
            "currency",
            models.CharField(
                help_text="ISO 4217 code, e.g. EUR",
                max_length=3,
                validators=[django.core.validators.RegexValidator("^[A-Z]{3}$", "Give the ISO 4217 code in capitals, e.g. EUR.")],
                verbose_name="currency",
            ),
        ),
        (
            "amount",
            models.DecimalField(
                decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal("0"))], verbose_name="price"
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_unsubscribe"), ("accounts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="PartPrice",
            fields=[
                *_price_fields(),
                (
                    "part",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="prices", to="customers.part", verbose_name="part"
                    ),
                ),
            ],
            options={
                "verbose_name": "unit price, before VAT",
                "verbose_name_plural": "unit prices, before VAT",
                "ordering": ["part", "currency"],
                "constraints": [models.UniqueConstraint(fields=("part", "currency"), name="unique_part_price_per_currency")],
            },
        ),
        migrations.CreateModel(
            name="OperationPrice",
            fields=[
                *_price_fields(),
                (
                    "operation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prices",
                        to="customers.labouroperation",
                        verbose_name="operation",
                    ),
                ),
            ],
            options={
                "verbose_name": "fixed labour price, before VAT",
                "verbose_name_plural": "fixed labour prices, before VAT",
                "ordering": ["operation", "currency"],
                "constraints": [models.UniqueConstraint(fields=("operation", "currency"), name="unique_operation_price_per_currency")],
            },
        ),
        migrations.CreateModel(
            name="OfferPrice",
            fields=[
                *_price_fields(),
                (
                    "offer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prices",
                        to="customers.seasonaloffer",
                        verbose_name="offer",
                    ),
                ),
            ],
            options={
                "verbose_name": "price, VAT included",
                "verbose_name_plural": "prices, VAT included",
                "ordering": ["offer", "currency"],
                "constraints": [models.UniqueConstraint(fields=("offer", "currency"), name="unique_offer_price_per_currency")],
            },
        ),
        # Nullable first, so that going back re-adds the column empty and fills it before making it required again.
        migrations.AlterField(
            model_name="part",
            name="unit_price",
            field=models.DecimalField(decimal_places=2, max_digits=10, null=True, verbose_name="unit price, before VAT"),
        ),
        migrations.RunPython(single_prices_to_tables, tables_to_single_prices),
        migrations.RemoveField(model_name="part", name="unit_price"),
        migrations.RemoveField(model_name="labouroperation", name="price"),
        migrations.RemoveField(model_name="seasonaloffer", name="price"),
        migrations.AlterField(
            model_name="mobilityservice",
            name="price",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                help_text="In the site's currency.",
                max_digits=10,
                verbose_name="price, VAT included",
            ),
        ),
    ]
