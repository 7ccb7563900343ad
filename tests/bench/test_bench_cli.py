"""The CLI the benchmark measures agrees with both baselines on the benchmark's data.

A run of ``make bench`` is long; this is the same agreement check on small files, so a
divergence between the engine and the baselines shows up in the ordinary test suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import baselines, generate
from bench.reports import compare_outputs
from support import SAMPLE_CSV


def _cli() -> str:
    # The console script of the installed package (make setup installs it): the very
    # command the benchmark times. Not skipped when absent: the CLI is part of the project.
    exe = Path(sys.executable).parent / "orders-reports"
    assert exe.exists(), f"{exe} is missing: run `make setup`"
    return str(exe)


def _agree(source: Path, tmp_path: Path, expected: dict[str, int] | None) -> None:
    outputs = {
        "cli": tmp_path / "cli",
        "pandas": tmp_path / "pandas",
        "duckdb": tmp_path / "duckdb",
    }
    done = subprocess.run(
        [_cli(), "run", str(source), "--out", str(outputs["cli"])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for engine in ("pandas", "duckdb"):
        baselines.ENGINES[engine](source, outputs[engine])
    agreement = compare_outputs(outputs, expected)
    assert agreement.ok, "\n".join(agreement.problems)


def test_cli_agrees_with_the_baselines_on_the_sample(tmp_path: Path) -> None:
    _agree(SAMPLE_CSV, tmp_path, {"rows_total": 20, "rows_valid": 20, "rows_rejected": 0})


@pytest.mark.parametrize("layout", ["grouped", "shuffled"])
def test_cli_agrees_with_the_baselines_on_generated_data(layout: str, tmp_path: Path) -> None:
    path, meta = generate.ensure(generate.Params(6_000, 3, 1_500, layout), tmp_path / "data")
    _agree(path, tmp_path, meta)
