"""The named queries, run by DuckDB over curated Parquet, return the reference's reports:
on the sample, hand-written traps, generated files, and several files at once (orders
spanning files, re-uploaded keys)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from edge_cases import HEADER
from lake_files import SCHEMA, Upload, write_lake
from lake_sql import REPORT_NAMES, run_on_parquet, run_report
from reference_model import REPORT_COLUMNS, curated_rows
from scenarios import EVENT_TIME, Lake, one_file_lake, reference_reports, trap_lakes

from support import SAMPLE_CSV


def query_reports(files: list[Path]) -> dict[str, bytes]:
    return {report: run_report(report, files) for report in REPORT_NAMES}


def test_sample(tmp_path: Path) -> None:
    lake = one_file_lake(tmp_path, SAMPLE_CSV.read_text(encoding="utf-8"))
    got = query_reports(lake.files)
    assert got == lake.expected
    assert got["most_profitable_region"] == b"region,profit\nEast,2465.50\n"
    assert (
        b"Furniture,Same Day,2\nFurniture,Standard Class,2\n"
        in (got["most_common_ship_mode_by_category"])
    )


@pytest.mark.parametrize("name", ["edge", "losses", "multi"])
def test_hand_written_traps(name: str, tmp_path: Path) -> None:
    lake: Lake = trap_lakes(tmp_path)[name]
    assert query_reports(lake.files) == lake.expected


def test_no_rows_gives_the_headers_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.parquet"
    pq.write_table(SCHEMA.empty_table(), empty)
    for report in REPORT_NAMES:
        header = ",".join(REPORT_COLUMNS[report]) + "\n"
        assert run_report(report, [empty]) == header.encode()


def test_trino_integer_division_survives_the_transpilation(tmp_path: Path) -> None:
    # In DuckDB 7 / 2 is 3.5; a query relying on Trino's integer division must see 3 here.
    lake = one_file_lake(tmp_path, HEADER + "o,Same Day,East,F,C,1,2,7,0\r\n")
    sql = "SELECT CAST(quantity AS INTEGER) / 2 AS half, 7 / 2 AS literal FROM orders"
    assert run_on_parquet(sql, lake.files) == b"half,literal\n3,3\n"


@pytest.mark.parametrize(
    "params", [(3_000, 31, 900, "shuffled"), (5_000, 32, 400, "grouped")], ids=str
)
def test_generated_file(
    generated_file: Callable[..., Path], params: tuple[int, int, int, str], tmp_path: Path
) -> None:
    source = generated_file(*params)  # rows, seed, distinct orders, layout
    lake = one_file_lake(tmp_path, source.read_text(encoding="utf-8"))
    assert query_reports(lake.files) == lake.expected


def _parts(text: str, count: int) -> list[str]:
    """Split an order CSV's data lines into ``count`` files, each with the header."""
    header, *lines = text.splitlines()
    size = -(-len(lines) // count)
    return ["\n".join([header, *lines[i : i + size]]) + "\n" for i in range(0, len(lines), size)]


def test_several_files_equal_the_reports_of_their_concatenation(
    generated_file: Callable[..., Path], tmp_path: Path
) -> None:
    # Shuffled: an order's lines are spread over the file, so over the parts too.
    whole = generated_file(6_000, 41, 1_500, "shuffled").read_text(encoding="utf-8")
    parts = _parts(whole, 3)
    stale = generated_file(2_000, 42, 500, "shuffled").read_text(encoding="utf-8")
    uploads = [
        # part-0.csv was first uploaded with other content, then replaced.
        Upload("incoming/part-0.csv", curated_rows(stale), EVENT_TIME, version="a"),
        Upload(
            "incoming/part-0.csv",
            curated_rows(parts[0]),
            EVENT_TIME + timedelta(hours=1),
            version="b",
        ),
        *(
            Upload(f"incoming/part-{n}.csv", curated_rows(part), EVENT_TIME + timedelta(days=n))
            for n, part in enumerate(parts[1:], start=1)
        ),
    ]
    expected = reference_reports([Upload("whole.csv", curated_rows(whole), EVENT_TIME)])

    # The scenario has teeth: orders do span files, and counting the stale upload
    # would change every report.
    orders_per_part = [{row.order_id for row in curated_rows(part)} for part in parts]
    assert orders_per_part[0] & orders_per_part[1] & orders_per_part[2]
    everything = reference_reports(
        [Upload(f"u{n}.csv", u.rows, EVENT_TIME) for n, u in enumerate(uploads)]
    )
    assert all(everything[name] != expected[name] for name in REPORT_NAMES)

    assert query_reports(write_lake(tmp_path, uploads)) == expected


def test_local_uploads_without_bucket_or_version_keep_the_latest(tmp_path: Path) -> None:
    # The command line's files: no bucket, no version id; the later file time wins.
    old = curated_rows(HEADER + "o-1,Same Day,North,F,C,0,100,1,0\r\n")
    new = curated_rows(HEADER + "o-2,Same Day,South,F,C,0,1,1,0\r\n")
    uploads = [
        Upload("/data/orders.csv", new, EVENT_TIME + timedelta(seconds=1), bucket=None),
        Upload("/data/orders.csv", old, EVENT_TIME, bucket=None),
    ]
    got = query_reports(write_lake(tmp_path, uploads))
    assert got["most_profitable_region"] == b"region,profit\nSouth,1.00\n"
    assert got == reference_reports(uploads)
