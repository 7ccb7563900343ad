"""Property tests: the engine equals a plain reference model (Python ``csv`` + ``Decimal``)
on generated files, whatever their line ends, blank lines, quoting, block boundaries or
row order: same records, counts, reasons in file order, and report bytes."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from helpers_app import csv_bytes, rejected, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_model import expected, records

from orders_reports.schema import Limits

TEXT = st.sampled_from(["A", "B", "b", " A ", "Ä", "x,y", 'q"t', "two\nlines", "\xa0A", ""])
SHIP = st.sampled_from(
    ["Same Day", "First Class", " same day", "Not Available", "NOT AVAILABLE", "", "\t"]
)
NUMBER = st.sampled_from(
    [
        *["0", "1", "2", "3.5", "10.25", "99.99", "100", "0.125", "1.0049999", "22.504"],
        *["-1", "-0", "+5", ".5", "5.", "1e2", " 7 ", "1E+1", "", "x", "NaN", "inf", "1_000"],
        *["2.9999999999999999", "-1e-400", "100.000000000000001", "1e12", "1e13", "1e-400"],
        *["1e308", "0.30000000000000004", "999999999999.9999999", "12.50000000"],
    ]
)
ORDER = st.sampled_from(["O1", "O2", "O3", " O1", "O4", "", "o1"])
ROW = st.tuples(ORDER, SHIP, TEXT, TEXT, TEXT, NUMBER, NUMBER, NUMBER, NUMBER).map(list)
ROWS = st.lists(ROW, max_size=60)
# Records longer or shorter than the header, to interleave with the others.
ODD = st.lists(st.sampled_from(["x", "", "a,b", '"q"']), min_size=1, max_size=12)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL_BLOCKS = Limits(record_bytes=200, fields=16)  # blocks of 512 bytes


def assert_matches_reference(data: bytes, **options: object) -> None:
    outcome = run(data, **options)  # type: ignore[arg-type]
    want = expected(data)
    assert outcome.reports == want.reports
    assert outcome.rows_total == want.rows_total
    assert [line["reject_reason"] for line in rejected(outcome)] == want.reasons
    assert outcome.rows_rejected == len(want.reasons)
    assert outcome.curated().num_rows == outcome.rows_valid


@FAST
@given(rows=ROWS)
def test_reports_equal_the_reference_model(rows: list[list[str]]) -> None:
    assert_matches_reference(csv_bytes(rows))


@FAST
@given(rows=ROWS, odd=st.lists(st.tuples(st.integers(0, 60), ODD), max_size=6))
def test_records_with_other_field_counts_are_rejected_in_file_order(
    rows: list[list[str]], odd: list[tuple[int, list[str]]]
) -> None:
    mixed: list[list[str]] = list(rows)
    for position, fields in sorted(odd, reverse=True):
        mixed.insert(min(position, len(mixed)), fields)
    data = csv_bytes(mixed)
    assert_matches_reference(data)
    assert_matches_reference(data, limits=SMALL_BLOCKS)


@FAST
@given(rows=ROWS, compact_rows=st.sampled_from([1, 5, 1000]))
def test_results_do_not_depend_on_block_boundaries(
    rows: list[list[str]], compact_rows: int
) -> None:
    data = csv_bytes(rows)
    whole = run(data)
    cut = run(data, limits=SMALL_BLOCKS, compact_rows=compact_rows)
    assert cut.reports == whole.reports
    assert cut.rejected_bytes() == whole.rejected_bytes()
    assert cut.curated().equals(whole.curated())


@FAST
@given(rows=ROWS, data=st.data())
def test_results_do_not_depend_on_row_order(rows: list[list[str]], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows))
    first, second = run(csv_bytes(rows)), run(csv_bytes(shuffled))
    assert first.reports == second.reports
    assert sorted(map(sorted, map(dict.items, rejected(first)))) == sorted(
        map(sorted, map(dict.items, rejected(second)))
    )


@FAST
@given(
    rows=ROWS,
    line_ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
    blanks=st.lists(st.sampled_from(["", "  ", "\t", "\xa0", '""']), max_size=5),
    bom=st.booleans(),
)
def test_line_ends_and_blank_lines_do_not_matter(
    rows: list[list[str]], line_ends: list[str], blanks: list[str], bom: bool
) -> None:
    """LF, CRLF and CR alone, mixed line by line, blank lines anywhere (before the header
    too), with or without a byte-order mark: the same result as plain LF."""
    lines = csv_bytes(rows).decode().split("\n")[:-1]
    # Split into records, not lines: a quoted value may hold a line break.
    text = io.StringIO()
    writer_rows = list(csv.reader(io.StringIO("\n".join(lines) + "\n", newline="")))
    for index, record in enumerate(writer_rows):
        end = line_ends[index % len(line_ends)]
        if blanks and index % 3 == 0:
            text.write(blanks[index % len(blanks)] + end)
        out = io.StringIO()
        # Written with LF so that a value holding a line break is quoted, then ended.
        csv.writer(out, lineterminator="\n").writerow(record)
        text.write(out.getvalue()[:-1] + end)
    data = ("\ufeff" if bom else "").encode() + text.getvalue().encode()
    plain = run(csv_bytes(rows))
    outcome = run(data)
    assert outcome.reports == plain.reports
    assert outcome.rows_total == plain.rows_total
    assert [r["reject_reason"] for r in rejected(outcome)] == [
        r["reject_reason"] for r in rejected(plain)
    ]


HOSTILE = st.text(alphabet=["a", ",", '"', "\r", "\n", " ", "\xa0", "1", "é"], max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=HOSTILE)
def test_any_text_is_read_as_pythons_csv_module_reads_it(body: str) -> None:
    """Stray quotes, bare CRs, quoted line breaks, blank-looking lines: the engine sees
    exactly the records ``csv`` sees, counts each once and rejects it with a reason."""
    data = (
        ",".join(
            [
                "Order Id",
                "Ship Mode",
                "Region",
                "Category",
                "Sub-Category",
                "cost price",
                "List Price",
                "Quantity",
                "Discount Percent",
            ]
        )
        + "\n"
    ).encode()
    data += body.encode()
    want = expected(data)
    for options in ({}, {"limits": SMALL_BLOCKS}):
        outcome = run(data, **options)  # type: ignore[arg-type]
        assert outcome.rows_total == want.rows_total == len(records(data)) - 1
        assert [r["reject_reason"] for r in rejected(outcome)] == want.reasons
        assert outcome.reports == want.reports


@FAST
@given(rows=ROWS)
def test_curated_profits_are_exact_and_sum_to_the_reference(rows: list[list[str]]) -> None:
    outcome = run(csv_bytes(rows))
    table = outcome.curated().to_pylist()
    by_region: dict[str, Decimal] = defaultdict(Decimal)
    for line in table:
        by_region[line["region"]] += line["profit"]
        line_profit = (
            line["list_price"] * (1 - line["discount_percent"] / 100) - line["cost_price"]
        ) * line["quantity"]
        assert line["profit"] == line_profit
    cents = {r: p.quantize(Decimal("0.01"), "ROUND_HALF_UP") + 0 for r, p in by_region.items()}
    best = max(cents.values(), default=None)
    winners = b"".join(f"{r},{c:.2f}\n".encode() for r, c in sorted(cents.items()) if c == best)
    csv_winners = outcome.reports["most_profitable_region"].split(b"\n", 1)[1]
    assert winners == csv_winners or any(b'"' in line for line in csv_winners.splitlines())


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_the_sample_reads_the_same_with_any_line_end(newline: str) -> None:
    from support import SAMPLE_CSV  # noqa: PLC0415

    text = SAMPLE_CSV.read_bytes().decode().replace("\r\n", "\n").replace("\n", newline)
    assert run(text.encode()).reports["most_profitable_region"] == b"region,profit\nEast,2465.50\n"


@pytest.mark.parametrize("block", [1, 2, 3])
@pytest.mark.parametrize("offset", [-2, -1, 0, 1])
def test_a_quoted_crlf_across_a_block_boundary_is_kept(block: int, offset: int) -> None:
    """pyarrow drops an LF that starts a block after a CR ended the previous one, even
    inside quotes; the reader never lets a block end in a CR."""
    size = SMALL_BLOCKS.block_size
    quoted = b'Q,S,W,"C'
    base = b"F,S,W,F,C,1,2,3,0\n"
    carriage_return_at = block * size - 1 + offset  # in the bytes after the header
    lines, length = [], 0
    while length + len(base) < carriage_return_at - len(quoted) - len(base):
        lines.append(base)
        length += len(base)
    pad = carriage_return_at - len(quoted) - length - len(base)
    lines.append(base[:-1] + b" " * pad + b"\n")
    body = b"".join(lines) + quoted + b'\r\nD",E,1,2,3,0\n'
    assert body.index(b"\r") == carriage_return_at
    header = (
        ",".join(
            [
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
        )
        + "\n"
    )
    outcome = run(header.encode() + body, limits=SMALL_BLOCKS)
    lines_of_q = [r for r in outcome.curated().to_pylist() if r["order_id"] == "Q"]
    assert [r["category"] for r in lines_of_q] == ["C\r\nD"]
