import pytest
from django.db import connection

from aftersales.customers.models import Customer, Vehicle

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only (set DATABASE_URL)"),
]

TRIGRAM_INDEXES = {
    "customer_search_name_trgm": "search_name",
    "customer_search_phones_trgm": "search_phones",
    "vehicle_plate_key_trgm": "plate_key",
    "vehicle_vin_trgm": "vin",
}
PREFIX_INDEX = ("customer_search_name_prefix", "(search_name varchar_pattern_ops)")


def test_the_search_columns_have_gin_trigram_indexes_and_the_name_a_prefix_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [[*TRIGRAM_INDEXES, PREFIX_INDEX[0]]])
        definitions = dict(cursor.fetchall())

    assert definitions.keys() == TRIGRAM_INDEXES.keys() | {PREFIX_INDEX[0]}
    assert PREFIX_INDEX[1] in definitions[PREFIX_INDEX[0]]
    for name, column in TRIGRAM_INDEXES.items():
        assert f"USING gin ({column} gin_trgm_ops)" in definitions[name]


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Customer.objects.filter(search_name__contains="lefevre"), "customer_search_name_trgm"),
        (lambda: Customer.objects.filter(search_phones__contains="612345"), "customer_search_phones_trgm"),
        (lambda: Vehicle.objects.filter(plate_key__contains="AB123"), "vehicle_plate_key_trgm"),
        (lambda: Vehicle.objects.filter(vin__contains="5KA654"), "vehicle_vin_trgm"),
        (lambda: Customer.objects.filter(search_name__startswith="ma").order_by("search_name"), "customer_search_name_prefix"),
    ],
)
def test_the_search_lookups_can_use_their_index(queryset, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table would be scanned anyway

    assert index in queryset().explain()
