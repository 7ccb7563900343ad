"""Property tests: the reports do not depend on how the file is cut, ordered or ended,
and they equal a slow, obviously-correct reference model (Decimal arithmetic)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from helpers_app import csv_bytes, rejected, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEXT = st.sampled_from(["A", "B", "b", " A ", "Ä", "x,y", 'q"t', ""])
SHIP = st.sampled_from(
    ["Same Day", "First Class", " same day", "Not Available", "NOT AVAILABLE", ""]
)
NUMBER = st.sampled_from(
    ["0", "1", "2", "3.5", "10.25", "99.99", "100", "-1", "", "x", " 7 ", "1e2"]
)
ORDER = st.sampled_from(["O1", "O2", "O3", " O1", "O4", ""])

ROW = st.tuples(ORDER, SHIP, TEXT, TEXT, TEXT, NUMBER, NUMBER, NUMBER, NUMBER).map(list)
ROWS = st.lists(ROW, max_size=40)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _number(text: str) -> Decimal | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        return None
    return Decimal(text)


def reference(rows: list[list[str]]) -> tuple[dict[str, bytes], int]:
    """app/README.md's contract read literally, row by row. Returns (reports, rejected count)."""
    profit: dict[str, Decimal] = defaultdict(Decimal)
    ships: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    subs: dict[tuple[str, str], set[str]] = defaultdict(set)
    rejected_rows = 0
    for raw in rows:
        order, ship, region, category, sub, *numbers = (value.strip() for value in raw)
        cost, price, quantity, discount = (_number(value) for value in numbers)
        if (
            "" in (order, region, category, sub)
            or None in (cost, price, quantity, discount)
            or cost < 0  # type: ignore[operator]
            or price < 0  # type: ignore[operator]
            or quantity < 1  # type: ignore[operator]
            or quantity != quantity.to_integral_value()  # type: ignore[union-attr]
            or not 0 <= discount <= 100  # type: ignore[operator]
        ):
            rejected_rows += 1
            continue
        profit[region] += (price * (1 - discount / 100) - cost) * quantity  # type: ignore[operator]
        subs[category, sub].add(order)
        if ship.lower() not in ("", "not available"):
            ships[category][ship].add(order)

    def lines(header: str, body: list[tuple[object, ...]]) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header.split(","), *body])
        return out.getvalue().encode()

    cents = {r: p.quantize(Decimal("0.01"), ROUND_HALF_UP) + 0 for r, p in profit.items()}
    best = max(cents.values(), default=None)
    region_rows = sorted((r, f"{c:.2f}") for r, c in cents.items() if c == best)
    ship_rows = []
    for category in sorted(ships):
        counts = {mode: len(orders) for mode, orders in ships[category].items()}
        top = max(counts.values())
        ship_rows += [(category, mode, n) for mode, n in sorted(counts.items()) if n == top]
    sub_rows = [(c, s, len(orders)) for (c, s), orders in sorted(subs.items())]
    reports = {
        "most_profitable_region": lines("region,profit", region_rows),  # type: ignore[arg-type]
        "most_common_ship_mode_by_category": lines("category,ship_mode,order_count", ship_rows),
        "orders_by_category_subcategory": lines("category,sub_category,order_count", sub_rows),
    }
    return reports, rejected_rows


@FAST
@given(rows=ROWS)
def test_reports_equal_the_reference_model(rows: list[list[str]]) -> None:
    result = run(csv_bytes(rows))
    expected, rejected_count = reference(rows)
    assert result.reports == expected
    assert result.rows_rejected == rejected_count
    assert result.rows_total == len(rows) == result.rows_valid + result.rows_rejected


@FAST
@given(
    rows=ROWS,
    block_size=st.sampled_from([256, 700, 4096]),
    compact_rows=st.sampled_from([1, 5, 1000]),
)
def test_results_do_not_depend_on_block_size(
    rows: list[list[str]], block_size: int, compact_rows: int
) -> None:
    data = csv_bytes(rows)
    whole = run(data)
    cut = run(data, block_size=block_size, compact_rows=compact_rows)
    assert cut.reports == whole.reports
    assert (cut.rows_total, cut.rows_valid, cut.rows_rejected) == (
        whole.rows_total,
        whole.rows_valid,
        whole.rows_rejected,
    )
    assert cut.rejected_bytes() == whole.rejected_bytes()


@FAST
@given(rows=ROWS, data=st.data())
def test_results_do_not_depend_on_row_order(rows: list[list[str]], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows))
    first, second = run(csv_bytes(rows)), run(csv_bytes(shuffled))
    assert first.reports == second.reports
    assert first.rows_rejected == second.rows_rejected
    assert sorted(map(sorted, map(dict.items, rejected(first)))) == sorted(
        map(sorted, map(dict.items, rejected(second)))
    )


@FAST
@given(rows=ROWS, newline=st.sampled_from(["\r\n", "\n"]), bom=st.booleans())
def test_results_do_not_depend_on_line_endings(
    rows: list[list[str]], newline: str, bom: bool
) -> None:
    data = csv_bytes(rows, newline=newline)
    if bom:
        data = b"\xef\xbb\xbf" + data
    assert run(data).reports == run(csv_bytes(rows)).reports
