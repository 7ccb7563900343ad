"""The two baselines compute the documented reports exactly, and identically to each other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import baselines, generate
from bench.reports import (
    ORDERS_REPORT,
    REGION_REPORT,
    REJECTED,
    REPORTS,
    SHIP_MODE_REPORT,
    compare_outputs,
)
from support import SAMPLE_CSV

ENGINES = sorted(baselines.ENGINES)

SAMPLE_EXPECTED = {
    REGION_REPORT: "region,profit\nEast,2465.50\n",
    SHIP_MODE_REPORT: (
        "category,ship_mode,order_count\n"
        "Furniture,Same Day,2\n"
        "Furniture,Standard Class,2\n"
        "Office Supplies,Standard Class,4\n"
        "Technology,Same Day,2\n"
    ),
    ORDERS_REPORT: (
        "category,sub_category,order_count\n"
        "Furniture,Bookcases,1\n"
        "Furniture,Chairs,1\n"
        "Furniture,Furnishings,1\n"
        "Furniture,Tables,2\n"
        "Office Supplies,Appliances,2\n"
        "Office Supplies,Art,2\n"
        "Office Supplies,Binders,3\n"
        "Office Supplies,Labels,1\n"
        "Office Supplies,Paper,1\n"
        "Office Supplies,Storage,3\n"
        "Technology,Phones,3\n"
    ),
}

# Every input rule (app/README.md) on a few lines: header spellings, a BOM, CRLF, a blank
# line, quoting, padded values, each rejection rule, unknown ship modes in any case, a
# region tie that only exists after rounding to cents, and a category whose orders all
# have an unknown ship mode.
EDGE_CSV = (
    "\ufeffORDER-ID, Ship_Mode ,Region,Category,Sub-Category,Cost Price,list price,"
    "QUANTITY,discount percent,Note\r\n"
    'A1,Standard Class,West,Furniture,Chairs,10,20,1,0,"a, ""b"""\r\n'
    "A1,Standard Class,West,Furniture,Tables,5,10,2,50,\r\n"
    "A2,not available,East,Furniture,Chairs,0,10,1,0,\r\n"
    "A3,First Class,East,Office Supplies,Paper,1,1.002,2,0,\r\n"
    "\r\n"
    ",Same Day,West,Furniture,Chairs,1,2,1,0,order_id empty\r\n"
    "B1,Same Day,,Furniture,Chairs,1,2,1,0,region empty\r\n"
    "B2,Same Day,West,Furniture,Chairs,abc,2,1,0,cost not a number\r\n"
    "B3,Same Day,West,Furniture,Chairs,1,-2,1,0,list negative\r\n"
    "B4,Same Day,West,Furniture,Chairs,1,2,0,0,quantity zero\r\n"
    "B5,Same Day,West,Furniture,Chairs,1,2,1.5,0,quantity fractional\r\n"
    "B6,Same Day,West,Furniture,Chairs,1,2,1,101,discount over 100\r\n"
    "B7,Same Day,West,Furniture,Chairs,1,2,1,,discount missing\r\n"
    "C1,,South,Technology,Phones,20,10,1,0,\r\n"
    "C2,NOT AVAILABLE,South,Technology,Phones,0,5,1,0,\r\n"
    'A3," First Class "," East ",Office Supplies,Paper,0,0," 3 ",0,'
)
EDGE_EXPECTED = {
    REGION_REPORT: "region,profit\nEast,10.00\nWest,10.00\n",
    SHIP_MODE_REPORT: (
        "category,ship_mode,order_count\n"
        "Furniture,Standard Class,1\n"
        "Office Supplies,First Class,1\n"
    ),
    ORDERS_REPORT: (
        "category,sub_category,order_count\n"
        "Furniture,Chairs,2\n"
        "Furniture,Tables,1\n"
        "Office Supplies,Paper,1\n"
        "Technology,Phones,2\n"
    ),
}


def _run(engine: str, source: Path, out: Path) -> dict[str, int]:
    return baselines.ENGINES[engine](source, out)


def _reports(out: Path) -> dict[str, str]:
    return {name: (out / name).read_bytes().decode("utf-8") for name in REPORTS}


@pytest.mark.parametrize("engine", ENGINES)
def test_sample_reports_exactly(engine: str, tmp_path: Path) -> None:
    counts = _run(engine, SAMPLE_CSV, tmp_path)
    assert _reports(tmp_path) == SAMPLE_EXPECTED
    assert counts == {"rows_total": 20, "rows_valid": 20, "rows_rejected": 0}
    assert not (tmp_path / REJECTED).exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_every_rule_on_a_crafted_file(engine: str, tmp_path: Path) -> None:
    source = tmp_path / "edge.csv"
    source.write_bytes(EDGE_CSV.encode("utf-8"))
    out = tmp_path / "out"
    counts = _run(engine, source, out)
    assert _reports(out) == EDGE_EXPECTED
    assert counts == {"rows_total": 15, "rows_valid": 7, "rows_rejected": 8}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows_rejected"] == 8
    rejected = (out / REJECTED).read_text(encoding="utf-8").splitlines()
    assert rejected[0].endswith(",reject_reason")
    assert len(rejected) == 9


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_columns_refuse_the_file(
    engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "partial.csv"
    source.write_text("Order Id,Region,Category\nA,West,Furniture\n")
    out = tmp_path / "out"
    assert baselines.main([engine, str(source), "--out", str(out)]) == 2
    assert "ship_mode" in capsys.readouterr().err
    assert not any((out / name).exists() for name in REPORTS)


@pytest.mark.parametrize("engine", ENGINES)
def test_header_only_gives_header_only_reports(engine: str, tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_bytes(SAMPLE_CSV.read_bytes().split(b"\r\n", 1)[0] + b"\r\n")
    counts = _run(engine, source, tmp_path / "out")
    assert counts == {"rows_total": 0, "rows_valid": 0, "rows_rejected": 0}
    for name, header in REPORTS.items():
        assert (tmp_path / "out" / name).read_text() == ",".join(header) + "\n"


@pytest.mark.parametrize("layout", ["grouped", "shuffled"])
def test_both_baselines_agree_on_a_generated_file(layout: str, tmp_path: Path) -> None:
    path, meta = generate.ensure(generate.Params(4_000, 5, 1_200, layout), tmp_path)
    outputs = {engine: tmp_path / engine for engine in ENGINES}
    for engine, out in outputs.items():
        _run(engine, path, out)
    agreement = compare_outputs(outputs, meta)
    assert agreement.ok, agreement.problems
    # Distinct orders are counted: the per-sub-category counts cannot exceed the orders.
    lines = (outputs["pandas"] / ORDERS_REPORT).read_text().splitlines()[1:]
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines) >= meta["distinct_orders_valid"]
    assert all(int(line.rsplit(",", 1)[1]) <= meta["distinct_orders_valid"] for line in lines)
