"""The command line: files written, exit codes, one-line errors, S3 in and out (moto)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pyarrow.parquet as pq
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
EVERY_RUN = {*REPORTS, "orders.parquet", "manifest.json"}


def test_run_writes_the_reports_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE_CSV), "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == EVERY_RUN
    assert (out / "most_profitable_region.csv").read_bytes() == b"region,profit\nEast,2465.50\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == str(SAMPLE_CSV)
    assert manifest["curated"] == "orders.parquet"
    curated = pq.read_table(out / "orders.parquet")
    assert curated.num_rows == 20
    assert set(curated.column("source_key").to_pylist()) == {str(SAMPLE_CSV)}
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
    assert keys == {f"runs/one/{name}" for name in EVERY_RUN}
    body = client.get_object(Bucket="out-bucket", Key="runs/one/most_profitable_region.csv")
    assert body["Body"].read() == b"region,profit\nEast,2465.50\n"
    manifest = json.loads(
        client.get_object(Bucket="out-bucket", Key="runs/one/manifest.json")["Body"].read()
    )
    assert manifest["source"] == "s3://in-bucket/drop/orders 1.csv"
    assert (
        manifest["etag"] == client.head_object(Bucket="in-bucket", Key="drop/orders 1.csv")["ETag"]
    )
    assert "s3://out-bucket/runs/one/" in capsys.readouterr().out


def test_s3_refused_input_writes_nothing(s3: object, capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("s3")
    client.put_object(Bucket="in-bucket", Key="bad.csv", Body=b"a,b\n1,2\n")
    assert main(["run", "s3://in-bucket/bad.csv", "--out", "s3://out-bucket/x"]) == 2
    assert "missing required columns" in capsys.readouterr().err
    assert client.list_objects_v2(Bucket="out-bucket")["KeyCount"] == 0


# --- hostile inputs through the command line --------------------------------------------


def _run(tmp_path: Path, data: bytes) -> tuple[int, str, Path]:
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "orders_reports", "run", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stderr, out


def test_cr_only_line_ends_lose_no_row(tmp_path: Path) -> None:
    # Excel for Mac's "CSV (Macintosh)": every line ends with a bare CR.
    code, err, out = _run(tmp_path, SAMPLE_CSV.read_bytes().replace(b"\r\n", b"\r"))
    assert (code, err) == (0, "")
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["rows_total"], manifest["rows_valid"]) == (20, 20)
    assert (out / "most_profitable_region.csv").read_bytes() == b"region,profit\nEast,2465.50\n"


def test_a_quote_inside_an_unquoted_header_name_is_an_ordinary_character(tmp_path: Path) -> None:
    data = SAMPLE_CSV.read_bytes().replace(b"Segment", b'Seg"ment', 1)
    code, _, out = _run(tmp_path, data)
    assert code == 0
    assert json.loads((out / "manifest.json").read_text())["rows_total"] == 20


def test_a_nul_byte_far_into_the_file_refuses_it(tmp_path: Path) -> None:
    body = csv_bytes([row(order_id=f"O-{i}") for i in range(3000)])
    assert len(body) > 64 << 10
    code, err, out = _run(tmp_path, body + b"O-x,a,b\x00c,d,e,1,2,1,0\n")
    assert code == 2
    reason = "not a CSV file: the content is binary (NUL bytes)"
    assert err == f"orders-reports: refused {tmp_path / 'in.csv'}: {reason}\n"
    assert not out.exists()


def test_values_valid_by_every_rule_but_huge_are_rejected_not_fatal(tmp_path: Path) -> None:
    rows = [
        row(order_id="A", list_price="1e308", cost_price="0"),
        row(order_id="B", list_price="1e308", cost_price="0"),
        row(order_id="C", list_price="1e300", quantity="1e10"),
        row(order_id="D", list_price="999999999999.9999999", quantity="1", cost_price="0"),
    ]
    code, err, out = _run(tmp_path, csv_bytes(rows))
    assert (code, err) == (0, "")
    lines = (out / "rejected_rows.csv").read_text().splitlines()
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == [
        "list_price is out of the supported range",
        "list_price is out of the supported range",
        "list_price is out of the supported range",
    ]
    assert (out / "most_profitable_region.csv").read_bytes() == (
        b"region,profit\nEast,1000000000000.00\n"
    )


def test_bad_utf8_in_a_short_row_is_a_clean_one_line_refusal(tmp_path: Path) -> None:
    data = csv_bytes([row()]) + b"X-1,\xff\xfe secret,East\n"
    code, err, _ = _run(tmp_path, data)
    assert code == 2
    assert err.count("\n") == 1
    assert "Exception ignored" not in err
    assert "secret" not in err  # no row text in a refusal


def test_a_no_break_space_line_before_the_header_is_blank(tmp_path: Path) -> None:
    code, err, out = _run(tmp_path, "\u00a0\n".encode() + SAMPLE_CSV.read_bytes())
    assert (code, err) == (0, "")
    assert json.loads((out / "manifest.json").read_text())["rows_total"] == 20


def test_ctrl_c_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("orders_reports.cli.build_reports", interrupted)
    assert main(["run", str(SAMPLE_CSV), "--out", str(tmp_path / "o")]) == 130
    err = capsys.readouterr().err
    assert err == "orders-reports: interrupted; nothing of this run was published\n"
    assert not (tmp_path / "o").exists()


def _limited(tmp_path: Path, data: bytes, out: Path, max_file_bytes: int) -> str:
    """Run the CLI on ``data`` with a file-size limit; return its stderr (exit 1)."""
    source = tmp_path / "second.csv"
    source.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "orders_reports", "run", str(source), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: resource.setrlimit(
            resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes)
        ),
    )
    assert done.returncode == 1, done.stderr
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporaries
    return done.stderr


def test_a_run_that_fails_while_publishing_leaves_no_manifest(tmp_path: Path) -> None:
    """The old manifest goes first: a run failing half way through publishing (here on
    the file-size limit, as on a full disk) leaves no manifest rather than the old one
    beside some new reports."""
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE_CSV), "--out", str(out)]) == 0
    # Thousands of (category, sub-category) pairs: a big report, a small Parquet file.
    rows = [row(order_id=f"R-{i}", category="C" * 60, sub_category=f"S{i}") for i in range(3000)]
    err = _limited(tmp_path, csv_bytes(rows), out, 128 << 10)
    assert err.startswith("orders-reports: error: OSError: [Errno 27] File too large")
    assert not (out / "manifest.json").exists()


def test_a_run_that_fails_before_publishing_leaves_the_old_run_intact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SAMPLE_CSV), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # Every row rejected: the rejects stream outgrows the limit while the engine runs.
    rows = [row(order_id=f"R-{i}", quantity="0") for i in range(5000)]
    _limited(tmp_path, csv_bytes(rows), out, 64 << 10)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_refused_run_leaves_no_folder_it_made(tmp_path: Path) -> None:
    # Refused after the first block: the run had begun writing its temporary files.
    data = csv_bytes([row(order_id=f"O-{i}") for i in range(4000)]) + b"\x00\n"
    (tmp_path / "in.csv").write_bytes(data)
    out = tmp_path / "new" / "deeper" / "out"
    assert main(["run", str(tmp_path / "in.csv"), "--out", str(out)]) == 2
    assert not (tmp_path / "new").exists()


def test_out_that_is_a_file_fails_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for content in (b"", csv_bytes([row()]) + b"\x00"):
        (tmp_path / "in.csv").write_bytes(content)
        assert main(["run", str(tmp_path / "in.csv"), "--out", str(taken)]) == 1
        assert "is a file, not a folder" in capsys.readouterr().err
    assert taken.read_text() == "not a folder"
