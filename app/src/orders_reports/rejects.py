"""``rejected_rows.csv``: each rejected row's original fields plus ``reject_reason``.

Rows are written in file order as they are found, to an output the caller opens only
when the first row is rejected (so a clean file makes no rejects file at all).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

from orders_reports.reports import csv_row

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

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        """Write rows that already end with their reason."""
        lines = [csv_row(row) for row in rows]
        if not lines:
            return
        if self._output is None:
            self._output = self._open_output()
            self._output.write(csv_row([*self._header, REJECT_REASON_COLUMN]).encode())
        self._output.write("".join(lines).encode())
        self.count += len(lines)
