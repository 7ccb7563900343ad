"""The reference model (tests/reference_model.py) is a trustworthy oracle: exact known
values, and the same report bytes as the command line on the sample, the hand-written
edge cases and generated files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runs import run_cli
from edge_cases import EDGE_CSV, EDGE_REPORTS, LOSSES_CSV, LOSSES_REGION_REPORT
from reference_model import curated_rows, reports

from support import SAMPLE_CSV


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_sample_reports_hold_the_known_values() -> None:
    rows = curated_rows(_text(SAMPLE_CSV))
    assert len(rows) == 20
    got = reports(rows)
    assert got["most_profitable_region"] == b"region,profit\nEast,2465.50\n"
    assert got["most_common_ship_mode_by_category"].startswith(
        b"category,ship_mode,order_count\nFurniture,Same Day,2\nFurniture,Standard Class,2\n"
    )


def test_edge_cases_give_the_hand_computed_reports() -> None:
    assert reports(curated_rows(EDGE_CSV)) == EDGE_REPORTS
    assert reports(curated_rows(LOSSES_CSV))["most_profitable_region"] == LOSSES_REGION_REPORT


def test_curated_rows_are_trimmed_exact_and_carry_the_line_profit() -> None:
    (row,) = curated_rows(
        "Order Id,Ship Mode,Region,Category,Sub-Category,Cost Price,list price,QUANTITY,"
        "discount_percent\n ca-1 , not available ,\u00a0East\u2003,Furniture,Chairs,"
        "1.1, 10.1 ,3,12.5\n"
    )
    assert (row.order_id, row.ship_mode, row.region) == ("ca-1", "not available", "East")
    assert row.profit == Decimal("23.2125")  # (10.1 * 0.875 - 1.1) * 3, no binary rounding


def test_invalid_and_blank_rows_are_left_out() -> None:
    header = (
        "order id,ship mode,region,category,sub category,cost price,list price,quantity,"
        "discount percent\n"
    )
    lines = [
        ",Same Day,East,F,C,1,2,1,0",  # order_id empty
        "o,Same Day,East,F,C,1,-2,1,0",  # negative price
        "o,Same Day,East,F,C,1,2,1.5,0",  # not a whole quantity
        "o,Same Day,East,F,C,1,2,0,0",  # quantity below 1
        "o,Same Day,East,F,C,1,2,1,100.01",  # discount outside [0, 100]
        "o,Same Day,East,F,C,1,2,1,5%",  # not a number
        "o,Same Day,East,F,C,1,2,1",  # a field short
        "   ",  # blank: skipped
        "ok,Same Day,East,F,C,1,2,2.0,100",  # valid: 2.0 is whole, 100 is in range
    ]
    (row,) = curated_rows(header + "\n".join(lines) + "\n")
    assert row.order_id == "ok"
    assert (row.quantity, row.profit) == (Decimal(2), Decimal(-2))


@pytest.mark.parametrize("name", ["sample", "edge", "losses"])
def test_reference_agrees_with_the_command_line_on_hand_written_files(
    name: str, tmp_path: Path
) -> None:
    if name == "sample":
        source = SAMPLE_CSV
    else:
        source = tmp_path / f"{name}.csv"
        source.write_bytes((EDGE_CSV if name == "edge" else LOSSES_CSV).encode())
    assert run_cli(source, tmp_path / "out") == reports(curated_rows(_text(source)))


@pytest.mark.parametrize(("seed", "layout"), [(3, "shuffled"), (4, "grouped")])
def test_reference_agrees_with_the_command_line_on_generated_files(
    generated_file: Callable[..., Path], seed: int, layout: str, tmp_path: Path
) -> None:
    source = generated_file(3_000, seed, 900, layout)
    assert run_cli(source, tmp_path / "out") == reports(curated_rows(_text(source)))
