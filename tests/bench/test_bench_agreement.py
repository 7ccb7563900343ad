"""The agreement checker catches every kind of disagreement; the runner fails loudly on one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import run
from bench.reports import (
    MANIFEST,
    REGION_REPORT,
    REJECTED,
    REPORTS,
    SHIP_MODE_REPORT,
    compare_outputs,
    report_bytes,
)

COUNTS = {"rows_total": 3, "rows_valid": 2, "rows_rejected": 1}


def _write(out: Path, counts: dict[str, int] = COUNTS, rejected_rows: int = 1) -> Path:
    out.mkdir(parents=True)
    (out / REGION_REPORT).write_bytes(report_bytes(REGION_REPORT, [("East", "1.00")]))
    (out / SHIP_MODE_REPORT).write_bytes(report_bytes(SHIP_MODE_REPORT, [("F", "Same Day", 2)]))
    orders = "orders_by_category_subcategory.csv"
    (out / orders).write_bytes(report_bytes(orders, [("F", "Chairs, Tables", 2)]))
    (out / MANIFEST).write_text(json.dumps({"source": "x", **counts, "reports": {}}))
    (out / REJECTED).write_text("a,reject_reason\n" + "x,bad\n" * rejected_rows)
    return out


def test_identical_outputs_agree(tmp_path: Path) -> None:
    outputs = {t: _write(tmp_path / t) for t in ("cli", "pandas", "duckdb")}
    result = compare_outputs(outputs, COUNTS)
    assert result.ok, result.problems


def test_a_single_changed_byte_is_a_disagreement(tmp_path: Path) -> None:
    outputs = {t: _write(tmp_path / t) for t in ("cli", "pandas")}
    (outputs["pandas"] / REGION_REPORT).write_bytes(b"region,profit\nEast,1.01\n")
    problems = compare_outputs(outputs).problems
    assert len(problems) == 1
    assert REGION_REPORT in problems[0]
    assert "'East,1.00'" in problems[0]
    assert "'East,1.01'" in problems[0]


def test_line_ends_alone_are_a_disagreement(tmp_path: Path) -> None:
    outputs = {t: _write(tmp_path / t) for t in ("cli", "duckdb")}
    path = outputs["cli"] / SHIP_MODE_REPORT
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    problems = compare_outputs(outputs).problems
    assert len(problems) == 1
    assert "ends" in problems[0]


def test_a_missing_report_is_a_disagreement(tmp_path: Path) -> None:
    outputs = {t: _write(tmp_path / t) for t in ("cli", "pandas")}
    (outputs["cli"] / "orders_by_category_subcategory.csv").unlink()
    problems = compare_outputs(outputs).problems
    assert any("missing from cli" in p for p in problems)


def test_counts_must_match_each_other_the_generator_and_the_rejects_file(tmp_path: Path) -> None:
    same = {t: _write(tmp_path / "a" / t) for t in ("cli", "pandas")}
    assert not compare_outputs(same, {**COUNTS, "rows_rejected": 2, "rows_valid": 1}).ok

    other = {"cli": _write(tmp_path / "b" / "cli")}
    other["pandas"] = _write(
        tmp_path / "b" / "pandas", {"rows_total": 3, "rows_valid": 3, "rows_rejected": 0}, 0
    )
    assert any("row counts differ" in p for p in compare_outputs(other).problems)

    short = {"cli": _write(tmp_path / "c" / "cli", COUNTS, rejected_rows=0)}
    assert any("wrote 0 rows but counted 1" in p for p in compare_outputs(short).problems)

    bad_sum = {"cli": _write(tmp_path / "d" / "cli", {**COUNTS, "rows_total": 4})}
    assert any("rows_total !=" in p for p in compare_outputs(bad_sum).problems)


def _baselines_only(tmp_path: Path, repeats: int = 2) -> list[str]:
    return [
        "--rows",
        "3000",
        "--repeats",
        str(repeats),
        "--tools",
        "pandas,duckdb",
        "--no-sublinear",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--json",
        str(tmp_path / "figures.json"),
    ]


def test_runner_measures_and_checks_both_baselines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run.main(_baselines_only(tmp_path)) == 0
    printed = capsys.readouterr().out
    assert "identical reports and row counts: OK" in printed
    assert "Machine" in printed
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["agreement"]["ok"]
    assert [r["tool"] for r in figures["runs"]] == ["pandas", "duckdb", "duckdb", "pandas"]
    for tool in ("pandas", "duckdb"):
        row = figures["summary"][tool]
        assert row["wall_s"] > 0
        assert row["peak_rss_mib"] > 20  # a Python process with its libraries, at least
        assert row["mib_per_s"] > 0
    assert figures["machine"]["nproc"] >= 1
    assert figures["machine"]["versions"]["duckdb"]


def test_runner_exits_non_zero_when_a_tool_disagrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    honest = run.tool_command

    def lying_duckdb(tool: str, input_path: Path, out_dir: Path) -> list[str]:
        cmd = honest(tool, input_path, out_dir)
        if tool != "duckdb":
            return cmd
        # The real DuckDB baseline, then one region's profit off by a cent.
        script = (
            "import subprocess, sys, pathlib\n"
            "subprocess.run(sys.argv[1:], check=True)\n"
            f"p = pathlib.Path({str(out_dir)!r}) / {REGION_REPORT!r}\n"
            "head, row = p.read_text().splitlines()[:2]\n"
            "region, profit = row.split(',')\n"
            "p.write_text(f'{head}\\n{region},{float(profit) + 0.01:.2f}\\n')\n"
        )
        return [sys.executable, "-c", script, *cmd]

    monkeypatch.setattr(run, "tool_command", lying_duckdb)
    assert run.main(_baselines_only(tmp_path, repeats=1)) == 1
    printed = capsys.readouterr().out
    assert "Agreement: FAILED" in printed
    assert f"{REGION_REPORT}: pandas and duckdb differ" in printed


def test_reports_layout_is_spec_section_3() -> None:
    assert report_bytes(REGION_REPORT, []) == b"region,profit\n"
    assert set(REPORTS) == {
        "most_profitable_region.csv",
        "most_common_ship_mode_by_category.csv",
        "orders_by_category_subcategory.csv",
    }
    assert report_bytes(SHIP_MODE_REPORT, [("A, B", 'x"y', 3)]).endswith(b'"A, B","x""y",3\n')
