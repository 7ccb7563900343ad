"""The input contract and the reports, read literally, one record at a time.

Slow and plain on purpose, and sharing nothing with the app: Python's ``csv`` module
reads the file, ``decimal.Decimal`` does the arithmetic. The engine's property tests
and the lake's query tests compare against it: records, counts, reasons in file
order, curated rows and report bytes.

- a record is blank (skipped, not counted) when it is one field of white space;
- a row is rejected, with the first reason that applies, when it has another number
  of fields than the header; a text column is empty; a number is missing or not a
  plain decimal; a price is negative; the quantity is not a whole number >= 1; the
  discount is outside [0, 100]; a number is beyond 10**12 or has more than 7 decimal
  places; the line's profit reaches 10**22;
- profit = ``(list_price * (1 - discount_percent / 100) - cost_price) * quantity``,
  exact; a region's total is rounded once, half away from zero, to cents;
- an order is a distinct ``order_id``; unknown ship modes (empty, ``not available``
  in any case) do not count for the ship-mode report; every tie is reported;
- CSV out: header, ``\\n`` line ends, RFC 4180 quoting; rows sorted by code point.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

REQUIRED = (
    "order_id", "ship_mode", "region", "category", "sub_category",
    "cost_price", "list_price", "quantity", "discount_percent",
)  # fmt: skip
TEXT = ("order_id", "region", "category", "sub_category")
NUMBERS = ("cost_price", "list_price", "quantity", "discount_percent")
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
UNKNOWN_SHIP_MODES = ("", "not available")
REPORT_COLUMNS = {
    "most_profitable_region": ("region", "profit"),
    "most_common_ship_mode_by_category": ("category", "ship_mode", "order_count"),
    "orders_by_category_subcategory": ("category", "sub_category", "order_count"),
}


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


@dataclass
class Reading:
    rows: list[CuratedRow] = field(default_factory=list)  # the valid ones, in file order
    rows_total: int = 0
    reasons: list[str] = field(default_factory=list)  # of the rejected ones, in file order


@dataclass
class Expected:
    reports: dict[str, bytes]
    rows_total: int
    reasons: list[str]


def records(data: bytes) -> list[list[str]]:
    """The non-blank records of a file as Python's csv module reads them."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""))
    return [r for r in rows if not (len(r) <= 1 and not "".join(r).strip())]


def normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", name.strip().lower())


def _decimals(value: Decimal) -> int:
    return max(0, -int(value.normalize().as_tuple().exponent)) if value else 0


def _verdict(values: dict[str, str]) -> str | CuratedRow:  # noqa: PLR0911
    """The row's reason for rejection, or the row."""
    for name in TEXT:
        if not values[name]:
            return f"{name} is empty"
    numbers: dict[str, Decimal] = {}
    for name in NUMBERS:
        if not values[name]:
            return f"{name} is missing"
        if not NUMBER.fullmatch(values[name]):
            return f"{name} is not a number"
        numbers[name] = Decimal(values[name])
    cost, price = numbers["cost_price"], numbers["list_price"]
    quantity, discount = numbers["quantity"], numbers["discount_percent"]
    if cost < 0:
        return "cost_price is negative"
    if price < 0:
        return "list_price is negative"
    if quantity < 1 or quantity != quantity.to_integral_value():
        return "quantity is not a whole number >= 1"
    if not 0 <= discount <= 100:
        return "discount_percent is outside [0, 100]"
    for name in NUMBERS:
        if abs(numbers[name]) > 10**12 or _decimals(numbers[name]) > 7:
            return f"{name} is out of the supported range"
    profit = (price * (1 - discount / 100) - cost) * quantity
    if abs(profit) >= 10**22:
        return "profit is out of the supported range"
    texts = {name: values[name] for name in REQUIRED[:5]}
    return CuratedRow(**texts, **numbers, profit=profit)


def read(data: bytes) -> Reading:
    """Every record of a file whose header names every required column, decided."""
    header, *rest = records(data)
    names = [normalise_header(name) for name in header]
    position = {name: names.index(name) for name in REQUIRED}
    reading = Reading(rows_total=len(rest))
    with localcontext() as exact:
        exact.prec = 200  # more digits than any value here has: no rounding
        for record in rest:
            if len(record) != len(header):
                reading.reasons.append(
                    f"row has {len(record)} fields, the header has {len(header)}"
                )
                continue
            verdict = _verdict({name: record[at].strip() for name, at in position.items()})
            if isinstance(verdict, str):
                reading.reasons.append(verdict)
            else:
                reading.rows.append(verdict)
    return reading


def curated_rows(text: str) -> list[CuratedRow]:
    """The valid lines of an order CSV, in file order."""
    return read(text.encode()).rows


def _field(value: object) -> str:
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> bytes:
    lines = (",".join(map(_field, row)) + "\n" for row in (columns, *rows))
    return "".join(lines).encode()


def reports(rows: Iterable[CuratedRow]) -> dict[str, bytes]:
    """The three report CSVs (name -> bytes) of these lines taken together."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    ship_modes: dict[tuple[str, str], set[str]] = defaultdict(set)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    with localcontext() as exact:
        exact.prec = 200
        for row in rows:
            totals[row.region] += row.profit
            if row.ship_mode.lower() not in UNKNOWN_SHIP_MODES:
                ship_modes[row.category, row.ship_mode].add(row.order_id)
            pairs[row.category, row.sub_category].add(row.order_id)
        cents = {r: t.quantize(Decimal("0.01"), ROUND_HALF_UP) + 0 for r, t in totals.items()}
    best = max(cents.values(), default=None)
    regions = sorted((r, f"{c:.2f}") for r, c in cents.items() if c == best)
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
        name: _csv(REPORT_COLUMNS[name], body)
        for name, body in zip(REPORT_COLUMNS, (regions, modes, counts), strict=True)
    }


def expected(data: bytes) -> Expected:
    """What the engine must produce for a file whose header has every required column."""
    reading = read(data)
    return Expected(reports(reading.rows), reading.rows_total, reading.reasons)
