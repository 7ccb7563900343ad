"""A plain, independent reference for the lake tests: order CSV text -> curated rows -> reports.

Written for obviousness, not speed: Python's ``csv`` module and ``decimal.Decimal`` only,
one row at a time, nothing shared with the app. The lake tests compare the Athena
queries (run by DuckDB) with what this module says, so it states the report contract in
the simplest code that can state it:

- a row is valid when it has the header's number of fields, non-empty ``order_id``,
  ``region``, ``category`` and ``sub_category``, and plain decimal numbers with
  non-negative prices, a whole ``quantity`` >= 1 and ``discount_percent`` in [0, 100]
  (values trimmed first);
- profit of a line = ``(list_price * (1 - discount_percent / 100) - cost_price) * quantity``,
  exact;
- a region's total is rounded once, half away from zero, to cents; every region whose
  rounded total is the highest wins; profit is printed with two decimals, never ``-0.00``;
- an order is a distinct ``order_id``; unknown ship modes (empty or ``not available`` in
  any case) do not count for the ship-mode report; every tie is reported;
- CSV: header, ``\\n`` line ends, ``csv.writer`` quoting; rows sorted by code point.

Out-of-range numbers (beyond what the curated decimal columns hold) are not modelled:
the tests feed none.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

REQUIRED = (
    "order_id",
    "ship_mode",
    "region",
    "category",
    "sub_category",
    "cost_price",
    "list_price",
    "quantity",
    "discount_percent",
)
TEXT = ("order_id", "region", "category", "sub_category")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
UNKNOWN_SHIP_MODES = ("", "not available")

REPORT_COLUMNS = {
    "most_profitable_region": ("region", "profit"),
    "most_common_ship_mode_by_category": ("category", "ship_mode", "order_count"),
    "orders_by_category_subcategory": ("category", "sub_category", "order_count"),
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CuratedRow:
    """One valid line: trimmed text, exact numbers and the line's profit."""

    order_id: str
    ship_mode: str
    region: str
    category: str
    sub_category: str
    cost_price: Decimal
    list_price: Decimal
    quantity: Decimal
    discount_percent: Decimal
    profit: Decimal


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", name.strip().lower())


def _number(value: str) -> Decimal | None:
    return Decimal(value) if NUMBER.fullmatch(value) else None


def _curated(values: dict[str, str]) -> CuratedRow | None:
    if any(values[name] == "" for name in TEXT):
        return None
    cost, price, quantity, discount = (_number(values[name]) for name in REQUIRED[5:])
    if cost is None or price is None or quantity is None or discount is None:
        return None
    if cost < 0 or price < 0:
        return None
    if quantity < 1 or quantity != quantity.to_integral_value():
        return None
    if not 0 <= discount <= 100:
        return None
    with localcontext() as exact:
        exact.prec = 200  # far more digits than any supported value has: no rounding
        profit = (price * (1 - discount / 100) - cost) * quantity
    return CuratedRow(
        values["order_id"],
        values["ship_mode"],
        values["region"],
        values["category"],
        values["sub_category"],
        cost,
        price,
        quantity,
        discount,
        profit,
    )


def curated_rows(text: str) -> list[CuratedRow]:
    """The valid lines of an order CSV, in file order."""
    records = [
        row
        for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        if any(field.strip() for field in row)
    ]
    if not records:
        return []
    header = [normalise_header(name) for name in records[0]]
    position = {name: header.index(name) for name in REQUIRED}
    rows = []
    for record in records[1:]:
        if len(record) != len(header):
            continue
        row = _curated({name: record[at].strip() for name, at in position.items()})
        if row is not None:
            rows.append(row)
    return rows


def _csv(columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cents(total: Decimal) -> Decimal:
    rounded = total.quantize(CENT, rounding=ROUND_HALF_UP)  # half away from zero
    return abs(rounded) if rounded == 0 else rounded


def reports(rows: Iterable[CuratedRow]) -> dict[str, bytes]:
    """The three report CSVs (name -> bytes) of these lines taken together."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    ship_modes: dict[tuple[str, str], set[str]] = defaultdict(set)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    with localcontext() as exact:
        exact.prec = 200
        for row in rows:
            totals[row.region] += row.profit
            if row.ship_mode.strip().lower() not in UNKNOWN_SHIP_MODES:
                ship_modes[row.category, row.ship_mode].add(row.order_id)
            pairs[row.category, row.sub_category].add(row.order_id)

    rounded = {region: _cents(total) for region, total in totals.items()}
    best = max(rounded.values(), default=None)
    regions = sorted((r, format(t, "f")) for r, t in rounded.items() if t == best)

    top: dict[str, int] = defaultdict(int)
    for (category, _), orders in ship_modes.items():
        top[category] = max(top[category], len(orders))
    modes = sorted(
        (category, mode, len(orders))
        for (category, mode), orders in ship_modes.items()
        if len(orders) == top[category]
    )

    counts = sorted((category, sub, len(orders)) for (category, sub), orders in pairs.items())
    return {
        "most_profitable_region": _csv(REPORT_COLUMNS["most_profitable_region"], regions),
        "most_common_ship_mode_by_category": _csv(
            REPORT_COLUMNS["most_common_ship_mode_by_category"], modes
        ),
        "orders_by_category_subcategory": _csv(
            REPORT_COLUMNS["orders_by_category_subcategory"], counts
        ),
    }
