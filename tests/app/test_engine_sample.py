"""Exact reports on the project's sample file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers_app import PROVENANCE, Outcome, run

from support import SAMPLE_CSV


@pytest.fixture(scope="module")
def sample() -> Outcome:
    return run(SAMPLE_CSV.read_bytes())


def test_most_profitable_region_is_east(sample: Outcome) -> None:
    # East by hand: 22.8 + 33.5 + 86.5 + 14451.3 + 531.2 + ... = 2465.50.
    assert sample.reports["most_profitable_region"] == b"region,profit\nEast,2465.50\n"


def test_ship_mode_ties_are_all_reported(sample: Outcome) -> None:
    assert sample.reports["most_common_ship_mode_by_category"] == (
        b"category,ship_mode,order_count\n"
        b"Furniture,Same Day,2\n"
        b"Furniture,Standard Class,2\n"
        b"Office Supplies,Standard Class,4\n"
        b"Technology,Same Day,2\n"
    )


def test_orders_by_category_subcategory(sample: Outcome) -> None:
    assert sample.reports["orders_by_category_subcategory"] == (
        b"category,sub_category,order_count\n"
        b"Furniture,Bookcases,1\n"
        b"Furniture,Chairs,1\n"
        b"Furniture,Furnishings,1\n"
        b"Furniture,Tables,2\n"
        b"Office Supplies,Appliances,2\n"
        b"Office Supplies,Art,2\n"
        b"Office Supplies,Binders,3\n"
        b"Office Supplies,Labels,1\n"
        b"Office Supplies,Paper,1\n"
        b"Office Supplies,Storage,3\n"
        b"Technology,Phones,3\n"
    )


def test_counts_and_outputs(sample: Outcome) -> None:
    assert (sample.rows_total, sample.rows_valid, sample.rows_rejected) == (20, 20, 0)
    assert sample.result.outputs == {"curated"}


def test_curated_rows_are_typed_exact_and_carry_their_provenance(sample: Outcome) -> None:
    table = sample.curated()
    assert table.num_rows == 20
    first = table.to_pylist()[0]
    assert first == {
        "order_id": "CA-2023-1000",
        "ship_mode": "Standard Class",
        "region": "West",
        "category": "Furniture",
        "sub_category": "Bookcases",
        "cost_price": Decimal("240.0000000"),
        "list_price": Decimal("260.0000000"),
        "quantity": Decimal("2"),
        "discount_percent": Decimal("2.0000000"),
        "profit": Decimal("29.6000000000000000"),  # (260 * 0.98 - 240) * 2
        "source_bucket": "in-bucket",
        "source_key": "incoming/orders.csv",
        "source_version": "v1",
        "event_time": PROVENANCE.event_time,
    }
    east = sum(r["profit"] for r in table.to_pylist() if r["region"] == "East")
    assert east == Decimal("2465.50")


def test_region_profits_match_an_independent_computation() -> None:
    # Decimal arithmetic straight from the text, as a cross-check of the float engine.
    import csv  # noqa: PLC0415
    from decimal import Decimal  # noqa: PLC0415

    totals: dict[str, Decimal] = {}
    with SAMPLE_CSV.open(newline="", encoding="utf-8") as handle:
        for line in csv.DictReader(handle):
            price, cost = Decimal(line["List Price"]), Decimal(line["cost price"])
            discount, quantity = Decimal(line["Discount Percent"]), Decimal(line["Quantity"])
            profit = (price * (1 - discount / 100) - cost) * quantity
            totals[line["Region"]] = totals.get(line["Region"], Decimal(0)) + profit
    assert max(totals, key=lambda region: totals[region]) == "East"
    assert totals["East"] == Decimal("2465.50")
