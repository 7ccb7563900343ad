"""The records after the header, parsed by pyarrow's streaming CSV reader in blocks.

pyarrow reads what Python's ``csv`` module reads (line ends, quotes, a quote inside an
unquoted field as an ordinary character); the tests hold the two to the same records.
Each block arrives as one Arrow batch of the records with the header's number of
fields, plus the rejected lines of the records with any other number ("odd" records,
see odd_records.py) placed among the batch's rows, so that rejected rows can be
written in the order of the file. Blank and white-space-only records are dropped:
they are not rows.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from orders_reports.odd_records import OddLines, OddRecords
from orders_reports.schema import InputRefused, Limits
from orders_reports.text_input import ReadThrough, allow_csv_fields

_STRADDLING = "straddling object straddles"


@dataclass(frozen=True)
class Block:
    batch: pa.RecordBatch  # raw values; required columns dictionary-encoded
    odd_lines: OddLines  # rejected lines of the records with another number of fields


def _check_batch(batch: pa.RecordBatch, limits: Limits) -> None:
    """Refuse a batch holding a record with more value bytes than the limit allows."""
    # Cheap bound first: the longest value of every column together.
    longest = sum(int(pc.max(pc.binary_length(_values(c))).as_py() or 0) for c in batch.columns)
    if longest <= limits.record_bytes:
        return
    per_row = sum(
        pc.binary_length(_per_row(column)).to_numpy(zero_copy_only=False)
        for column in batch.columns
    )
    if int(np.max(per_row, initial=0)) > limits.record_bytes:
        raise limits.refusal()


def _values(column: pa.Array) -> pa.Array:
    return column.dictionary if pa.types.is_dictionary(column.type) else column


def _per_row(column: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(column.type):
        return column.dictionary.take(column.indices)
    return column


def _schema(header: Sequence[str], dictionary_columns: Iterable[int]) -> pa.Schema:
    types = [pa.string()] * len(header)
    # Dictionary-encoded: trimming, coding and parsing then run once per distinct
    # value per block instead of once per row.
    for index in dictionary_columns:
        types[index] = pa.dictionary(pa.int32(), pa.string())
    return pa.schema([pa.field(f"f{i}", kind) for i, kind in enumerate(types)])


def _options(schema: pa.Schema, limits: Limits, odd: OddRecords) -> dict[str, Any]:
    return {
        # One parsing thread, so odd records come numbered and in order (pyarrow still
        # reads and parses the next block while the caller works on this one).
        "read_options": pacsv.ReadOptions(
            column_names=schema.names, block_size=limits.block_size, use_threads=False
        ),
        "parse_options": pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=odd.handle
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={field.name: field.type for field in schema},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            # The stream is UTF-8 already (read_blocks's contract): checking again cost
            # 0.3 s of CPU on the benchmark.
            check_utf8=False,
        ),
    }


def read_blocks(
    stream: io.RawIOBase,
    header: Sequence[str],
    dictionary_columns: Iterable[int],
    limits: Limits,
) -> Iterator[Block]:
    """The records of ``stream`` (the bytes after the header, checked UTF-8 text such as
    a :class:`~orders_reports.text_input.CheckedText` passes on) in blocks, in file order.

    The next block is read and parsed in a worker thread while the caller works on
    this one (pyarrow parses without the GIL): on two cores, about 1.4x faster.
    """
    allow_csv_fields(limits.record_bytes)
    schema = _schema(header, dictionary_columns)
    odd = OddRecords(len(header), limits)
    batches = _batches(stream, schema, limits, odd)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-blocks") as worker:
        try:
            ahead = worker.submit(next, batches, None)
            while True:
                # While pyarrow works through records that all have the wrong number of
                # fields (it hands over no batch for them), their rejected lines are
                # passed on as they come: they hold no memory, however many there are.
                while not wait([ahead], timeout=_WAITING_SECONDS).done:
                    if len(early := odd.take_contiguous()):
                        yield Block(batch=_empty(schema), odd_lines=early)
                batch = ahead.result()
                if batch is None:
                    break
                ahead = worker.submit(next, batches, None)
                yield Block(batch=batch, odd_lines=odd.place(batch.num_rows))
        finally:
            # Leaving early (an error, or the caller stopping): let the block being
            # read finish, then close the reader in this thread.
            worker.shutdown(wait=True, cancel_futures=True)
            batches.close()
    if odd.failure is not None:
        raise odd.failure
    placed = odd.place(0)
    if len(placed):
        yield Block(batch=_empty(schema), odd_lines=placed)


_WAITING_SECONDS = 0.05


def _batches(
    stream: io.RawIOBase, schema: pa.Schema, limits: Limits, odd: OddRecords
) -> Generator[pa.RecordBatch, None, None]:
    """The batches pyarrow parses (in a worker thread), checked against the limits."""
    source = pa.PythonFile(_NoTrailingCarriageReturn(stream), mode="r")
    try:
        for batch in pacsv.open_csv(source, **_options(schema, limits, odd)):
            _check_batch(batch, limits)
            yield batch
    except pa.ArrowInvalid as error:
        if odd.failure is not None:
            raise odd.failure from None
        message = str(error)
        if _STRADDLING in message:
            raise limits.refusal() from None
        if "Empty CSV file" not in message:
            raise InputRefused(f"not a CSV file: {message.splitlines()[0]}") from None


class _NoTrailingCarriageReturn(ReadThrough):
    """Reads that never end in a CR, unless the stream does.

    pyarrow's reader drops an LF at the start of a block that follows a CR at the end
    of the previous one, taking the pair for a line end cut in two, even inside a
    quoted value (where it is data: "C\r\nD" came out as "C\rD"). A CR at the end of
    a read is held back and handed over with the next one.
    """

    def __init__(self, stream: io.RawIOBase) -> None:
        self._stream = stream
        self._held = b""

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:
            return b""
        if size is None or size < 0:
            data, self._held = self._held + self._stream.read(), b""
            return data
        data = self._held + self._stream.read(size - len(self._held))
        self._held = b""
        while data.endswith(b"\r") and size > 1:
            more = self._stream.read(1)
            if not more:
                break  # the end of the stream: nothing follows to be dropped
            if len(data) < size:
                data += more
                continue
            data, self._held = data[:-1], b"\r" + more
        return data


def _empty(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)
