"""The report engine: stream an orders CSV once, validate it, fold it into three reports.

Pure with respect to the outside world: it reads from any binary file-like object (a
local file, boto3's ``StreamingBody``) and returns bytes; where those go is the caller's
business. Memory grows with the number of distinct orders, not with the file size:
the CSV is parsed in bounded blocks and every block is folded into small running
aggregates (profit per region, distinct (category, ship mode, order) and
(category, sub-category, order) keys, compacted as they grow).
"""

from __future__ import annotations

import csv
import io
import json
import math
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import IO, Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]

from orders_reports import schema
from orders_reports.order_codes import OrderCodes
from orders_reports.schema import Int64Array

REGION_REPORT = "most_profitable_region"
SHIP_MODE_REPORT = "most_common_ship_mode_by_category"
SUBCATEGORY_REPORT = "orders_by_category_subcategory"
REJECTED_ROWS = "rejected_rows"
REPORT_NAMES = (REGION_REPORT, SHIP_MODE_REPORT, SUBCATEGORY_REPORT)
REPORT_HEADERS = {
    REGION_REPORT: ("region", "profit"),
    SHIP_MODE_REPORT: ("category", "ship_mode", "order_count"),
    SUBCATEGORY_REPORT: ("category", "sub_category", "order_count"),
}
REJECT_REASON_COLUMN = "reject_reason"

DEFAULT_BLOCK_SIZE = 2 << 20
# Parsed blocks the reader thread may hold ready ahead of the aggregation (bounds memory).
READ_AHEAD_BLOCKS = 4
# Distinct-key tables are re-deduplicated once the not-yet-compacted part reaches this
# many rows (or the size of the compacted part, whichever is larger): amortised linear.
DEFAULT_COMPACT_ROWS = 2_000_000
# Rejected rows stay in memory up to this size, then spill to a temporary file.
REJECTS_SPOOL_BYTES = 16 << 20

_HEADER_READ = 64 << 10
_HEADER_LIMIT = 1 << 20
_BOM = b"\xef\xbb\xbf"
_CENT = Decimal("0.01")
_MICRO = Decimal("0.000001")


class InputRefused(ValueError):
    """The file as a whole cannot be processed (missing columns, empty, not a CSV).

    A permanent problem: retrying the same object cannot help.
    """


@dataclass
class RunResult:
    """Everything one run produced. Close it (or use ``with``) to drop the rejects spool."""

    reports: dict[str, bytes]
    rows_total: int
    rows_valid: int
    rows_rejected: int
    rejected_rows: IO[bytes] | None = None

    def manifest(self, source: str, locations: Mapping[str, str]) -> bytes:
        """manifest.json: the counts and where each output went (name -> path or URI)."""
        document = {
            "source": source,
            "rows_total": self.rows_total,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "reports": dict(locations),
        }
        return (json.dumps(document, indent=2) + "\n").encode()

    def rejected_bytes(self) -> bytes:
        """The whole rejected_rows.csv (for tests and small files; outputs stream it)."""
        if self.rejected_rows is None:
            return b""
        self.rejected_rows.seek(0)
        data = self.rejected_rows.read()
        self.rejected_rows.seek(0)
        return data

    def close(self) -> None:
        if self.rejected_rows is not None:
            self.rejected_rows.close()

    def __enter__(self) -> RunResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Prefixed(io.RawIOBase):
    """Bytes already consumed (after the header) followed by the rest of the stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        if len(self._prefix):
            count = min(len(target), len(self._prefix))
            target[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def _record_end(data: bytes) -> int | None:
    """Index just past the first CSV record's line break (quotes may hide newlines)."""
    in_quotes = False
    position = 0
    while True:
        quote = data.find(b'"', position)
        newline = data.find(b"\n", position)
        if newline == -1:
            return None
        if not in_quotes and (quote == -1 or newline < quote):
            return newline + 1
        if quote == -1:
            return None
        in_quotes = not in_quotes
        position = quote + 1


def _read_header(stream: BinaryIO) -> tuple[list[str], bytes]:
    """The header's fields (as written) and the bytes read beyond it."""
    buffer = b""
    eof = False
    bom_checked = False
    while True:
        if not eof:
            chunk = stream.read(_HEADER_READ)
            eof = not chunk
            buffer += chunk
        if not bom_checked and (len(buffer) >= len(_BOM) or eof):
            buffer = buffer.removeprefix(_BOM)
            bom_checked = True
        if b"\x00" in buffer:
            raise InputRefused("not a CSV file: the content is binary (NUL bytes)")
        # Blank lines before the header are skipped like blank lines anywhere else.
        while (newline := buffer.find(b"\n")) != -1 and not buffer[:newline].strip():
            buffer = buffer[newline + 1 :]
        if not bom_checked:
            continue
        end = _record_end(buffer)
        if end is not None:
            line, rest = buffer[:end], buffer[end:]
            break
        if eof:
            if not buffer.strip():
                raise InputRefused("the file is empty")
            line, rest = buffer, b""
            break
        if len(buffer) > _HEADER_LIMIT:
            raise InputRefused("not a CSV file: no line break in the first 1 MiB")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRefused("not a CSV file: the header is not UTF-8 text") from None
    try:
        fields = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as error:
        raise InputRefused(f"not a CSV file: {error}") from None
    return fields, rest


def _locate_columns(header: list[str]) -> dict[str, int]:
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(schema.normalise_column_name(name), []).append(index)
    missing = [name for name in schema.REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise InputRefused(f"missing required columns: {', '.join(missing)}")
    ambiguous = [name for name in schema.REQUIRED_COLUMNS if len(positions[name]) > 1]
    if ambiguous:
        spellings = "; ".join(
            f"{name} ({', '.join(repr(header[i]) for i in positions[name])})" for name in ambiguous
        )
        raise InputRefused(f"ambiguous columns, more than one header maps to: {spellings}")
    return {name: positions[name][0] for name in schema.REQUIRED_COLUMNS}


def _csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _cents(total: float) -> Decimal:
    # Shave binary noise at the micro-unit first, then round half away from zero to cents,
    # so an exact half cent (e.g. 0.125) rounds the way a person would.
    value = Decimal(total).quantize(_MICRO, ROUND_HALF_EVEN).quantize(_CENT, ROUND_HALF_UP)
    return value if value else Decimal("0.00")  # never print -0.00


class _Codes:
    """Dense integer codes (0, 1, 2, ...) for the trimmed values of a low-cardinality
    column (region, category, ...), stable across all blocks.

    The CSV reader hands every required column over dictionary-encoded (hashed in its
    worker threads), so only each block's distinct values are trimmed and looked up here.
    """

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def encode(self, column: pa.DictionaryArray) -> Int64Array:
        values = schema.trim(column.dictionary).to_pylist()
        codes = self.codes
        looked_up = (codes.setdefault(value, len(codes)) for value in values)
        mapping = np.fromiter(looked_up, dtype=np.int64, count=len(values))
        result: Int64Array = mapping[schema.dictionary_indices(column)]
        return result

    def code_of(self, value: str) -> int:
        return self.codes.get(value, -1)

    def names(self) -> dict[int, str]:
        return {code: value for value, code in self.codes.items()}


def _sorted_distinct(keys: Int64Array) -> Int64Array:
    # Sorting (radix for integers), not hashing: these structured keys defeat the simple
    # integer hashes of numpy/pandas hash tables, which then degrade badly.
    keys = np.sort(keys, kind="stable")
    keep = np.empty(len(keys), dtype=np.bool_)
    keep[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    result: Int64Array = keys[keep]
    return result


_ORDER_BITS = 40  # order codes below 2**40; group codes use the remaining 23 bits


class _DistinctOrders:
    """Distinct (group, order) pairs as int64 keys ``group << 40 | order``.

    Groups are (category, second column) pairs. Keys are deduplicated per block, and
    the kept keys again once the pending part reaches ``compact_rows`` or the size of
    the compacted part (amortised linear work; memory ~ distinct pairs).
    """

    def __init__(self, compact_rows: int) -> None:
        self._compact_rows = compact_rows
        self.groups: dict[tuple[int, int], int] = {}
        self._keys: list[Int64Array] = []
        self._compacted_rows = 0
        self._pending_rows = 0

    def add(self, categories: Int64Array, seconds: Int64Array, orders: Int64Array) -> None:
        if not len(orders):
            return
        # Category and second codes are small: a dense lookup table, no sorting.
        width = int(seconds.max()) + 1
        dense = categories * width + seconds
        present = np.flatnonzero(np.bincount(dense))
        table = np.zeros(int(present[-1]) + 1, dtype=np.int64)
        table[present] = [
            self.groups.setdefault(divmod(int(pair), width), len(self.groups)) for pair in present
        ]
        keys = _sorted_distinct((table[dense] << _ORDER_BITS) | orders)
        self._keys.append(keys)
        self._pending_rows += len(keys)
        if self._pending_rows >= max(self._compact_rows, self._compacted_rows):
            self._compact()

    def _compact(self) -> None:
        if len(self._keys) > 1:
            self._keys = [_sorted_distinct(np.concatenate(self._keys))]
        self._compacted_rows = sum(len(keys) for keys in self._keys)
        self._pending_rows = 0

    def counts(self) -> dict[tuple[int, int], int]:
        """Distinct orders per (category code, second code)."""
        self._compact()
        if not self._keys:
            return {}
        per_group = np.bincount(self._keys[0] >> _ORDER_BITS, minlength=len(self.groups))
        return {
            pair: int(per_group[group]) for pair, group in self.groups.items() if per_group[group]
        }


class _Aggregator:
    def __init__(
        self,
        header: list[str],
        positions: dict[str, int],
        compact_rows: int,
        rejects: IO[bytes],
    ) -> None:
        self.header = header
        self.positions = positions
        self.rows_total = 0
        self.rows_rejected = 0
        self.orders = OrderCodes()
        self.regions = _Codes()
        self.categories = _Codes()
        self.ship_mode_names = _Codes()
        self.sub_categories = _Codes()
        self.region_sums: dict[int, list[float]] = {}
        self.ship_modes = _DistinctOrders(compact_rows)
        self.subcategories = _DistinctOrders(compact_rows)
        self._rejects = rejects
        self._rejects_started = False
        self._lock = threading.Lock()

    # --- rejected rows -------------------------------------------------------------------
    def _write_rejects(self, rows: Iterable[list[str]]) -> None:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        with self._lock:
            if not self._rejects_started:
                writer.writerow([*self.header, REJECT_REASON_COLUMN])
                self._rejects_started = True
            writer.writerows(rows)
            self._rejects.write(out.getvalue().encode())

    def on_invalid_row(self, row: Any) -> str:
        """Arrow calls this for rows with the wrong number of fields: reject, keep going."""
        text: str = row.text
        if not text.strip():
            return "skip"  # a whitespace-only line is a blank line
        fields = next(csv.reader(io.StringIO(text, newline="")), [])
        expected = len(self.header)
        reason = f"row has {len(fields)} fields, the header has {expected}"
        padded = (fields + [""] * expected)[:expected]
        self._write_rejects([[*padded, reason]])
        with self._lock:
            self.rows_total += 1
            self.rows_rejected += 1
        return "skip"

    # --- one block -----------------------------------------------------------------------
    def add_batch(self, batch: pa.RecordBatch) -> None:
        size = batch.num_rows
        if not size:
            return

        def column(name: str) -> pa.DictionaryArray:
            return batch.column(self.positions[name])

        orders, empty_orders = self.orders.encode(column("order_id"))
        regions = self.regions.encode(column("region"))
        categories = self.categories.encode(column("category"))
        sub_categories = self.sub_categories.encode(column("sub_category"))
        ship_modes = self.ship_mode_names.encode(column("ship_mode"))
        numbers = {name: schema.parse_numbers(column(name)) for name in schema.NUMBER_COLUMNS}
        empty = {
            "order_id": empty_orders,
            "region": regions == self.regions.code_of(""),
            "category": categories == self.categories.code_of(""),
            "sub_category": sub_categories == self.sub_categories.code_of(""),
        }
        rejected, reasons = schema.first_failures(schema.reject_rules(empty, numbers), size)
        with self._lock:
            self.rows_total += size
            self.rows_rejected += len(reasons)
        valid: schema.BoolArray | None = None
        if reasons:
            raw = batch.filter(pa.array(rejected))
            columns = [raw.column(i).to_pylist() for i in range(raw.num_columns)]
            self._write_rejects(
                [*values, reason] for *values, reason in zip(*columns, reasons, strict=True)
            )
            valid = ~rejected
            if not valid.any():
                return
            orders, regions, categories = orders[valid], regions[valid], categories[valid]
            sub_categories, ship_modes = sub_categories[valid], ship_modes[valid]

        profit = schema.line_profit(numbers, valid)
        self._add_profit(regions, profit)

        self.subcategories.add(categories, sub_categories, orders)
        unknown = [
            code
            for value, code in self.ship_mode_names.codes.items()
            if schema.is_unknown_ship_mode(value)
        ]
        known = ~np.isin(ship_modes, unknown)
        if not known.all():
            categories, ship_modes, orders = categories[known], ship_modes[known], orders[known]
        self.ship_modes.add(categories, ship_modes, orders)

    def _add_profit(self, regions: Int64Array, profit: schema.FloatArray) -> None:
        # Exactly rounded sums (math.fsum) per region and block, and again across blocks
        # at the end: no drift that could move a total across a half cent.
        present = np.flatnonzero(np.bincount(regions))
        if len(present) <= 16:  # the usual handful of regions: one mask each
            parts = [(code, profit[regions == code]) for code in present.tolist()]
        else:
            order = np.argsort(regions, kind="stable")
            codes, values = regions[order], profit[order]
            starts = np.flatnonzero(np.diff(codes, prepend=-1)).tolist()
            ends = [*starts[1:], len(codes)]
            parts = [(int(codes[a]), values[a:b]) for a, b in zip(starts, ends, strict=True)]
        for code, values_of_region in parts:
            part = math.fsum(values_of_region.tolist())
            self.region_sums.setdefault(code, []).append(part)

    # --- the reports ---------------------------------------------------------------------
    def region_report(self) -> bytes:
        names = self.regions.names()
        totals = {names[code]: _cents(math.fsum(parts)) for code, parts in self.region_sums.items()}
        rows: list[tuple[str, str]] = []
        if totals:
            best = max(totals.values())
            rows = sorted((region, f"{t:.2f}") for region, t in totals.items() if t == best)
        return _csv_bytes(REPORT_HEADERS[REGION_REPORT], rows)

    def _counts(self, distinct: _DistinctOrders, second: _Codes, name: str) -> pd.DataFrame:
        categories, seconds = self.categories.names(), second.names()
        counts = distinct.counts()
        return pd.DataFrame(
            {
                "category": pd.Series([categories[c] for c, _ in counts], dtype=object),
                name: pd.Series([seconds[s] for _, s in counts], dtype=object),
                "order_count": pd.Series(list(counts.values()), dtype="int64"),
            }
        ).sort_values(["category", name], ignore_index=True)

    def ship_mode_report(self) -> bytes:
        counts = self._counts(self.ship_modes, self.ship_mode_names, "ship_mode")
        best = counts.groupby("category")["order_count"].transform("max")
        winners = counts[counts["order_count"] == best]
        return _csv_bytes(REPORT_HEADERS[SHIP_MODE_REPORT], winners.itertuples(index=False))

    def subcategory_report(self) -> bytes:
        counts = self._counts(self.subcategories, self.sub_categories, "sub_category")
        return _csv_bytes(REPORT_HEADERS[SUBCATEGORY_REPORT], counts.itertuples(index=False))


class _ReadAhead:
    """Pull ``batches`` in a background thread, at most ``depth`` blocks ahead.

    Parsing (Arrow, GIL released) and aggregating (numpy) then overlap instead of taking
    turns. Use it as a context manager: leaving the ``with`` (normally, on an exception,
    or after stopping early) stops the thread and waits for it, so nothing leaks. An
    exception raised while reading is re-raised in the consumer, in order, as if the
    consumer had read the block itself.
    """

    _POLL_SECONDS = 0.05

    def __init__(self, batches: Iterator[Any], depth: int = READ_AHEAD_BLOCKS) -> None:
        self._batches = batches
        self._queue: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="csv-read-ahead", daemon=True)

    def __enter__(self) -> _ReadAhead:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _put(self, item: tuple[bool, Any]) -> bool:
        # A bounded put that gives up once the consumer has gone: a plain blocking put
        # would leave the thread stuck on a full queue forever.
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=self._POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def _produce(self) -> None:
        # Items are (done, payload): (False, batch), then (True, None) at the end or
        # (True, exception) when reading failed.
        try:
            for batch in self._batches:
                if not self._put((False, batch)):
                    return
        except BaseException as error:
            self._put((True, error))
        else:
            self._put((True, None))

    def __iter__(self) -> Iterator[Any]:
        while True:
            done, payload = self._queue.get()
            if not done:
                yield payload
            elif payload is None:
                return
            else:
                raise payload


def _read_options(columns: int, required: Iterable[int], block_size: int) -> tuple[Any, Any]:
    names = [f"f{i}" for i in range(columns)]
    read = pacsv.ReadOptions(column_names=names, block_size=block_size, use_threads=True)
    types = dict.fromkeys(names, pa.string())
    # Required columns arrive dictionary-encoded: the reader's threads hash them, and
    # trimming, parsing and validation then run once per distinct value per block.
    for index in required:
        types[names[index]] = pa.dictionary(pa.int32(), pa.string())
    convert = pacsv.ConvertOptions(
        column_types=types,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return read, convert


def build_reports(
    stream: BinaryIO,
    *,
    block_size: int = DEFAULT_BLOCK_SIZE,
    compact_rows: int = DEFAULT_COMPACT_ROWS,
) -> RunResult:
    """Read an orders CSV from ``stream`` and compute the three reports.

    ``block_size`` is the parser's block in bytes (a row must fit in one block);
    ``compact_rows`` tunes when distinct-key tables are re-deduplicated. Neither changes
    the results. Raises :class:`InputRefused` for a file that cannot be processed.
    """
    header, rest = _read_header(stream)
    positions = _locate_columns(header)
    # Handed over to the RunResult (which closes it), so no `with` here.
    rejects: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=REJECTS_SPOOL_BYTES)  # noqa: SIM115
    try:
        aggregator = _Aggregator(header, positions, compact_rows, rejects)
        read, convert = _read_options(len(header), positions.values(), block_size)
        parse = pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=aggregator.on_invalid_row
        )
        source = pa.PythonFile(io.BufferedReader(_Prefixed(rest, stream), 1 << 20), mode="r")
        try:
            reader = pacsv.open_csv(
                source, read_options=read, parse_options=parse, convert_options=convert
            )
            with _ReadAhead(reader) as batches:
                for batch in batches:
                    aggregator.add_batch(batch)
        except pa.ArrowInvalid as error:
            message = str(error)
            if "Empty CSV file" not in message:
                if "UTF8" in message:
                    raise InputRefused("not a CSV file: the content is not UTF-8 text") from None
                raise InputRefused(f"not a CSV file: {message.splitlines()[0]}") from None
        reports = {
            REGION_REPORT: aggregator.region_report(),
            SHIP_MODE_REPORT: aggregator.ship_mode_report(),
            SUBCATEGORY_REPORT: aggregator.subcategory_report(),
        }
    except BaseException:
        rejects.close()
        raise
    rejected = aggregator.rows_rejected
    if rejected:
        rejects.seek(0)
    else:
        rejects.close()
    return RunResult(
        reports=reports,
        rows_total=aggregator.rows_total,
        rows_valid=aggregator.rows_total - rejected,
        rows_rejected=rejected,
        rejected_rows=rejects if rejected else None,
    )
