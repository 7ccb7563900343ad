"""Exact sums per group: the same totals on every path, and a cost per row, not per code."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from orders_reports.profit import SUM_SCALE, LineProfits


def _sums(numerators: list[int], groups: list[int], dtype: type = np.int64) -> dict[int, int]:
    profits = LineProfits(numerators=np.array(numerators, dtype=dtype), scale=2)
    return profits.sums_by(np.array(groups, dtype=np.int64))


@pytest.mark.parametrize(
    "groups",
    [[3, 0, 3, 1], [3 + 2**30, 0, 3 + 2**30, 1]],  # small codes; codes far beyond the block
    ids=["dense", "sparse"],
)
@pytest.mark.parametrize("dtype", [np.int64, object])
def test_every_path_gives_exact_sums(groups: list[int], dtype: type) -> None:
    widen = 10 ** (SUM_SCALE - 2)
    got = _sums([5, -7, 11, 2], groups, dtype)
    assert got == {groups[0]: 16 * widen, 0: -7 * widen, 1: 2 * widen}
    # Each value fits int64, but a sum of two would not: summed as Python integers.
    got = _sums([2**62, 5, 2**62, -1], groups, dtype)
    assert got == {groups[0]: 2**63 * widen, 0: 5 * widen, 1: -1 * widen}


def test_a_block_with_a_large_code_costs_its_rows_not_its_codes() -> None:
    """A file with a region per line gives codes into the millions; a block of two rows
    must not allocate an array for every code below them."""
    tracemalloc.start()
    try:
        _sums([1, 2], [0, 50_000_000])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
