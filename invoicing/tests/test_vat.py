"""VAT arithmetic: Decimal only, rounded per line then summed (France, Russia), or per rate total where the country says so."""

from decimal import Decimal

import pytest

from aftersales.lib.money import PER_LINE, PER_TOTAL, line_total, vat_on, vat_rounding, vat_totals


def test_france_and_russia_round_the_vat_of_each_line_then_sum():
    assert vat_rounding("FR") == PER_LINE
    assert vat_rounding("ru") == PER_LINE
    assert vat_rounding("") == PER_LINE


def test_per_line_rounding_sums_the_rounded_line_vat():
    # three lines of 0.05 at 10 %: 0.005 each, rounded half up to 0.01 -> 0.03 (per total it would be 0.015 -> 0.02)
    lines = [(Decimal("0.05"), Decimal("10"), vat_on(Decimal("0.05"), Decimal("10")))] * 3

    per_line = vat_totals(lines, rounding=PER_LINE)
    per_total = vat_totals(lines, rounding=PER_TOTAL)

    assert per_line.vat == Decimal("0.03")
    assert per_total.vat == Decimal("0.02")
    assert per_line.net == per_total.net == Decimal("0.15")
    assert per_line.gross == Decimal("0.18")


def test_totals_are_grouped_by_rate_and_add_up():
    lines = [
        (line_total(Decimal("1.50"), Decimal("98.00")), Decimal("20"), vat_on(Decimal("147.00"), Decimal("20"))),
        (line_total(Decimal("3"), Decimal("4.99")), Decimal("20"), vat_on(Decimal("14.97"), Decimal("20"))),
        (Decimal("10.00"), Decimal("5.5"), vat_on(Decimal("10.00"), Decimal("5.5"))),
    ]

    totals = vat_totals(lines, rounding=PER_LINE)

    assert [(row.rate, row.net, row.vat) for row in totals.by_rate] == [
        (Decimal("5.50"), Decimal("10.00"), Decimal("0.55")),
        (Decimal("20.00"), Decimal("161.97"), Decimal("32.39")),
    ]
    assert totals.net + totals.vat == totals.gross == Decimal("204.91")
    assert all(isinstance(value, Decimal) for value in (totals.net, totals.vat, totals.gross))


def test_a_negative_discount_line_rounds_half_away_from_zero():
    assert vat_on(Decimal("-0.05"), Decimal("10")) == Decimal("-0.01")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        line_total(1.5, Decimal("98"))
    with pytest.raises(TypeError):
        vat_on(Decimal("10"), 20.0)
