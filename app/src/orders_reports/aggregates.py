"""Running aggregates of the valid rows: what the three reports need, and no more.

- :class:`DistinctOrders` keeps the distinct (group, order) pairs of one report as
  sorted int64 keys ``group << 32 | order``: each block's keys are deduplicated, and
  everything again once the pending part has grown as large as the rest (amortised
  linear work; memory ~ distinct pairs, never a product of counts).
- :class:`RegionProfits` keeps an exact integer sum per region code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from orders_reports.codes import PairCodes
from orders_reports.profit import LineProfits

Int64Array = npt.NDArray[np.int64]


def sorted_distinct(keys: Int64Array) -> Int64Array:
    """The distinct keys, sorted. (Sorting, not ``np.unique``: numpy 2.4's hashing path
    takes seconds on millions of such keys.)"""
    ordered = np.sort(keys)
    keep = np.empty(len(ordered), dtype=np.bool_)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    result: Int64Array = ordered[keep]
    return result


class DistinctOrders:
    """Distinct orders per group (a (category, sub-category) or (category, ship mode) pair)."""

    def __init__(self, compact_rows: int) -> None:
        self.groups = PairCodes()
        self._compact_rows = compact_rows
        self._keys: list[Int64Array] = []
        self._compacted_rows = 0
        self._pending_rows = 0

    def add(self, firsts: Int64Array, seconds: Int64Array, orders: Int64Array) -> None:
        if not len(orders):
            return
        groups = self.groups.encode(firsts, seconds)
        keys = sorted_distinct((groups << 32) | orders)
        self._keys.append(keys)
        self._pending_rows += len(keys)
        if self._pending_rows >= max(self._compact_rows, self._compacted_rows):
            self._compact()

    def _compact(self) -> None:
        if len(self._keys) > 1:
            self._keys = [sorted_distinct(np.concatenate(self._keys))]
        self._compacted_rows = sum(len(keys) for keys in self._keys)
        self._pending_rows = 0

    def counts(self) -> tuple[Int64Array, Int64Array, Int64Array]:
        """(first codes, second codes, distinct orders) of every group with an order."""
        self._compact()
        firsts, seconds = self.groups.pairs()
        if not self._keys:
            return firsts[:0], seconds[:0], firsts[:0]
        per_group = np.bincount(self._keys[0] >> 32, minlength=len(firsts))
        present = np.flatnonzero(per_group)
        return firsts[present], seconds[present], per_group[present]


class RegionProfits:
    """The exact total profit of each region code (Python integers: they outgrow int64)."""

    def __init__(self) -> None:
        self._totals = np.zeros(0, dtype=object)
        self._seen = np.zeros(0, dtype=np.bool_)

    def add(self, regions: Int64Array, profits: LineProfits) -> None:
        sums = profits.sums_by(regions)
        if not sums:
            return
        size = max(sums) + 1
        if size > len(self._totals):
            size = max(size, 2 * len(self._totals))
            self._totals = np.concatenate(
                [self._totals, np.zeros(size - len(self._totals), object)]
            )
            self._seen = np.concatenate([self._seen, np.zeros(size - len(self._seen), np.bool_)])
        for code, total in sums.items():
            self._totals[code] += total
            self._seen[code] = True

    def totals(self) -> tuple[Int64Array, npt.NDArray[np.object_]]:
        """(region codes, their exact totals) of every region with a valid line."""
        codes = np.flatnonzero(self._seen)
        return codes, self._totals[codes]
