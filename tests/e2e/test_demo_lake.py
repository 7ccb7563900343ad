"""The demo's follow-up file and its "Reports across files" step, without the emulator:
the follow-up shares orders with the sample, and the named queries over both files'
curated Parquet give the reports of the two files taken together."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from lake_queries import REPORT_NAMES, run_report
from reference_model import expected
from run_demo import second_file

from support import SAMPLE_CSV, require_tool


def _orders(data: bytes) -> set[str]:
    return {row["Order Id"] for row in csv.DictReader(io.StringIO(data.decode()))}


def test_the_follow_up_file_shares_orders_with_the_sample() -> None:
    sample = SAMPLE_CSV.read_bytes()
    followup = second_file(sample)
    assert followup.split(b"\r\n")[0] == sample.split(b"\r\n")[0]
    assert b"\n" not in followup.replace(b"\r\n", b"")
    assert len(_orders(followup)) == 10
    assert len(_orders(followup) & _orders(sample)) == 5


def test_reports_across_the_two_files_are_those_of_their_concatenation(tmp_path: Path) -> None:
    cli = require_tool("orders-reports")
    sample = SAMPLE_CSV.read_bytes()
    followup = second_file(sample)
    files = []
    for name, data in (("sample.csv", sample), ("followup.csv", followup)):
        (tmp_path / name).write_bytes(data)
        out = tmp_path / f"out-{name}"
        subprocess.run([cli, "run", str(tmp_path / name), "--out", str(out)], check=True)
        files.append(out / "orders.parquet")
    together = sample + b"\r\n" + followup.split(b"\r\n", 1)[1]
    want = expected(together).reports
    for name in REPORT_NAMES:
        assert run_report(name, files) == want[name], name
    # Not the sum of the parts: orders that span the files count once.
    assert want["orders_by_category_subcategory"].endswith(b"Technology,Phones,9\n")
