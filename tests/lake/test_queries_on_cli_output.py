"""End to end with the command line: ``orders-reports run`` writes ``OUT/orders.parquet``
in the curated schema, and the named queries over those files return the command
line's own report files, byte for byte (one file, or several files at once)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_runs import run_cli
from edge_cases import EDGE_CSV
from lake_files import SCHEMA
from lake_sql import REPORT_NAMES, run_report
from reference_model import curated_rows

from support import SAMPLE_CSV

# A whole second: the file time is the same whether the writer truncates or rounds to ms.
FILE_TIME = 1_796_040_000  # 2026-11-30T12:00:00Z


def cli_run(source: Path, out: Path) -> tuple[Path, dict[str, bytes]]:
    """Run the command line on ``source``; its Parquet file and its three reports."""
    reports = run_cli(source, out)
    parquet = out / "orders.parquet"
    assert parquet.is_file(), f"orders-reports run wrote no curated file {parquet}"
    return parquet, reports


def _copy(text: str, path: Path, mtime: int = FILE_TIME) -> Path:
    path.write_bytes(text.encode("utf-8"))
    os.utime(path, (mtime, mtime))
    return path


def test_parquet_holds_the_valid_rows_in_the_curated_schema(tmp_path: Path) -> None:
    source = _copy(EDGE_CSV, tmp_path / "edge.csv")
    parquet, _ = cli_run(source, tmp_path / "out")
    written = pq.read_table(parquet)
    assert written.schema.remove_metadata() == SCHEMA
    columns = written.to_pydict()
    assert set(columns["source_bucket"]) == {None}
    assert set(columns["source_key"]) == {str(source)}
    assert set(columns["source_version"]) == {None}
    assert set(columns["event_time"]) == {datetime.fromtimestamp(FILE_TIME, UTC)}
    lines = sorted(zip(*(columns[name] for name in SCHEMA.names[:10]), strict=True), key=repr)
    expected = sorted(
        (
            (
                r.order_id,
                r.ship_mode,
                r.region,
                r.category,
                r.sub_category,
                r.cost_price,
                r.list_price,
                r.quantity,
                r.discount_percent,
                r.profit,
            )
            for r in curated_rows(EDGE_CSV)
        ),
        key=repr,
    )
    assert lines == expected


@pytest.mark.parametrize("name", ["sample", "edge", "generated"])
def test_queries_over_the_cli_parquet_equal_the_cli_reports(
    name: str, generated_file: Callable[..., Path], tmp_path: Path
) -> None:
    sources = {
        "sample": lambda: SAMPLE_CSV,
        "edge": lambda: _copy(EDGE_CSV, tmp_path / "edge.csv"),
        "generated": lambda: generated_file(4_000, 51, 1_000, "shuffled"),
    }
    parquet, reports = cli_run(sources[name](), tmp_path / "out")
    for report in REPORT_NAMES:
        assert run_report(report, [parquet]) == reports[report], report


def test_queries_over_several_cli_files_equal_the_cli_reports_of_the_whole(
    generated_file: Callable[..., Path], tmp_path: Path
) -> None:
    whole = generated_file(6_000, 52, 1_500, "shuffled")
    header, *lines = whole.read_text(encoding="utf-8").splitlines()
    size = -(-len(lines) // 3)
    parts = ["\n".join([header, *lines[i : i + size]]) + "\n" for i in range(0, len(lines), size)]
    stale = generated_file(2_000, 53, 500, "shuffled").read_text(encoding="utf-8")
    files = tmp_path / "files"
    files.mkdir()

    # part-0.csv first held other orders; it was then overwritten with a later file time.
    first, _ = cli_run(_copy(stale, files / "part-0.csv"), tmp_path / "out-stale")
    lake = [first]
    for number, part in enumerate(parts):
        source = _copy(part, files / f"part-{number}.csv", FILE_TIME + 60)
        parquet, _ = cli_run(source, tmp_path / f"out-{number}")
        lake.append(parquet)

    _, expected = cli_run(whole, tmp_path / "out-whole")
    for report in REPORT_NAMES:
        assert run_report(report, lake) == expected[report], report
