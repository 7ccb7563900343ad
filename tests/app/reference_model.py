"""The input contract and the reports, read literally, one record at a time.

Slow and plain on purpose: Python's ``csv`` module reads the file, ``decimal.Decimal``
does the arithmetic. The engine must agree with it on every input the property tests
generate: records, counts, reasons (in file order) and report bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
REQUIRED = (
    "order_id", "ship_mode", "region", "category", "sub_category",
    "cost_price", "list_price", "quantity", "discount_percent",
)  # fmt: skip
TEXT = ("order_id", "region", "category", "sub_category")
NUMBERS = ("cost_price", "list_price", "quantity", "discount_percent")


@dataclass
class Expected:
    reports: dict[str, bytes]
    rows_total: int = 0
    reasons: list[str] = field(default_factory=list)  # of the rejected rows, in file order


def records(data: bytes) -> list[list[str]]:
    """The non-blank records of a file as Python's csv module reads them."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""))
    return [r for r in rows if not (len(r) <= 1 and not "".join(r).strip())]


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent if value else 0
    return max(0, -int(exponent))


def _reason(values: dict[str, str]) -> tuple[str | None, Decimal]:  # noqa: PLR0911
    for name in TEXT:
        if not values[name]:
            return f"{name} is empty", Decimal(0)
    numbers: dict[str, Decimal] = {}
    for name in NUMBERS:
        if not values[name]:
            return f"{name} is missing", Decimal(0)
        if not NUMBER.fullmatch(values[name]):
            return f"{name} is not a number", Decimal(0)
        numbers[name] = Decimal(values[name])
    cost, price = numbers["cost_price"], numbers["list_price"]
    quantity, discount = numbers["quantity"], numbers["discount_percent"]
    if cost < 0:
        return "cost_price is negative", Decimal(0)
    if price < 0:
        return "list_price is negative", Decimal(0)
    if quantity < 1 or quantity != quantity.to_integral_value():
        return "quantity is not a whole number >= 1", Decimal(0)
    if not 0 <= discount <= 100:
        return "discount_percent is outside [0, 100]", Decimal(0)
    for name in NUMBERS:
        if abs(numbers[name]) > 10**12 or _decimals(numbers[name]) > 7:
            return f"{name} is out of the supported range", Decimal(0)
    profit = (price * (1 - discount / 100) - cost) * quantity
    if abs(profit) >= 10**22:
        return "profit is out of the supported range", Decimal(0)
    return None, profit


def _csv(header: str, body: list[tuple[object, ...]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header.split(","), *body])
    return out.getvalue().encode()


def expected(data: bytes) -> Expected:
    """What the engine must produce for a file whose header has every required column."""
    header, *rows = records(data)
    names = [re.sub(r"[\s_\-]+", "_", name.strip().lower()) for name in header]
    position = {name: names.index(name) for name in REQUIRED}
    profit: dict[str, Decimal] = defaultdict(Decimal)
    ships: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    subs: dict[tuple[str, str], set[str]] = defaultdict(set)
    result = Expected(reports={}, rows_total=len(rows))
    with localcontext() as exact:
        exact.prec = 200
        for record in rows:
            if len(record) != len(header):
                result.reasons.append(f"row has {len(record)} fields, the header has {len(header)}")
                continue
            values = {name: record[position[name]].strip() for name in REQUIRED}
            reason, line_profit = _reason(values)
            if reason:
                result.reasons.append(reason)
                continue
            profit[values["region"]] += line_profit
            subs[values["category"], values["sub_category"]].add(values["order_id"])
            if values["ship_mode"].lower() not in ("", "not available"):
                ships[values["category"]][values["ship_mode"]].add(values["order_id"])
        cents = {r: p.quantize(Decimal("0.01"), ROUND_HALF_UP) + 0 for r, p in profit.items()}
    best = max(cents.values(), default=None)
    region_rows = sorted((r, f"{c:.2f}") for r, c in cents.items() if c == best)
    ship_rows = []
    for category in sorted(ships):
        counts = {mode: len(orders) for mode, orders in ships[category].items()}
        top = max(counts.values())
        ship_rows += [(category, mode, n) for mode, n in sorted(counts.items()) if n == top]
    sub_rows = [(c, s, len(orders)) for (c, s), orders in sorted(subs.items())]
    result.reports = {
        "most_profitable_region": _csv("region,profit", region_rows),  # type: ignore[arg-type]
        "most_common_ship_mode_by_category": _csv("category,ship_mode,order_count", ship_rows),
        "orders_by_category_subcategory": _csv("category,sub_category,order_count", sub_rows),
    }
    return result
