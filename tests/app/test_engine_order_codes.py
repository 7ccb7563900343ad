"""Order ids get exact codes from packed UTF-8 words and a hash that only proposes.

The engine never keeps a Python object per order id: ids are NUL-padded to whole 64-bit
words (counted in bytes), looked up by a 64-bit hash and confirmed word by word. These
tests pin the edges of that scheme: ids of different byte lengths (multi-byte UTF-8
included) across blocks, a longer id widening the table after many blocks, ids that
differ only by trailing NULs, and hashes that collide.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from helpers_app import csv_bytes, row, run

from orders_reports import engine, order_codes


def _encode_blocks(blocks: Sequence[Sequence[str]]) -> list[tuple[str, int]]:
    """(trimmed id, code) for every row of every block, encoded by one _OrderCodes."""
    codes = order_codes.OrderCodes()
    pairs: list[tuple[str, int]] = []
    for block in blocks:
        encoded, empty = codes.encode(pa.array(list(block), pa.string()).dictionary_encode())
        trimmed = [value.strip() for value in block]
        assert empty.tolist() == [not value for value in trimmed]
        pairs.extend(zip(trimmed, encoded.tolist(), strict=True))
    return pairs


def _assert_exact(pairs: list[tuple[str, int]]) -> None:
    """Equal ids share a code, different ids never do."""
    code_of: dict[str, int] = {}
    id_of: dict[int, str] = {}
    for value, code in pairs:
        assert code_of.setdefault(value, code) == code, f"{value!r} got two codes"
        assert id_of.setdefault(code, value) == value, f"{value!r} and {id_of[code]!r} merged"


# 'é' is two bytes: "ééééa" is 5 characters but 9 bytes, past one 64-bit word. Padding
# counted in characters would cut it to its first 8 bytes and merge it with "ééééb".
MIXED_LENGTHS = [
    ["A", "é", "ABCDEFGH", "ééééa", " A "],
    ["ABCDEFGHI", "ééééb", "éééé", "A", "€" * 7],
    ["ABCDEFGH", "ABCDEFGHI", "ééééa", "€" * 7 + "x", "€" * 7, "", "ééééb"],
]


def test_ids_of_different_byte_lengths_across_blocks_get_exact_codes() -> None:
    _assert_exact(_encode_blocks(MIXED_LENGTHS))


def test_trailing_nul_bytes_are_part_of_the_id() -> None:
    # The padding is NUL, so "A" and "A\0" pack to the same words: the byte length must
    # tell them apart (NUL bytes are refused only near the start of a file).
    pairs = _encode_blocks([["A", "A\x00"], ["A\x00\x00", "A", "A\x00"]])
    _assert_exact(pairs)
    assert len({code for _, code in pairs}) == 3


def test_a_longer_id_after_many_blocks_widens_the_table_and_keeps_old_codes() -> None:
    short = [f"O-{i}" for i in range(3000)]
    blocks = [short[i : i + 100] for i in range(0, len(short), 100)]
    blocks.append(["Ω-" * 40, *short[::7]])  # 120 bytes: 15 words instead of 1
    blocks.append([*short[::5], "Ω-" * 40, "Ω-" * 39 + "Ω+"])
    _assert_exact(_encode_blocks(blocks))


def _weak_hash(words: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    # Every id of the same byte length collides: only equality checks can keep them apart.
    return lengths.astype(np.uint64) % np.uint64(3)


def test_colliding_hashes_never_merge_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(order_codes, "_hash_ids", _weak_hash)
    blocks = [*MIXED_LENGTHS, [f"O-{i}" for i in range(50)], [f"O-{i}" for i in range(0, 60, 3)]]
    _assert_exact(_encode_blocks(blocks))


def _distinct_orders_per_subcategory(rows: list[list[str]]) -> dict[tuple[str, str], int]:
    orders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for values in rows:
        orders[(values[3].strip(), values[4].strip())].add(values[0].strip())
    return {group: len(ids) for group, ids in orders.items()}


def _report_counts(report: bytes) -> dict[tuple[str, str], int]:
    lines = csv.DictReader(io.StringIO(report.decode()))
    return {(r["category"], r["sub_category"]): int(r["order_count"]) for r in lines}


def _file_with_a_late_long_id() -> list[list[str]]:
    rows = [
        row(order_id=f"O-{i % 700}", sub_category=f"S{i % 3}", category=f"C{i % 2}")
        for i in range(3000)
    ]
    # After many blocks and compactions: a long multi-byte id, then earlier short ids
    # again (in new groups too), then the long id and a near twin of it.
    long_id = "Bestellung-" + "ü" * 30
    rows.append(row(order_id=long_id, sub_category="S0", category="C0"))
    rows.extend(row(order_id=f"O-{i}", sub_category="S9", category="C0") for i in range(0, 700, 9))
    rows.append(row(order_id=f" {long_id} ", sub_category="S0", category="C0"))
    rows.append(row(order_id=long_id + "!", sub_category="S0", category="C0"))
    return rows


@pytest.mark.parametrize("weak_hash", [False, True], ids=["real-hash", "colliding-hash"])
def test_counts_stay_exact_when_a_longer_id_arrives_after_compaction(
    monkeypatch: pytest.MonkeyPatch, weak_hash: bool
) -> None:
    if weak_hash:
        monkeypatch.setattr(order_codes, "_hash_ids", _weak_hash)
    rows = _file_with_a_late_long_id()
    with run(csv_bytes(rows), block_size=2048, compact_rows=64) as result:
        counts = _report_counts(result.reports[engine.SUBCATEGORY_REPORT])
    assert counts == _distinct_orders_per_subcategory(rows)


def test_the_hash_index_finds_every_key_through_clusters_wraps_and_growth() -> None:
    index = order_codes.HashIndex(capacity=4)
    top = np.uint64(0xFFFF_FFFF_FFFF_FF00)  # home slot = the last one: probes wrap around
    batches = [
        np.array([top, top + np.uint64(1), 0, 1, 2], dtype=np.uint64),  # one home slot
        np.arange(10, 200, dtype=np.uint64) << np.uint64(40),  # grows the table twice+
        np.array([top + np.uint64(2), 5 << 60], dtype=np.uint64),
    ]
    codes = itertools.count()
    expected: dict[int, int] = {}
    for batch in batches:
        batch_codes = np.array([next(codes) for _ in batch], dtype=np.int64)
        index.add(batch, batch_codes)
        expected.update(zip(batch.tolist(), batch_codes.tolist(), strict=True))
        keys = np.array(list(expected), dtype=np.uint64)
        assert index.find(keys).tolist() == list(expected.values())
    absent = np.array([3, top + np.uint64(3), 7 << 60], dtype=np.uint64)
    assert index.find(absent).tolist() == [-1, -1, -1]
