"""Exact dense integer codes for order ids, without a Python object per id.

The report engine keys its distinct (group, order) pairs by order code. A Python dict
of a million ids costs a lookup (and a str) per id per block, which dominated files
whose orders are scattered; here ids are packed UTF-8 words found through a numpy
hash table, and equality of the stored words, not the hash, decides.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from orders_reports import schema
from orders_reports.schema import Int64Array

Uint64Array = npt.NDArray[np.uint64]
_WORD = 8
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(values: Uint64Array) -> Uint64Array:
    """splitmix64's finaliser: a bijection on uint64 that maps 0 to 0."""
    values = (values ^ (values >> np.uint64(30))) * _MIX1
    values = (values ^ (values >> np.uint64(27))) * _MIX2
    result: Uint64Array = values ^ (values >> np.uint64(31))
    return result


def _pack_utf8(strings: pa.Array) -> tuple[Uint64Array, Int64Array]:
    """Each string's UTF-8 bytes, NUL-padded to whole 64-bit words: (words, byte lengths).

    Padding counts bytes, not characters, so multi-byte ids pack correctly. Padding is
    ambiguous on its own ("A" vs "A\\0"), which is why the length is part of an id's
    identity everywhere the words are compared.
    """
    count = len(strings)
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)
    offsets = offsets[strings.offset : strings.offset + count + 1].astype(np.int64)
    lengths: Int64Array = np.diff(offsets)
    width = max(1, -(-int(lengths.max(initial=0)) // _WORD))
    padded = np.zeros(count * width * _WORD, dtype=np.uint8)
    total = int(offsets[-1] - offsets[0])
    if total:
        data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
        # Byte i of the value data goes to its string's row, at its place in the string.
        starts = offsets[:-1] - offsets[0]
        row_starts = np.arange(count, dtype=np.int64) * (width * _WORD)
        padded[np.arange(total) + np.repeat(row_starts - starts, lengths)] = data
    return padded.view(np.uint64).reshape(count, width), lengths


def _widen(words: Uint64Array, width: int) -> Uint64Array:
    """The same ids padded with zero words to ``width`` words (a no-op if wide enough)."""
    if words.shape[1] >= width:
        return words
    wider = np.zeros((len(words), width), dtype=np.uint64)
    wider[:, : words.shape[1]] = words
    return wider


def _hash_ids(words: Uint64Array, lengths: Int64Array) -> Uint64Array:
    """A 64-bit hash of each packed id. Trailing zero words add nothing (each word's
    term is 0 for 0), so an id hashes the same however wide the table has grown."""
    hashes = _mix(lengths.astype(np.uint64) * np.uint64(_GOLDEN) + np.uint64(1))
    for position in range(words.shape[1]):
        hashes ^= _mix(words[:, position] * np.uint64((2 * position + 3) * _GOLDEN % 2**64))
    return hashes


class HashIndex:
    """An open-addressing hash table (linear probing) from 64-bit hashes to codes, driven
    by whole numpy arrays: each probe round handles every still-unresolved key at once.

    Slots are picked by the hash's top bits, and the table stays at most half full, so a
    lookup costs about one random memory access per key (sorted arrays and binary search
    cost twenty). Keys must be distinct: only an id's first owner of a hash is indexed.
    """

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._hashes: Uint64Array = np.zeros(capacity, dtype=np.uint64)
        self._codes: Int64Array = np.full(capacity, -1, dtype=np.int64)  # -1: empty slot
        self._count = 0

    def _home(self, hashes: Uint64Array) -> Int64Array:
        shift = np.uint64(64 - (len(self._codes).bit_length() - 1))
        home: Int64Array = (hashes >> shift).astype(np.int64)
        return home

    def find(self, hashes: Uint64Array) -> Int64Array:
        """The code indexed under each hash, -1 where there is none."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        pending = np.arange(len(hashes))
        slots = self._home(hashes)
        mask = len(self._codes) - 1
        while len(pending):
            codes = self._codes[slots]
            hit = (codes >= 0) & (self._hashes[slots] == hashes[pending])
            found[pending[hit]] = codes[hit]
            # An empty slot ends the search; a slot holding another hash sends it on.
            onward = (codes >= 0) & ~hit
            pending, slots = pending[onward], (slots[onward] + 1) & mask
        return found

    def add(self, hashes: Uint64Array, codes: Int64Array) -> None:
        """Index new, distinct hashes (none of them indexed yet)."""
        if 2 * (self._count + len(hashes)) > len(self._codes):
            self._grow(2 * (self._count + len(hashes)))
        self._place(hashes, codes)

    def _place(self, hashes: Uint64Array, codes: Int64Array) -> None:
        pending = np.arange(len(hashes))
        slots = self._home(hashes)
        mask = len(self._codes) - 1
        while len(pending):
            free = self._codes[slots] < 0
            # Several keys may want the same free slot: the first takes it.
            taken, first = np.unique(slots[free], return_index=True)
            winners = pending[free][first]
            self._hashes[taken] = hashes[winners]
            self._codes[taken] = codes[winners]
            placed = np.zeros(len(pending), dtype=np.bool_)
            placed[np.flatnonzero(free)[first]] = True
            # Everyone else's slot is now occupied: try the next one.
            pending, slots = pending[~placed], (slots[~placed] + 1) & mask
        self._count += len(hashes)

    def _grow(self, at_least: int) -> None:
        occupied = self._codes >= 0
        hashes, codes = self._hashes[occupied], self._codes[occupied]
        capacity = len(self._codes)
        while capacity < at_least:
            capacity *= 2
        self._hashes = np.zeros(capacity, dtype=np.uint64)
        self._codes = np.full(capacity, -1, dtype=np.int64)
        self._count = 0
        self._place(hashes, codes)


class OrderCodes:
    """Exact dense codes for order ids, without a Python object per id.

    A Python dict of a million ids costs a lookup (and a str) per id per block, which
    dominated files whose orders are scattered. Here an id is its UTF-8 bytes packed
    into 64-bit words, found by a 64-bit hash in a numpy hash table, and every hit is
    confirmed against the stored words and length: a hash only ever proposes a code,
    equality decides. An id whose hash is taken by a different id (odds of about 3 in
    10**8 for a file of a million ids) gets its code from a small dict keyed by its bytes
    instead, so codes stay exact in every case.
    """

    def __init__(self) -> None:
        # Indexed by code; rows beyond ``_count`` are spare capacity (grown by doubling,
        # so storing a block's new ids costs time in proportion to them, not to the table).
        self._words: Uint64Array = np.zeros((1024, 1), dtype=np.uint64)
        self._lengths: Int64Array = np.zeros(1024, dtype=np.int64)
        self._index = HashIndex()
        self._collided: dict[bytes, int] = {}
        self._count = 0

    def encode(self, column: pa.DictionaryArray) -> tuple[Int64Array, schema.BoolArray]:
        """Per row: the code of its trimmed order id, and whether that id is empty."""
        words, lengths = _pack_utf8(schema.trim(column.dictionary))
        codes = self._codes_of(words, lengths)
        indices = schema.dictionary_indices(column)
        empty: schema.BoolArray = lengths[indices] == 0
        result: Int64Array = codes[indices]
        return result, empty

    def _codes_of(self, words: Uint64Array, lengths: Int64Array) -> Int64Array:
        width = max(words.shape[1], self._words.shape[1])
        words, self._words = _widen(words, width), _widen(self._words, width)
        hashes = _hash_ids(words, lengths)
        codes = self._index.find(hashes)
        known = np.flatnonzero(codes >= 0)
        collided = known[~self._same(codes[known], words[known], lengths[known])]
        new = codes < 0
        codes[new] = self._add_new(hashes[new], words[new], lengths[new])
        codes[collided] = self._collided_codes(words[collided], lengths[collided])
        return codes

    def _same(self, codes: Int64Array, words: Uint64Array, lengths: Int64Array) -> schema.BoolArray:
        """Per id: the stored id of its code has exactly these words and length."""
        same: schema.BoolArray = (self._lengths[codes] == lengths) & (
            self._words[codes] == words
        ).all(axis=1)
        return same

    def _add_new(self, hashes: Uint64Array, words: Uint64Array, lengths: Int64Array) -> Int64Array:
        """Codes for ids that no run knows: one new code per distinct id.

        Equal hashes within the block share the first one's code when the ids are equal
        (one id trimmed from differently padded raw values) and go to the collision dict
        when they are not.
        """
        if not len(hashes):
            return np.zeros(0, dtype=np.int64)
        unique, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        new_codes = self._store(words[first], lengths[first])
        codes: Int64Array = new_codes[inverse]
        clash = np.flatnonzero(~self._same(codes, words, lengths))
        codes[clash] = self._collided_codes(words[clash], lengths[clash])
        self._index.add(unique, new_codes)
        return codes

    def _collided_codes(self, words: Uint64Array, lengths: Int64Array) -> Int64Array:
        """Codes for ids whose hash belongs to another id: exact, by bytes, rarely used."""
        codes = np.empty(len(words), dtype=np.int64)
        for index, (row, length) in enumerate(zip(words, lengths.tolist(), strict=True)):
            key = row.tobytes()[:length]
            code = self._collided.get(key)
            if code is None:
                code = self._collided[key] = int(
                    self._store(row[np.newaxis], lengths[index : index + 1])[0]
                )
            codes[index] = code
        return codes

    def _store(self, words: Uint64Array, lengths: Int64Array) -> Int64Array:
        """Append ids (already as wide as the table) and return their new codes."""
        start, end = self._count, self._count + len(words)
        if end > len(self._lengths):
            capacity = max(end, 2 * len(self._lengths))
            grown_words = np.zeros((capacity, self._words.shape[1]), dtype=np.uint64)
            grown_words[:start] = self._words[:start]
            grown_lengths = np.zeros(capacity, dtype=np.int64)
            grown_lengths[:start] = self._lengths[:start]
            self._words, self._lengths = grown_words, grown_lengths
        self._words[start:end] = words
        self._lengths[start:end] = lengths
        self._count = end
        return np.arange(start, end, dtype=np.int64)
