"""``rejected_rows.csv``: each rejected row's original fields plus ``reject_reason``.

Rows are written in file order as they are found, to an output the caller opens only
when the first row is rejected (so a clean file makes no rejects file at all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from orders_reports.reports import csv_row

if TYPE_CHECKING:
    from orders_reports.odd_records import OddLines

Int64Array = npt.NDArray[np.int64]
_SLICE_ROWS = 10_000

REJECTED_ROWS = "rejected_rows"  # the output's name
REJECT_REASON_COLUMN = "reject_reason"


def fit_to_header(fields: Sequence[str], width: int) -> list[str]:
    """A record with another number of fields, laid out under the header's columns.

    A short record is padded with empty fields; a long one keeps its surplus fields,
    CSV-joined, in the last column, so nothing it held is lost.
    """
    if len(fields) <= width:
        return [*fields, *[""] * (width - len(fields))]
    return [*fields[: width - 1], csv_row(fields[width - 1 :])[:-1]]


class RejectsWriter:
    def __init__(self, header: Sequence[str], open_output: Callable[[], BinaryIO]) -> None:
        self._header = list(header)
        self._open_output = open_output
        self._output: BinaryIO | None = None
        self.count = 0

    def add_block(
        self, batch: pa.RecordBatch, rows: Int64Array, reasons: list[str], odd: OddLines
    ) -> None:
        """One block's rejected records, in file order: the batch ``rows`` (with their
        ``reasons``) and the ``odd`` lines placed among them. Rows become Python values
        a slice at a time, so a block of rejected rows costs its text, not its objects."""
        if not len(rows) and not len(odd):
            return
        # Odd line i comes right before batch row odd.before[i]: before every rejected
        # row from that one on.
        odd_until = np.searchsorted(odd.before, rows, side="right")
        written = 0
        for start in range(0, len(rows), _SLICE_ROWS):
            taken = batch.take(pa.array(rows[start : start + _SLICE_ROWS], pa.int64()))
            values = zip(*(_texts(column) for column in taken.columns), strict=True)
            parts: list[bytes] = []
            for at, fields in enumerate(values, start):
                parts.append(odd.lines(written, int(odd_until[at])))
                written = max(written, int(odd_until[at]))
                parts.append(csv_row([*fields, reasons[at]]).encode())
            self._write(b"".join(parts))
        self._write(odd.lines(written, len(odd)))
        self.count += len(rows) + len(odd)

    def _write(self, text: bytes) -> None:
        if not text:
            return
        if self._output is None:
            self._output = self._open_output()
            self._output.write(csv_row([*self._header, REJECT_REASON_COLUMN]).encode())
        self._output.write(text)


def _texts(column: pa.Array) -> list[str | None]:
    # A dictionary column would turn its whole dictionary (a block's distinct values)
    # into Python strings for a handful of rows: decode the rows first.
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    texts: list[str | None] = column.to_pylist()
    return texts
