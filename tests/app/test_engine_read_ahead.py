"""The background CSV reader: errors reach the caller, and it never outlives its consumer.

Every scenario runs under a deadline in a helper thread: the failure these tests guard
against is a hang (a reader thread stuck on a full queue, a consumer waiting for a block
that never comes), which must show up as a failed test rather than a stuck suite.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers_app import csv_bytes, row, run

from orders_reports import engine
from orders_reports.engine import InputRefused

DEADLINE_SECONDS = 10
# Enough rows for many 4 KiB parser blocks.
MANY_ROWS = [row(order_id=f"O-{i}") for i in range(4000)]


def _within_deadline(work: Callable[[], Any]) -> Any:
    """Run ``work`` in a helper thread; fail if it hangs, re-raise what it raised."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(DEADLINE_SECONDS)
    assert not worker.is_alive(), "hung: the read-ahead never finished"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "csv-read-ahead" and t.is_alive()]


def test_yields_every_block_in_order() -> None:
    def consume() -> list[int]:
        with engine._ReadAhead(iter(range(20)), depth=2) as blocks:
            return list(blocks)

    assert _within_deadline(consume) == list(range(20))


def test_an_error_while_reading_reaches_the_consumer_after_the_blocks_before_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("broken block")

    seen: list[int] = []

    def consume() -> None:
        with engine._ReadAhead(failing(), depth=4) as blocks:
            seen.extend(blocks)

    with pytest.raises(ValueError, match="broken block"):
        _within_deadline(consume)
    assert seen == [1, 2]
    assert not _read_ahead_threads()


def test_stopping_early_stops_the_reader_and_bounds_what_it_read() -> None:
    produced = itertools.count()

    def endless() -> Iterator[int]:
        while True:
            yield next(produced)

    def consume() -> int:
        with engine._ReadAhead(endless(), depth=3) as blocks:
            first: int = next(iter(blocks))
        return first

    assert _within_deadline(consume) == 0
    assert not _read_ahead_threads()
    # The queue (3) plus the block in the consumer's hands and the one the reader held
    # when it saw the stop: reading ahead never runs away with memory.
    assert next(produced) <= 3 + 2


def test_a_failing_aggregation_stops_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = itertools.count()
    original = engine._Aggregator.add_batch

    def add_batch(self: engine._Aggregator, batch: Any) -> None:
        if next(calls) == 1:
            raise RuntimeError("aggregation bug")
        original(self, batch)

    monkeypatch.setattr(engine._Aggregator, "add_batch", add_batch)
    data = csv_bytes(MANY_ROWS)
    with pytest.raises(RuntimeError, match="aggregation bug"):
        _within_deadline(lambda: run(data, block_size=4096))
    assert not _read_ahead_threads()


def test_bad_utf8_far_into_the_file_is_refused_like_before() -> None:
    # The bad bytes sit many blocks after the first, so the reader thread meets them
    # while the consumer is busy: the refusal must still be InputRefused, not a hang or
    # a raw Arrow error.
    data = csv_bytes(MANY_ROWS) + "O-9,x,Réunion,a,b,1,2,1,0\n".encode("latin-1")
    with pytest.raises(InputRefused, match="not UTF-8"):
        _within_deadline(lambda: run(data, block_size=4096))
    assert not _read_ahead_threads()
