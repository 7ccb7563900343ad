"""Dense integer codes (0, 1, 2, ... in order of first appearance) for distinct values.

Every distinct order id, region, category, sub-category and ship mode, and every
distinct (category, second value) pair, gets a code that stays the same in every
block, so that the aggregates can be plain int64 arrays.

A Python dict would do the mapping, but holds a str, an int and a dict entry per
value: about 150 bytes. On a 9 MB file whose every line has its own order, region and
ship mode that is 170 MB, and the run peaked at 465 MiB (``bench/shapes.py``; the
limit is 300). Here a value costs its UTF-8 bytes in an Arrow array plus about 40
bytes of numpy arrays: an open-addressing table of codes keyed by a 64-bit hash, with
every hash match confirmed by comparing the values themselves, so codes are exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from orders_reports.schema import InputRefused

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CODE_LIMIT = 1 << 31  # codes shift into 32-bit halves of int64 keys
_COMMON = 4096  # values also kept in a dict, first seen first
# Pairs of code ranges up to this many cells are coded through a lookup table (a block's
# cost stays O(rows + cells), and cells are bounded whatever the file holds).
_DENSE_CELLS = 1 << 16
_EMPTY = -1
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(keys: Int64Array) -> Int64Array:
    """splitmix64's finaliser: spreads structured integer keys over all 64 bits."""
    z = keys.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    mixed: Int64Array = (z ^ (z >> np.uint64(31))).astype(np.int64)
    return mixed


class _Growing:
    """An int64 array appended to in place (capacity doubles): appending is amortised
    O(new), where a concatenation per block would copy everything every time."""

    def __init__(self) -> None:
        self._data: Int64Array = np.empty(1 << 10, dtype=np.int64)
        self.size = 0

    def extend(self, values: Int64Array) -> None:
        if self.size + len(values) > len(self._data):
            grown = np.empty(2 * (self.size + len(values)), dtype=np.int64)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : self.size + len(values)] = values
        self.size += len(values)

    @property
    def values(self) -> Int64Array:
        return self._data[: self.size]


class _Slots:
    """Open addressing with linear probing, driven by whole numpy arrays: every probe
    round handles all still-unresolved keys at once. At most half full."""

    def __init__(self) -> None:
        self._hashes = _Growing()  # by code
        self._slots = np.full(1 << 10, _EMPTY, dtype=np.int32)  # code per slot

    @property
    def hashes(self) -> Int64Array:
        return self._hashes.values

    def find(
        self, hashes: Int64Array, same: Callable[[Int64Array, Int64Array], BoolArray]
    ) -> Int64Array:
        """The code of each key (-1 where none); ``same(positions, codes)`` confirms that
        the keys at ``positions`` are the ones coded ``codes``."""
        found = np.full(len(hashes), _EMPTY, dtype=np.int64)
        pending = np.arange(len(hashes))
        mask = len(self._slots) - 1
        slots = hashes & mask
        while len(pending):
            codes = self._slots[slots].astype(np.int64)
            occupied = codes != _EMPTY
            candidate = occupied.copy()
            candidate[occupied] = self.hashes[codes[occupied]] == hashes[pending[occupied]]
            if candidate.any():
                confirmed = np.zeros(len(pending), dtype=np.bool_)
                confirmed[candidate] = same(pending[candidate], codes[candidate])
                found[pending[confirmed]] = codes[confirmed]
                occupied &= ~confirmed
            pending, slots = pending[occupied], (slots[occupied] + 1) & mask
        return found

    def add(self, hashes: Int64Array) -> Int64Array:
        """Give the next codes to new, distinct keys; returns them."""
        first = self._hashes.size
        codes = np.arange(first, first + len(hashes), dtype=np.int64)
        if first + len(hashes) > CODE_LIMIT:
            raise InputRefused(f"more than {CODE_LIMIT:,} distinct values in one column")
        self._hashes.extend(hashes)
        if 2 * len(self.hashes) > len(self._slots):
            self._slots = np.full(1 << (2 * len(self.hashes)).bit_length(), _EMPTY, np.int32)
            self._place(np.arange(len(self.hashes), dtype=np.int64))
        else:
            self._place(codes)
        return codes

    def _place(self, codes: Int64Array) -> None:
        mask = len(self._slots) - 1
        slots = self.hashes[codes] & mask
        while len(codes):
            free = self._slots[slots] == _EMPTY
            # Several keys may want one free slot: the last write wins, the rest move on.
            self._slots[slots[free]] = codes[free]
            placed = free & (self._slots[slots] == codes)
            codes, slots = codes[~placed], (slots[~placed] + 1) & mask


class TextCodes:
    """Codes for the trimmed values of a text column."""

    def __init__(self, marks: Callable[[str], bool] | None = None) -> None:
        self._slots = _Slots()
        self._values = _Values()
        # The first few thousand values also in a dict: a column of a handful of values
        # (regions, categories, ship modes) is then coded without the table. On the
        # benchmark that took coding from 3.2 s to about 1 s of the run.
        self._common: dict[str, int] = {}
        self._marks = marks
        self.marked: list[int] = []  # codes of the values ``marks`` picks out

    def encode(self, column: pa.DictionaryArray) -> tuple[Int64Array, pa.DictionaryArray]:
        """Per row the code of its trimmed value; and per value of the column's
        dictionary, its trimmed value (as a dictionary of distinct values)."""
        trimmed = pc.utf8_trim_whitespace(column.dictionary)
        # Raw values that differ only in white space are one value once trimmed.
        distinct = pc.dictionary_encode(trimmed)
        texts = distinct.dictionary.to_pylist()
        common = self._common
        if len(common) < _COMMON:
            codes = np.fromiter((common.get(t, _EMPTY) for t in texts), np.int64, len(texts))
        else:  # a column of many values: the table knows every one of them
            codes = np.full(len(texts), _EMPTY, dtype=np.int64)
        rest = np.flatnonzero(codes == _EMPTY)
        if len(rest) == len(texts):  # a column of many values: no copies
            codes = self._code(texts, distinct.dictionary)
        elif len(rest):
            codes[rest] = self._code([texts[i] for i in rest], distinct.dictionary.take(rest))
        per_value = codes[np.asarray(distinct.indices, dtype=np.int64)]
        return per_value[row_indices(column)], distinct

    def _code(self, texts: list[str], values: pa.Array) -> Int64Array:
        """Codes of distinct values (``texts``, the same as ``values``), new ones given
        the next codes."""
        hashes = np.fromiter(map(hash, texts), dtype=np.int64, count=len(texts))
        codes = self._slots.find(
            hashes, lambda at, codes: _equal(values.take(pa.array(at)), self._values.take(codes))
        )
        new = np.flatnonzero(codes == _EMPTY)
        if len(new):
            codes[new] = self._slots.add(hashes[new])
            self._values.append(values if len(new) == len(values) else values.take(new))
            # Only the first values go to the dict, so past them this is no Python loop.
            common = new[codes[new] < _COMMON]
            self._common.update(
                zip([texts[i] for i in common], codes[common].tolist(), strict=True)
            )
            if self._marks is not None:
                self.marked += [int(codes[i]) for i in new if self._marks(texts[i])]
        return codes

    def values(self, codes: Int64Array) -> pa.Array:
        """The values with these codes."""
        return self._values.take(codes)


class _Values:
    """The distinct values in code order, as Arrow string chunks. Neighbouring chunks
    of similar size are merged as they come (each value is copied O(log n) times), so
    there are O(log n) chunks, and a lookup takes from each chunk on its own (Arrow's
    take on a chunked string array would first copy all of them into one)."""

    def __init__(self) -> None:
        self._chunks: list[pa.Array] = []

    def append(self, chunk: pa.Array) -> None:
        self._chunks.append(chunk)
        while len(self._chunks) > 1 and len(self._chunks[-2]) <= 2 * len(self._chunks[-1]):
            last = self._chunks.pop()
            self._chunks[-1] = pa.concat_arrays([self._chunks[-1], last])

    def take(self, codes: Int64Array) -> pa.Array:
        if not len(codes):
            return pa.array([], pa.string())
        ends = np.cumsum([len(chunk) for chunk in self._chunks])
        chunk_of = np.searchsorted(ends, codes, side="right")
        order = np.argsort(chunk_of, kind="stable")
        by_chunk, codes_by_chunk = chunk_of[order], codes[order]
        bounds = [0, *(np.flatnonzero(np.diff(by_chunk)) + 1).tolist(), len(codes)]
        parts = []
        for start, end in itertools.pairwise(bounds):
            number = int(by_chunk[start])
            first_code = int(ends[number]) - len(self._chunks[number])
            at = pa.array(codes_by_chunk[start:end] - first_code, pa.int64())
            parts.append(self._chunks[number].take(at))
        gathered = pa.concat_arrays(parts)
        # Back from chunk order to the order of ``codes``.
        return gathered.take(pa.array(np.argsort(order, kind="stable"), pa.int64()))


def row_indices(column: pa.DictionaryArray) -> Int64Array:
    """Per row of ``column``, the position of its value in the dictionary."""
    return np.asarray(column.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _equal(left: pa.Array, right: pa.Array) -> BoolArray:
    return np.asarray(pc.equal(left, right).to_numpy(zero_copy_only=False), dtype=np.bool_)


class PairCodes:
    """Codes for (first, second) pairs of codes, as int64 keys ``first << 32 | second``."""

    def __init__(self) -> None:
        self._slots = _Slots()
        self._keys = _Growing()  # by code

    def encode(self, firsts: Int64Array, seconds: Int64Array) -> Int64Array:
        if not len(firsts):
            return np.empty(0, dtype=np.int64)
        width, height = int(seconds.max()) + 1, int(firsts.max()) + 1
        if width * height <= _DENSE_CELLS:
            return self._encode_dense(firsts, seconds, width, height)
        keys = (firsts << 32) | seconds
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.diff(ordered, prepend=ordered[:1] - 1))
        codes = self._codes(ordered[starts])
        # Back from distinct keys to rows: each row's position among the distinct keys.
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.cumsum(np.diff(ordered, prepend=ordered[:1]) != 0)
        result: Int64Array = codes[rank]
        return result

    def _encode_dense(
        self, firsts: Int64Array, seconds: Int64Array, width: int, height: int
    ) -> Int64Array:
        """The usual case, a few categories and a few dozen second values: a lookup
        table over the (bounded) grid of code pairs instead of a sort of the rows."""
        cell = firsts * width + seconds
        present = np.flatnonzero(np.bincount(cell, minlength=width * height))
        lookup = np.empty(width * height, dtype=np.int64)
        lookup[present] = self._codes(((present // width) << 32) | (present % width))
        result: Int64Array = lookup[cell]
        return result

    def _codes(self, distinct: Int64Array) -> Int64Array:
        """Codes of distinct, ascending keys; new keys get the next codes in key order."""
        hashes = _mix(distinct)
        codes = self._slots.find(hashes, lambda at, codes: distinct[at] == self._keys.values[codes])
        new = np.flatnonzero(codes == _EMPTY)
        if len(new):
            codes[new] = self._slots.add(hashes[new])
            self._keys.extend(distinct[new])
        return codes

    def pairs(self) -> tuple[Int64Array, Int64Array]:
        """(first, second) of every code."""
        keys = self._keys.values
        return keys >> 32, keys & ((1 << 32) - 1)
