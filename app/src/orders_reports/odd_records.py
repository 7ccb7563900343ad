"""Records with another number of fields than the header: rejected, in file order.

pyarrow hands such records to :meth:`OddRecords.handle` from its parsing thread, in
file order and numbered, before it hands over the batch they sit among; each is
turned into its rejected line at once and kept in compact arrays (a block of tiny
records can hold a million of them) until :meth:`OddRecords.place` assigns it to its
batch by number. Blank and white-space-only records are numbered too (pyarrow counts
them) but are not rows: they leave no line.
"""

from __future__ import annotations

import array
import csv
import io
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from orders_reports.rejects import fit_to_header
from orders_reports.reports import csv_row
from orders_reports.schema import InputRefused, Limits, is_blank_record, wrong_field_count

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OddLines:
    """The rejected lines of one block's odd records, in file order."""

    before: Int64Array  # per line: how many of the block's batch rows come before it
    ends: Int64Array  # per line: where it ends in ``text``
    text: bytes  # the lines, CSV with their reason, one after the other

    def __len__(self) -> int:
        return len(self.before)

    def lines(self, first: int, last: int) -> bytes:
        """Lines ``first`` to ``last - 1``, as one piece of text."""
        start = int(self.ends[first - 1]) if first else 0
        return self.text[start : int(self.ends[last - 1])] if last > first else b""


class OddRecords:
    """The odd records pyarrow reported and no batch has taken yet.

    An exception in :meth:`handle` would be swallowed by pyarrow, so it is kept in
    ``failure`` and re-raised by the consumer.
    """

    def __init__(self, header_fields: int, limits: Limits) -> None:
        self._width = header_fields
        self._limits = limits
        self._numbers = array.array("q")  # record number (pyarrow's) of each pending record
        self._ends = array.array("q")  # where its line ends, counted over the whole run
        self._text = bytearray()  # the pending lines; its first byte is byte _base of the run
        self._base = 0
        self._next_number = 1  # the number of the next record not yet placed
        self._seen = 0
        self.failure: BaseException | None = None
        self._lock = threading.Lock()

    def handle(self, row: Any) -> str:
        try:
            text: str = row.text
            # Without a quote, a record is its text split at the commas (what csv reads).
            self._seen += 1
            if self._seen > self._limits.odd_records:
                raise InputRefused(self._limits.describe_odd(self._width))
            fields = (
                next(csv.reader(io.StringIO(text, newline="")), [])
                if '"' in text
                else text.split(",")
            )
            self._limits.check(fields)
            line = b""
            if not is_blank_record(fields):
                reason = wrong_field_count(len(fields), self._width)
                line = csv_row([*fit_to_header(fields, self._width), reason]).encode()
            with self._lock:
                self._numbers.append(row.number)
                self._text += line
                self._ends.append(self._base + len(self._text))
        except BaseException as error:  # re-raised by the consumer
            self.failure = error
            return "error"
        return "skip"

    def take_contiguous(self) -> OddLines:
        """The pending records numbered right after everything placed so far, with no
        gap: nothing of a later batch can come before them, so they can go now."""
        with self._lock:
            numbers = np.array(self._numbers, dtype=np.int64)
            gaps = numbers - self._next_number - np.arange(len(numbers))
            count = int(np.searchsorted(gaps, 0, side="right"))  # gaps never decrease
            return self._take(count, before=gaps, rows=0)

    def place(self, rows: int) -> OddLines:
        """The pending records that come before, among or right after a batch of
        ``rows`` records (the next ones of the file); the rest wait for later batches."""
        with self._lock:
            numbers = np.array(self._numbers, dtype=np.int64)
            # A record numbered n, the i-th pending one, has n - first - i batch rows
            # before it: non-decreasing, so the placed ones are a prefix.
            before = numbers - self._next_number - np.arange(len(numbers))
            count = int(np.searchsorted(before, rows, side="right"))
            return self._take(count, before=before, rows=rows)

    def _take(self, count: int, before: Int64Array, rows: int) -> OddLines:
        """The first ``count`` pending records, placed among ``rows`` batch rows."""
        ends = np.array(self._ends[:count], dtype=np.int64) - self._base
        starts = np.concatenate([[0], ends[:-1]]) if count else ends
        has_line = ends > starts  # a blank record wrote nothing
        used = int(ends[-1]) if count else 0
        placed = OddLines(
            before=before[:count][has_line],
            ends=ends[has_line],
            text=bytes(self._text[:used]),
        )
        self._next_number += rows + count
        del self._numbers[:count]
        del self._ends[:count]
        del self._text[:used]
        self._base += used
        return placed
