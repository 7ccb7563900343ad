"""The curated dataset: a file's valid rows as one Parquet file, typed, with provenance.

One row per valid line: the nine required columns under their canonical names (text
trimmed, numbers as exact decimals), the line's exact profit, and where the line came
from. The orders lake's tables and queries read exactly these columns.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import numpy as np
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
PROVENANCE = ("source_bucket", "source_key", "source_version", "event_time")
NUMBER_TYPES = {field.name: field.type for field in SCHEMA if pa.types.is_decimal(field.type)}
# Every text column is written dictionary-encoded: the engine's blocks arrive so, and
# the provenance columns hold one value per file. Parquet then keeps each block's
# dictionary instead of hashing every value again, and no column is expanded row by
# row. The written file's types are those of SCHEMA all the same (the dictionary is an
# encoding, not a type, in Parquet).
_WRITTEN = pa.schema(
    [
        field.with_type(pa.dictionary(pa.int32(), field.type))
        if pa.types.is_string(field.type)
        else field
        for field in SCHEMA
    ]
)


# Blocks queued for the writer thread: with one, the engine waited 0.3 s for the writer
# over the benchmark's 3M rows; with two, 0.01 s (a block costs a few MB more).
_IN_FLIGHT = 2


class CuratedWriter:
    """Writes each block's valid rows into one Parquet file on ``output``, a row group
    per block, encoded in a worker thread (pyarrow encodes without the GIL) while the
    engine works on the next blocks. At most ``_IN_FLIGHT`` blocks wait to be written."""

    def __init__(self, output: BinaryIO, provenance: Provenance) -> None:
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="curated")
        self._writing: deque[Future[None]] = deque()
        self._writer = pq.ParquetWriter(
            output,
            _WRITTEN,
            compression="zstd",
            # Readers see the Parquet types (string, decimal), not Arrow's dictionaries.
            store_schema=False,
            # Quantity and discount (precision <= 18) as 64-bit integers: cheaper to encode.
            store_decimal_as_integer=True,
            # A row group is one block of the file, in file order: it holds about every
            # kind of value, so the min/max of a line's column would let no reader skip
            # it, and computing them was a quarter of the writer's CPU on the benchmark.
            # The provenance columns hold one value per file: their min/max let a query
            # that keeps only the latest upload of a key skip the row groups of others.
            write_statistics=list(PROVENANCE),
        )
        self._provenance = provenance

    def add(self, columns: dict[str, pa.Array]) -> None:
        """One block's valid rows: the text and number columns (dictionary-encoded) and
        the profit, each as long as the others."""
        rows = len(columns["profit"])
        if not rows:
            return
        source = self._provenance.source
        constants = {
            name: _repeated(value, rows)
            for name, value in (
                ("source_bucket", source.bucket),
                ("source_key", source.key),
                ("source_version", source.version),
            )
        }
        event_time = pa.scalar(self._provenance.event_time, SCHEMA.field("event_time").type)
        constants["event_time"] = pa.repeat(event_time, rows)
        arrays = [columns.get(field.name, constants.get(field.name)) for field in _WRITTEN]
        batch = pa.RecordBatch.from_arrays(arrays, schema=_WRITTEN)
        self._wait(_IN_FLIGHT - 1)
        self._writing.append(
            self._worker.submit(self._writer.write_batch, batch, row_group_size=rows)
        )

    def _wait(self, pending: int = 0) -> None:
        """Until at most ``pending`` blocks wait to be written."""
        while len(self._writing) > pending:
            self._writing.popleft().result()  # a failure to write surfaces here

    def close(self) -> None:
        """Write what is pending and the file's footer (a file without rows still has
        its schema)."""
        try:
            self._wait()
        finally:
            self._worker.shutdown(wait=True)
            self._writer.close()


def _repeated(value: str | None, rows: int) -> pa.DictionaryArray:
    """``value`` on every row, as a dictionary of one value (Parquet wants a null as a
    null index, not as a null in the dictionary)."""
    if value is None:
        return pa.DictionaryArray.from_arrays(pa.nulls(rows, pa.int32()), pa.array([], pa.string()))
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(rows, dtype=np.int32)), pa.array([value], pa.string())
    )
