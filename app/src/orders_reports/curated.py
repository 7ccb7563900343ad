"""The curated dataset: a file's valid rows as one Parquet file, typed, with provenance.

One row per valid line: the nine required columns under their canonical names (text
trimmed, numbers as exact decimals), the line's exact profit, and where the line came
from. The orders lake's tables and queries read exactly these columns.
"""

from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from orders_reports.profit import CURATED_PROFIT
from orders_reports.sources import Provenance

CURATED = "curated"  # the output's name
PRICE = pa.decimal128(20, 7)
SCHEMA = pa.schema(
    [
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("ship_mode", pa.string(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("sub_category", pa.string(), nullable=False),
        pa.field("cost_price", PRICE, nullable=False),
        pa.field("list_price", PRICE, nullable=False),
        pa.field("quantity", pa.decimal128(13, 0), nullable=False),
        pa.field("discount_percent", pa.decimal128(10, 7), nullable=False),
        pa.field("profit", CURATED_PROFIT, nullable=False),
        pa.field("source_bucket", pa.string()),
        pa.field("source_key", pa.string(), nullable=False),
        pa.field("source_version", pa.string()),
        pa.field("event_time", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)
TEXT_COLUMNS = ("order_id", "ship_mode", "region", "category", "sub_category")
NUMBER_TYPES = {field.name: field.type for field in SCHEMA if pa.types.is_decimal(field.type)}
# Rows buffered before a row group is written: large groups read well, and this bounds
# the buffer to tens of MB.
ROW_GROUP_ROWS = 64 * 1024


class CuratedWriter:
    """Writes batches of valid rows into one Parquet file on ``output``."""

    def __init__(self, output: BinaryIO, provenance: Provenance) -> None:
        self._writer = pq.ParquetWriter(output, SCHEMA, compression="zstd")
        self._provenance = provenance
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0

    def add(self, columns: dict[str, pa.Array]) -> None:
        """One block's valid rows: the text and number columns, each as long as the others."""
        rows = len(columns["order_id"])
        if not rows:
            return
        source = self._provenance.source
        constants = {
            "source_bucket": pa.scalar(source.bucket, pa.string()),
            "source_key": pa.scalar(source.key, pa.string()),
            "source_version": pa.scalar(source.version, pa.string()),
            "event_time": pa.scalar(self._provenance.event_time, SCHEMA.field("event_time").type),
        }
        arrays = [
            columns[field.name] if field.name in columns else pa.repeat(constants[field.name], rows)
            for field in SCHEMA
        ]
        self._pending.append(pa.RecordBatch.from_arrays(arrays, schema=SCHEMA))
        self._pending_rows += rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.Table.from_batches(self._pending), ROW_GROUP_ROWS)
        self._pending, self._pending_rows = [], 0

    def close(self) -> None:
        """Write what is buffered and the file's footer (an empty file still has a schema)."""
        self._flush()
        self._writer.close()
