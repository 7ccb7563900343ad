"""The command line: files written, exit codes, one-line errors, S3 in and out (moto)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from helpers_app import csv_bytes, row
from moto import mock_aws

from orders_reports.cli import main
from support import SAMPLE_CSV

REPORTS = {
    "most_profitable_region.csv",
    "most_common_ship_mode_by_category.csv",
    "orders_by_category_subcategory.csv",
}


def test_run_writes_the_reports_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE_CSV), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {*REPORTS, "manifest.json"}
    assert (out / "most_profitable_region.csv").read_bytes() == b"region,profit\nEast,2465.50\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == str(SAMPLE_CSV)
    assert (manifest["rows_total"], manifest["rows_valid"], manifest["rows_rejected"]) == (
        20,
        20,
        0,
    )
    assert manifest["reports"]["most_profitable_region"] == "most_profitable_region.csv"
    stdout = capsys.readouterr().out
    assert "20 rows, 20 valid, 0 rejected" in stdout
    assert str(out) in stdout


def test_default_out_is_dot_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(SAMPLE_CSV)]) == 0
    assert (tmp_path / "out" / "manifest.json").exists()


def test_rejects_are_written_and_a_later_clean_run_removes_them(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.csv"
    dirty.write_bytes(csv_bytes([row(), row(order_id="")]))
    out = tmp_path / "out"
    assert main(["run", str(dirty), "--out", str(out)]) == 0
    assert (out / "rejected_rows.csv").read_text().splitlines()[1].endswith("order_id is empty")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows_rejected"] == 1
    assert manifest["reports"]["rejected_rows"] == "rejected_rows.csv"

    clean = tmp_path / "clean.csv"
    clean.write_bytes(csv_bytes([row()]))
    assert main(["run", str(clean), "--out", str(out)]) == 0
    assert not (out / "rejected_rows.csv").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Order Id,Region\nO-1,East\n", "missing required columns: ship_mode, category, "),
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "not a CSV file"),
    ],
    ids=["missing-columns", "empty", "not-csv"],
)
def test_refused_input_exits_2_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    good_out = tmp_path / "out"
    assert main(["run", str(SAMPLE_CSV), "--out", str(good_out)]) == 0
    before = {p.name: p.read_bytes() for p in good_out.iterdir()}
    capsys.readouterr()

    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    assert main(["run", str(bad), "--out", str(good_out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"orders-reports: refused {bad}: ")
    assert reason in lines[0]
    # The earlier good reports are untouched, and no temporary files are left behind.
    assert {p.name: p.read_bytes() for p in good_out.iterdir()} == before


def test_unexpected_errors_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("orders-reports: error: FileNotFoundError")
    assert not (tmp_path / "o").exists()

    assert main(["run", str(tmp_path / "nope.csv"), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_python_dash_m_is_the_same_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "orders_reports", "run", str(SAMPLE_CSV), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "most_profitable_region.csv").read_bytes() == b"region,profit\nEast,2465.50\n"

    refused = tmp_path / "empty.csv"
    refused.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "orders_reports", "run", str(refused)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3")
        for bucket in ("in-bucket", "out-bucket"):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
            )
        yield client


def test_s3_input_and_output(s3: object, capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("s3")
    client.put_object(Bucket="in-bucket", Key="drop/orders 1.csv", Body=SAMPLE_CSV.read_bytes())
    code = main(["run", "s3://in-bucket/drop/orders 1.csv", "--out", "s3://out-bucket/runs/one/"])
    assert code == 0, capsys.readouterr().err
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="out-bucket")["Contents"]}
    assert keys == {f"runs/one/{name}" for name in {*REPORTS, "manifest.json"}}
    body = client.get_object(Bucket="out-bucket", Key="runs/one/most_profitable_region.csv")
    assert body["Body"].read() == b"region,profit\nEast,2465.50\n"
    manifest = json.loads(
        client.get_object(Bucket="out-bucket", Key="runs/one/manifest.json")["Body"].read()
    )
    assert manifest["source"] == "s3://in-bucket/drop/orders 1.csv"
    assert "s3://out-bucket/runs/one/" in capsys.readouterr().out


def test_s3_refused_input_writes_nothing(s3: object, capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("s3")
    client.put_object(Bucket="in-bucket", Key="bad.csv", Body=b"a,b\n1,2\n")
    assert main(["run", "s3://in-bucket/bad.csv", "--out", "s3://out-bucket/x"]) == 2
    assert "missing required columns" in capsys.readouterr().err
    assert client.list_objects_v2(Bucket="out-bucket")["KeyCount"] == 0
