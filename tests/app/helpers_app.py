"""Builders for small order CSVs used by the engine, CLI and property tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from orders_reports.engine import RunResult, build_reports

HEADER = [
    "Order Id",
    "Ship Mode",
    "Region",
    "Category",
    "Sub Category",
    "cost price",
    "List Price",
    "Quantity",
    "Discount Percent",
]


def row(
    *,
    order_id: str = "O-1",
    ship_mode: str = "Standard Class",
    region: str = "East",
    category: str = "Furniture",
    sub_category: str = "Chairs",
    cost_price: str = "10",
    list_price: str = "20",
    quantity: str = "1",
    discount_percent: str = "0",
) -> list[str]:
    return [
        order_id,
        ship_mode,
        region,
        category,
        sub_category,
        cost_price,
        list_price,
        quantity,
        discount_percent,
    ]


def csv_bytes(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    newline: str = "\n",
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(data: bytes, **options: int) -> RunResult:
    return build_reports(io.BytesIO(data), **options)


def rejected(result: RunResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.rejected_bytes().decode())))
