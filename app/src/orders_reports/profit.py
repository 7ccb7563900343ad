"""Exact line profits and their sums, as integers over a power of ten.

With ``L = l/10^a``, ``C = c/10^b``, ``D = d/10^e`` and ``Q = q/10^g`` (integers at each
column's scale), a line's profit ``(L * (1 - D/100) - C) * Q`` is exactly
``N / 10^k`` with

    N = q * (l * (100 * 10^e - d) * 10^b - 100 * 10^(a+e) * c),    k = 2 + a + b + e + g.

``N`` is computed with numpy int64 when a bound from the block's largest values proves
it cannot overflow (every realistic file), and with Python integers otherwise; sums
are Python integers. Nothing is ever a binary float.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from orders_reports.numbers import IntArray, exact_decimals
from orders_reports.schema import MAX_ABS_PROFIT

# Every sum is kept over this power of ten: the largest k the supported range allows.
SUM_SCALE = 23
CURATED_PROFIT = pa.decimal128(38, 16)
_INT64_LIMIT = 2**63
_DENSE_GROUPS = 1 << 16  # group codes summed through an array of every code


@dataclass(frozen=True)
class LineProfits:
    """The exact profit of each line: ``numerators / 10**scale``."""

    numerators: IntArray
    scale: int

    def subset(self, rows: npt.NDArray[np.bool_]) -> LineProfits:
        return LineProfits(numerators=self.numerators[rows], scale=self.scale)

    def out_of_range(self) -> npt.NDArray[np.bool_]:
        """Lines whose profit is beyond what the product supports."""
        limit = MAX_ABS_PROFIT * 10**self.scale
        if self.numerators.dtype != object:
            return np.zeros(len(self.numerators), dtype=np.bool_)  # |N| < 2**63 < limit
        return np.asarray([abs(n) >= limit for n in self.numerators], dtype=np.bool_)

    def sums_by(self, groups: npt.NDArray[np.int64]) -> dict[int, int]:
        """Exact sum per group code, each over ``10**SUM_SCALE``."""
        if not len(groups):
            return {}
        values = self.numerators
        widen = 10 ** (SUM_SCALE - self.scale)
        # No sum can overflow int64 (else Python integers).
        fits = values.dtype != object and int(np.max(np.abs(values))) * len(values) < _INT64_LIMIT
        size = int(groups.max()) + 1
        if fits and size <= len(groups) + _DENSE_GROUPS:
            # One unbuffered pass over an array of every code up to the largest, instead
            # of a sort (0.13 s -> 0.02 s over the benchmark's blocks); only where that
            # array is not much larger than the block, so the cost stays per row.
            sums = np.zeros(size, dtype=np.int64)
            np.add.at(sums, groups, values)
            present = np.flatnonzero(np.bincount(groups, minlength=size))
            totals = sums[present].tolist()
        else:
            order = np.argsort(groups, kind="stable")
            ordered_groups, ordered = groups[order], values[order]
            starts = np.flatnonzero(np.diff(ordered_groups, prepend=ordered_groups[0] - 1))
            present = ordered_groups[starts]
            if fits:
                totals = np.add.reduceat(ordered, starts).tolist()
            else:
                bounds = [*starts.tolist(), len(ordered)]
                totals = [sum(ordered[s:e].tolist()) for s, e in itertools.pairwise(bounds)]
        codes = present.tolist()
        return {code: int(total) * widen for code, total in zip(codes, totals, strict=True)}

    def as_decimal128(self) -> pa.Array:
        """The profits as Arrow decimal128(38, 16) (the curated column), exactly."""
        return exact_decimals(self.numerators, self.scale, CURATED_PROFIT)


def line_profits(numbers: Mapping[str, IntArray], scales: Mapping[str, int]) -> LineProfits:
    """Profits of rows given each number column per row at its scale (valid rows only)."""
    price, cost = numbers["list_price"], numbers["cost_price"]
    discount, quantity = numbers["discount_percent"], numbers["quantity"]
    a, b = scales["list_price"], scales["cost_price"]
    e, g = scales["discount_percent"], scales["quantity"]
    full_discount = 100 * 10**e
    cost_factor = 100 * 10 ** (a + e)
    price_factor = 10**b
    # The largest |N| any of these rows can reach (discounts are within [0, 100]).
    bound = _largest(quantity) * (
        _largest(price) * full_discount * price_factor + cost_factor * _largest(cost)
    )
    if bound >= _INT64_LIMIT:
        price, cost, discount, quantity = (
            np.asarray(x, dtype=object) for x in (price, cost, discount, quantity)
        )
    numerators = quantity * (price * (full_discount - discount) * price_factor - cost_factor * cost)
    return LineProfits(numerators=numerators, scale=2 + a + b + e + g)


def _largest(values: IntArray) -> int:
    if not len(values):
        return 0
    smallest, largest = int(values.min()), int(values.max())
    return max(abs(smallest), abs(largest))


def round_to_cents(total: int) -> int:
    """A sum over ``10**SUM_SCALE`` rounded once, half away from zero, to cents."""
    cent: int = 10 ** (SUM_SCALE - 2)
    cents, remainder = divmod(abs(total), cent)
    if 2 * remainder >= cent:
        cents += 1
    return -cents if total < 0 else cents


def format_cents(cents: int) -> str:
    """``246550`` -> ``"2465.50"``; never ``"-0.00"``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"
