"""The benchmark's data generator: the sample's schema, deterministic, cached, messy."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest

from bench import generate
from support import SAMPLE_CSV

ROWS = 5_000
ORDERS = 1_500


def _make(tmp: Path, seed: int = 11, layout: str = "grouped") -> tuple[Path, dict]:
    return generate.ensure(generate.Params(ROWS, seed, ORDERS, layout), tmp)


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_header_is_the_samples_header_byte_for_byte(tmp_path: Path) -> None:
    sample_header = SAMPLE_CSV.read_bytes().split(b"\r\n", 1)[0]
    path, _ = _make(tmp_path)
    assert path.read_bytes().split(b"\r\n", 1)[0] == sample_header


def test_same_parameters_give_the_same_bytes_other_seed_does_not(tmp_path: Path) -> None:
    first, _ = _make(tmp_path / "a")
    again, _ = _make(tmp_path / "b")
    other, _ = _make(tmp_path / "c", seed=12)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_cached_file_is_reused_and_a_damaged_one_regenerated(tmp_path: Path) -> None:
    path, meta = _make(tmp_path)
    stamp = path.stat().st_mtime_ns
    again, meta_again = _make(tmp_path)
    assert again == path
    assert again.stat().st_mtime_ns == stamp
    assert meta_again == meta
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # an interrupted copy, say
    repaired, _ = _make(tmp_path)
    assert repaired.read_bytes() == good


def test_rows_orders_and_line_layout(tmp_path: Path) -> None:
    path, meta = _make(tmp_path)
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == ROWS + 1
    assert b"\n" not in raw.replace(b"\r\n", b"")
    header, *rows = _rows(path)
    assert len(rows) == ROWS == meta["rows_total"]
    assert all(len(row) == len(header) for row in rows)
    ids = [row[0] for row in rows]
    blanked = ids.count("")
    assert ORDERS - blanked <= len(set(ids) - {""}) <= ORDERS
    # grouped: an order's lines are adjacent (a blanked id inside a run does not split it)
    seen: set[str] = set()
    previous = None
    for order in ids:
        if order and order != previous:
            assert order not in seen, f"{order} appears in two separate runs"
            seen.add(order)
        if order:
            previous = order


def test_file_carries_the_mess_a_real_export_has(tmp_path: Path) -> None:
    path, meta = _make(tmp_path)
    text = path.read_text(encoding="utf-8")
    header, *rows = _rows(path)
    ship_modes = {row[header.index("Ship Mode")] for row in rows}
    assert {"Not Available", ""} <= ship_modes
    assert '"Washington, D.C."' in text  # a quoted field with a comma, before Region
    assert any(row[header.index("Region")] != row[header.index("Region")].strip() for row in rows)
    assert 0 < meta["rows_rejected"] < ROWS * 0.01
    assert meta["rows_valid"] + meta["rows_rejected"] == meta["rows_total"]


def test_shuffled_layout_interleaves_orders(tmp_path: Path) -> None:
    path, _ = _make(tmp_path, layout="shuffled")
    ids = [row[0] for row in _rows(path)[1:] if row[0]]
    changes = sum(1 for a, b in itertools.pairwise(ids) if a != b)
    assert changes > len(set(ids)) * 1.5


def test_rejects_fewer_rows_than_orders(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="distinct orders"):
        generate.ensure(generate.Params(10, 1, 11), tmp_path)


def test_command_line_prints_the_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--rows", "50", "--distinct-orders", "20", "--cache-dir", str(tmp_path)]
    assert generate.main(args) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == tmp_path
    assert len(list(csv.reader(io.StringIO(printed.read_text())))) == 51
