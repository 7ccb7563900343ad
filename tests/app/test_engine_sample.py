"""Exact reports on the project's sample file (input contract and reports of app/README.md)."""

from __future__ import annotations

import json

import pytest

from orders_reports.engine import RunResult, build_reports
from support import SAMPLE_CSV


@pytest.fixture(scope="module")
def sample() -> RunResult:
    with SAMPLE_CSV.open("rb") as stream:
        return build_reports(stream)


def test_most_profitable_region_is_east(sample: RunResult) -> None:
    # East by hand: 22.8 + 33.5 + 86.5 + 14451.3 + 531.2 + ... = 2465.50 (line profit formula).
    assert sample.reports["most_profitable_region"] == b"region,profit\nEast,2465.50\n"


def test_ship_mode_ties_are_all_reported(sample: RunResult) -> None:
    assert sample.reports["most_common_ship_mode_by_category"] == (
        b"category,ship_mode,order_count\n"
        b"Furniture,Same Day,2\n"
        b"Furniture,Standard Class,2\n"
        b"Office Supplies,Standard Class,4\n"
        b"Technology,Same Day,2\n"
    )


def test_orders_by_category_subcategory(sample: RunResult) -> None:
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


def test_counts_and_manifest(sample: RunResult) -> None:
    assert (sample.rows_total, sample.rows_valid, sample.rows_rejected) == (20, 20, 0)
    assert sample.rejected_rows is None
    manifest = json.loads(sample.manifest("sample_orders.csv", {"a": "a.csv"}))
    assert manifest == {
        "source": "sample_orders.csv",
        "rows_total": 20,
        "rows_valid": 20,
        "rows_rejected": 0,
        "reports": {"a": "a.csv"},
    }


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
