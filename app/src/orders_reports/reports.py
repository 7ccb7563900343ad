"""The three reports: their names, columns, and how they are rendered from aggregates.

Every winner is reported (a tie gives one row per tied value); rows are sorted by
Unicode code point; files are UTF-8 CSV with a header row and ``\\n`` line ends.
Winners are found on integer codes and only then named; sorting is Arrow's; rows
become Python values a slice at a time. (pandas did this job until a 9 MB file with a
region per line peaked at 360 MiB: importing pandas alone is 38 MB of the 300 MB
budget, and a frame of the report's strings cost as much again.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from orders_reports.profit import format_cents, round_to_cents

Int64Array = npt.NDArray[np.int64]
Names = Callable[[Int64Array], pa.Array]  # codes -> their values
PairNames = Callable[[Int64Array, Int64Array], tuple[pa.Array, pa.Array]]

REGION_REPORT = "most_profitable_region"
SHIP_MODE_REPORT = "most_common_ship_mode_by_category"
SUBCATEGORY_REPORT = "orders_by_category_subcategory"
REPORT_NAMES = (REGION_REPORT, SHIP_MODE_REPORT, SUBCATEGORY_REPORT)
REPORT_COLUMNS = {
    REGION_REPORT: ("region", "profit"),
    SHIP_MODE_REPORT: ("category", "ship_mode", "order_count"),
    SUBCATEGORY_REPORT: ("category", "sub_category", "order_count"),
}
_SPECIAL = re.compile(r'[,"\r\n]')
_RENDER_ROWS = 10_000  # rows turned into Python objects at a time


def csv_row(fields: Iterable[object]) -> str:
    """One RFC 4180 line ending in ``\\n``: a field holding a comma, a quote, CR or LF is
    quoted. (``csv.writer`` before Python 3.13 leaves a CR unquoted when the line
    terminator is ``\\n``, which splits the row for every reader.)"""
    return ",".join(_field(str(value)) for value in fields) + "\n"


def _field(text: str) -> str:
    if _SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[object]]) -> bytes:
    return "".join(csv_row(fields) for fields in (header, *rows)).encode()


def _render(name: str, columns: list[pa.Array]) -> bytes:
    """Rows sorted by their first two columns (UTF-8 byte order is code point order),
    turned into Python values a slice at a time."""
    table = pa.table({str(i): column for i, column in enumerate(columns)})
    table = table.take(pc.sort_indices(table, sort_keys=[("0", "ascending"), ("1", "ascending")]))
    lines = [csv_row(REPORT_COLUMNS[name])]
    for batch in table.to_batches(max_chunksize=_RENDER_ROWS):
        values = [column.to_pylist() for column in batch.columns]
        lines.append("".join(csv_row(row) for row in zip(*values, strict=True)))
    return "".join(lines).encode()


def region_report(totals: npt.NDArray[np.object_], names: Names) -> bytes:
    """``totals``: each region code's exact profit (over 10**SUM_SCALE). The winners,
    after rounding each total once to cents."""
    cents = np.fromiter(
        (round_to_cents(total) for total in totals), dtype=object, count=len(totals)
    )
    best = max(cents, default=0)
    winners = np.flatnonzero(cents == best)
    profit = pa.array([format_cents(best)] * len(winners), pa.string())
    return _render(REGION_REPORT, [names(winners), profit])


def ship_mode_report(
    categories: Int64Array, ship_modes: Int64Array, orders: Int64Array, names: PairNames
) -> bytes:
    """Per category (code), the ship mode(s) used by the most distinct orders."""
    busiest = np.zeros(int(categories.max(initial=-1)) + 1, dtype=np.int64)
    np.maximum.at(busiest, categories, orders)
    won = orders == busiest[categories]
    return _render(
        SHIP_MODE_REPORT, [*names(categories[won], ship_modes[won]), pa.array(orders[won])]
    )


def subcategory_report(
    categories: Int64Array, sub_categories: Int64Array, orders: Int64Array, names: PairNames
) -> bytes:
    """Distinct orders of every (category, sub-category) pair."""
    return _render(SUBCATEGORY_REPORT, [*names(categories, sub_categories), pa.array(orders)])
