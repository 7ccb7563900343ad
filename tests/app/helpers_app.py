"""Builders for small order CSVs, and a way to run the engine on bytes in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from orders_reports.curated import CURATED
from orders_reports.engine import RunResult, build_reports
from orders_reports.rejects import REJECTED_ROWS
from orders_reports.schema import Limits
from orders_reports.sources import Provenance, SourceObject

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
PROVENANCE = Provenance(
    SourceObject("in-bucket", "incoming/orders.csv", "v1", '"etag"'),
    datetime(2026, 11, 26, 12, 30, tzinfo=UTC),
)


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


class _Kept(io.BytesIO):
    """An output stream whose bytes stay readable after the engine closes it."""

    def close(self) -> None:
        pass


@dataclass
class Outcome:
    """A run's result and the streams it wrote, by output name."""

    result: RunResult
    streams: dict[str, bytes] = field(default_factory=dict)

    @property
    def reports(self) -> dict[str, bytes]:
        return self.result.reports

    @property
    def rows_total(self) -> int:
        return self.result.rows_total

    @property
    def rows_valid(self) -> int:
        return self.result.rows_valid

    @property
    def rows_rejected(self) -> int:
        return self.result.rows_rejected

    def rejected_bytes(self) -> bytes:
        return self.streams.get(REJECTED_ROWS, b"")

    def curated(self) -> pa.Table:
        return pq.read_table(io.BytesIO(self.streams[CURATED]))

    def curated_row_group(self, index: int = 0) -> pq.RowGroupMetaData:
        """How the curated file stores one row group (encodings, statistics)."""
        return pq.ParquetFile(io.BytesIO(self.streams[CURATED])).metadata.row_group(index)


def run(data: bytes, *, limits: Limits | None = None, compact_rows: int | None = None) -> Outcome:
    opened: dict[str, _Kept] = {}

    def open_output(name: str) -> _Kept:
        opened[name] = _Kept()
        return opened[name]

    options: dict[str, object] = {}
    if limits is not None:
        options["limits"] = limits
    if compact_rows is not None:
        options["compact_rows"] = compact_rows
    result = build_reports(
        io.BytesIO(data),
        open_output=open_output,
        provenance=PROVENANCE,
        **options,  # type: ignore[arg-type]
    )
    return Outcome(result, {name: stream.getvalue() for name, stream in opened.items()})


def rejected(outcome: Outcome) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(outcome.rejected_bytes().decode(), newline="")))
