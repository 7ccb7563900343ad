"""Exact codes: equal values get one code in every block, different values never share
one, even when their hashes collide."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_reports.codes import PairCodes, TextCodes, _Slots, _Values


def test_colliding_hashes_still_get_distinct_codes() -> None:
    slots = _Slots()
    keys = np.array([10, 20, 30, 40], dtype=np.int64)
    collide = np.zeros(4, dtype=np.int64)  # every key has the same hash

    def same(at: np.ndarray, codes: np.ndarray) -> np.ndarray:
        return keys[at] == stored[codes]

    stored = keys.copy()
    assert slots.find(collide, same).tolist() == [-1, -1, -1, -1]
    assert slots.add(collide).tolist() == [0, 1, 2, 3]
    assert slots.find(collide, same).tolist() == [0, 1, 2, 3]
    # A key with the same hash that was never added is not found.
    keys = np.array([50], dtype=np.int64)
    assert slots.find(collide[:1], same).tolist() == [-1]


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(st.lists(st.sampled_from(["a", "b", " a", "é", "", "x" * 50]), max_size=40)))
def test_text_codes_are_first_seen_order_and_stable_across_blocks(blocks: list[list[str]]) -> None:
    codes = TextCodes()
    first_seen: dict[str, int] = {}
    for block in blocks:
        column = pa.array(block, pa.string()).dictionary_encode()
        got, _ = codes.encode(column)
        want = [first_seen.setdefault(value.strip(), len(first_seen)) for value in block]
        assert got.tolist() == want
    if first_seen:
        everything = np.arange(len(first_seen), dtype=np.int64)
        assert codes.values(everything).to_pylist() == list(first_seen)


def test_values_are_found_in_any_order_across_many_chunks() -> None:
    values = _Values()
    expected: list[str] = []
    for size in (1, 5, 2, 40, 3, 3, 100, 1):
        chunk = [f"v{len(expected) + i}" for i in range(size)]
        values.append(pa.array(chunk))
        expected += chunk
    codes = np.random.default_rng(7).permutation(len(expected)).astype(np.int64)
    assert values.take(codes).to_pylist() == [expected[c] for c in codes]
    assert values.take(np.empty(0, dtype=np.int64)).to_pylist() == []


def test_pair_codes_follow_first_appearance() -> None:
    pairs = PairCodes()
    first = pairs.encode(np.array([1, 1, 2], np.int64), np.array([5, 5, 6], np.int64))
    second = pairs.encode(np.array([2, 3], np.int64), np.array([6, 5], np.int64))
    assert (first.tolist(), second.tolist()) == ([0, 0, 1], [1, 2])
    firsts, seconds = pairs.pairs()
    assert (firsts.tolist(), seconds.tolist()) == ([1, 2, 3], [5, 6, 5])


@settings(max_examples=80, deadline=None)
@given(
    blocks=st.lists(
        st.lists(
            st.tuples(
                st.one_of(st.integers(0, 5), st.integers(0, 70_000)),
                st.one_of(st.integers(0, 5), st.integers(0, 70_000)),
            ),
            max_size=30,
        ),
        max_size=6,
    )
)
def test_pair_codes_are_one_per_pair_whichever_way_a_block_is_coded(
    blocks: list[list[tuple[int, int]]],
) -> None:
    # Small code ranges take the lookup table, large ones the sort; a pair must keep its
    # code across blocks coded either way, and distinct pairs never share one.
    pairs = PairCodes()
    seen: dict[tuple[int, int], int] = {}
    for block in blocks:
        firsts = np.array([first for first, _ in block], np.int64)
        seconds = np.array([second for _, second in block], np.int64)
        got = pairs.encode(firsts, seconds).tolist()
        for pair, code in zip(block, got, strict=True):
            assert seen.setdefault(pair, code) == code
    assert len(set(seen.values())) == len(seen)
    firsts, seconds = pairs.pairs()
    coded = zip(firsts.tolist(), seconds.tolist(), strict=True)
    assert {pair: code for code, pair in enumerate(coded)} == seen
