"""The report engine: read an orders CSV once, validate every row, fold the valid ones
into the three reports and the curated dataset.

Pure with respect to the outside world: it reads a binary stream and writes the two
large outputs (rejected rows, curated Parquet) to binary streams the caller opens on
request; the reports come back as bytes. Memory grows with the number of distinct
orders and values, not with the file: the CSV is parsed in bounded blocks and every
block is folded into small running aggregates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from orders_reports import reports, schema
from orders_reports.aggregates import DistinctOrders, RegionProfits
from orders_reports.codes import TextCodes, row_indices
from orders_reports.csv_blocks import Block, read_blocks
from orders_reports.curated import CURATED, NUMBER_TYPES, CuratedWriter
from orders_reports.numbers import ParsedColumn, exact_decimals, parse_column
from orders_reports.profit import LineProfits, line_profits
from orders_reports.rejects import REJECTED_ROWS, RejectsWriter
from orders_reports.rules import COLUMN_RULES, first_reasons, value_rules
from orders_reports.schema import DEFAULT_LIMITS, Limits
from orders_reports.sources import Provenance
from orders_reports.text_input import CheckedText, Resumed, read_header

# Distinct-key tables are re-deduplicated once their pending part reaches this many
# keys (or the size of the deduplicated part, whichever is larger): amortised linear.
DEFAULT_COMPACT_ROWS = 2_000_000

OpenOutput = Callable[[str], BinaryIO]
Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RunResult:
    """What one run produced besides the streams it wrote."""

    reports: dict[str, bytes]
    rows_total: int
    rows_valid: int
    rows_rejected: int
    outputs: frozenset[str]  # the streams written: CURATED, and REJECTED_ROWS if any


@dataclass(frozen=True)
class _Numbers:
    """One block's number columns: per distinct value parsed, per row its position."""

    parsed: dict[str, ParsedColumn]
    rows: dict[str, Int64Array]

    def kinds(self) -> dict[str, npt.NDArray[np.int8]]:
        return {name: self.parsed[name].kinds[self.rows[name]] for name in self.parsed}

    def profits(self, rows: Int64Array) -> LineProfits:
        return line_profits(
            {name: self.parsed[name].unscaled[self.rows[name][rows]] for name in self.parsed},
            {name: self.parsed[name].scale for name in self.parsed},
        )


class _Run:
    def __init__(
        self, header: list[str], open_output: OpenOutput, provenance: Provenance, compact: int
    ) -> None:
        self.width = len(header)
        self.positions = schema.locate_columns(header)
        self.rejects = RejectsWriter(header, lambda: open_output(REJECTED_ROWS))
        self.curated = CuratedWriter(open_output(CURATED), provenance)
        self.rows_total = 0
        self.codes = {name: TextCodes() for name in schema.TEXT_COLUMNS}
        self.codes["ship_mode"] = TextCodes(marks=schema.is_unknown_ship_mode)
        self.profits = RegionProfits()
        self.by_subcategory = DistinctOrders(compact)
        self.by_ship_mode = DistinctOrders(compact)

    def add(self, block: Block) -> None:
        batch = block.batch
        self.rows_total += batch.num_rows + len(block.odd_lines)
        column = {name: batch.column(index) for name, index in self.positions.items()}
        coded = {name: codes.encode(column[name]) for name, codes in self.codes.items()}
        empty = {name: _empty_rows(column[name], coded[name][1]) for name in schema.TEXT_COLUMNS}
        numbers = _Numbers(
            parsed={n: parse_column(column[n].dictionary, COLUMN_RULES[n]) for n in COLUMN_RULES},
            rows={n: row_indices(column[n]) for n in COLUMN_RULES},
        )
        rules = value_rules(empty, numbers.kinds())
        valid_so_far = ~np.logical_or.reduce([mask for mask, _ in rules])
        candidates = np.flatnonzero(valid_so_far)
        profits = numbers.profits(candidates)
        too_large = profits.out_of_range()
        profit_rule = np.zeros(batch.num_rows, dtype=np.bool_)
        profit_rule[candidates[too_large]] = True
        rejected, reasons = first_reasons(
            [*rules, (profit_rule, schema.PROFIT_OUT_OF_RANGE)], batch.num_rows
        )
        self.rejects.add_block(batch, np.flatnonzero(rejected), reasons, block.odd_lines)
        if too_large.any():
            candidates, profits = candidates[~too_large], profits.subset(~too_large)
        every_row = len(candidates) == batch.num_rows  # the usual block: nothing to take
        taken = {name: values for name, (values, _) in coded.items()}
        if not every_row:
            taken = {name: values[candidates] for name, values in taken.items()}
        self._aggregate(taken, profits)
        self._curate(column, coded, numbers, None if every_row else candidates, profits)

    def _aggregate(self, codes: dict[str, Int64Array], profits: LineProfits) -> None:
        self.profits.add(codes["region"], profits)
        self.by_subcategory.add(codes["category"], codes["sub_category"], codes["order_id"])
        known = ~np.isin(codes["ship_mode"], self.codes["ship_mode"].marked)
        self.by_ship_mode.add(
            codes["category"][known], codes["ship_mode"][known], codes["order_id"][known]
        )

    def _curate(
        self,
        column: dict[str, pa.DictionaryArray],
        coded: dict[str, tuple[Int64Array, pa.DictionaryArray]],
        numbers: _Numbers,
        rows: Int64Array | None,
        profits: LineProfits,
    ) -> None:
        """The block's valid ``rows`` (None: all of them) to the curated dataset."""
        taken = None if rows is None else pa.array(rows, pa.int64())

        def encoded(name: str, values: pa.Array | pa.DictionaryArray) -> pa.DictionaryArray:
            """The column's rows over ``values``, given per value of its dictionary
            (through a dictionary of distinct values where trimming made some equal)."""
            indices = column[name].indices
            indices = indices if taken is None else indices.take(taken)
            if isinstance(values, pa.DictionaryArray):
                if len(values.dictionary) < len(values):
                    # A dictionary with repeated values cost Parquet three times the
                    # CPU and the bytes for the region column on the benchmark.
                    indices = values.indices.take(indices)
                values = values.dictionary
            return pa.DictionaryArray.from_arrays(indices, values)

        values = {name: encoded(name, trimmed) for name, (_, trimmed) in coded.items()}
        for name, parsed in numbers.parsed.items():
            values[name] = encoded(
                name, exact_decimals(parsed.unscaled, parsed.scale, NUMBER_TYPES[name])
            )
        values["profit"] = profits.as_decimal128()
        self.curated.add(values)

    def result(self) -> RunResult:
        self.curated.close()
        regions, totals = self.profits.totals()
        return RunResult(
            reports={
                reports.REGION_REPORT: reports.region_report(
                    totals, lambda at: self.codes["region"].values(regions[at])
                ),
                reports.SHIP_MODE_REPORT: reports.ship_mode_report(
                    *self.by_ship_mode.counts(), self._names("ship_mode")
                ),
                reports.SUBCATEGORY_REPORT: reports.subcategory_report(
                    *self.by_subcategory.counts(), self._names("sub_category")
                ),
            },
            rows_total=self.rows_total,
            rows_valid=self.rows_total - self.rejects.count,
            rows_rejected=self.rejects.count,
            outputs=frozenset({CURATED, *([REJECTED_ROWS] if self.rejects.count else [])}),
        )

    def _names(self, second: str) -> reports.PairNames:
        def names(categories: Int64Array, seconds: Int64Array) -> tuple[pa.Array, pa.Array]:
            return self.codes["category"].values(categories), self.codes[second].values(seconds)

        return names


def _empty_rows(column: pa.DictionaryArray, trimmed: pa.DictionaryArray) -> BoolArray:
    """Per row: the value is empty once trimmed."""
    empty = np.asarray(pc.equal(pc.binary_length(trimmed.dictionary), 0), dtype=np.bool_)
    return empty[row_indices(trimmed)][row_indices(column)]


def build_reports(
    stream: BinaryIO,
    *,
    open_output: OpenOutput,
    provenance: Provenance,
    limits: Limits = DEFAULT_LIMITS,
    compact_rows: int = DEFAULT_COMPACT_ROWS,
) -> RunResult:
    """Read an orders CSV from ``stream``; write rejected rows and the curated Parquet to
    ``open_output(REJECTED_ROWS)`` and ``open_output(CURATED)``; return the reports.

    ``limits`` bounds one record; ``compact_rows`` tunes when distinct-key tables are
    re-deduplicated (it never changes a result). Raises
    :class:`~orders_reports.schema.InputRefused` for a file that cannot be processed;
    the streams opened until then hold nothing usable and are the caller's to discard.
    """
    text = CheckedText(stream)
    header = read_header(text, limits)
    run = _Run(header.fields, open_output, provenance, compact_rows)
    try:
        columns = run.positions.values()
        for block in read_blocks(Resumed(header.rest, text), header.fields, columns, limits):
            run.add(block)
    except BaseException:
        with contextlib.suppress(Exception):
            run.curated.close()  # release the writer; the caller discards what it wrote
        raise
    return run.result()
