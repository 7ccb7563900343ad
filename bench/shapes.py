"""Hostile shapes under 10 MB: the CLI's peak memory must stay under 300 MB whatever the
shape of the file (``make bench`` runs this after the main benchmark).

Each shape is a small file built to defeat one way of sizing memory: by the product of
two counts (tens of thousands of category/sub-category pairs), by the longest value (one
huge order id among many short ones), by the number of groups, of columns, of rejected
rows, or by one record near the record limit. Every file is run through the installed
``orders-reports`` CLI in a fresh process; peak RSS is the ``ru_maxrss`` of that child.

    python bench/shapes.py [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli_runtime import cli_command, in_image_runtime

MAX_INPUT_BYTES = 10 * 1000 * 1000
MAX_PEAK_RSS_MB = 300  # decimal megabytes, as the limit is stated
MB_PER_MAXRSS_UNIT = 1024 / 1e6  # ru_maxrss counts KiB
HEADER = [
    "Order Id", "Ship Mode", "Region", "Category", "Sub Category",
    "cost price", "List Price", "Quantity", "Discount Percent",
]  # fmt: skip


def _line(row: list[str]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()


def _csv(rows: Iterator[list[str]], header: list[str] = HEADER) -> bytes:
    """The header and as many rows as fit under MAX_INPUT_BYTES."""
    lines, size = [_line(header)], 0
    for row in rows:
        line = _line(row)
        size += len(line.encode())
        if size >= MAX_INPUT_BYTES - len(lines[0]):
            break
        lines.append(line)
    return "".join(lines).encode()


def many_pairs() -> bytes:
    """A new (category, sub-category) pair on every line: about 216,000 in 10 MB."""
    return _csv(
        [f"O{i}", "Same Day", "East", f"cat{i % 400}", f"sub{i // 2}", "1", "2", "1", "0"]
        for i in range(300_000)
    )


def huge_order_id() -> bytes:
    """20,000 short order ids and one of 1,000,000 characters."""
    rows = [[f"O{i}", "Same Day", "East", "F", "C", "1", "2", "1", "0"] for i in range(20_000)]
    rows.insert(10_000, ["H" * 1_000_000, "Same Day", "East", "F", "C", "1", "2", "1", "0"])
    return _csv(iter(rows))


def many_regions_and_modes() -> bytes:
    """Every line its own region, ship mode and order."""
    return _csv(
        [f"O{i}", f"mode{i}", f"region{i}", f"cat{i % 10}", "S", "1", "2", "1", "0"]
        for i in range(400_000)
    )


def many_columns() -> bytes:
    """A header of 9,999 columns (the limit is 10,000 fields) and 1,000 rows."""
    header = [*HEADER, *(f"extra {i}" for i in range(9_990))]
    row = ["O1", "Same Day", "East", "F", "C", "1", "2", "1", "0", *[""] * 9_990]
    return _csv(([f"O{i}", *row[1:]] for i in range(1_000)), header)


def all_rejected() -> bytes:
    """Every record has the wrong number of fields (the rejects stream holds them all)."""
    return _csv(["x" * 40, f"{i}", "y" * 40] for i in range(200_000))


def tiny_rejected_records() -> bytes:
    """3.3 million one-letter lines: each a record with one field. Past a million such
    lines the file is refused (the limit keeps junk from running into the timeout);
    until then each becomes a rejected line twenty times its size."""
    return ",".join(HEADER).encode() + b"\r\n" + b"a\r\n" * ((MAX_INPUT_BYTES - 200) // 3)


def one_field_short() -> bytes:
    """Every record one field short of the header."""
    return _csv(["A", "S", "W", "F", "C", "1", "2", "1"] for _ in range(2_000_000))


def every_value_distinct() -> bytes:
    """Order, ship mode, region, category and sub-category all new on every line."""
    return _csv([f"{i}", f"{i}", f"{i}", f"{i}", f"{i}", "1", "2", "1", "0"] for i in range(10**6))


def record_near_the_limit() -> bytes:
    """Nine records of 1,000,000-character values, just under the 1 MiB record limit."""
    return _csv(
        [f"O{i}", "Same Day", "East", "F", "N" * 1_000_000, "1", "2", "1", "0"] for i in range(9)
    )


# The files the CLI must refuse (exit 2) rather than process (exit 0).
REFUSED = {"3.3 million one-letter records"}
SHAPES: dict[str, Callable[[], bytes]] = {
    "a category/sub-category pair per line": many_pairs,
    "one huge order id": huge_order_id,
    "a region, mode and order per line": many_regions_and_modes,
    "9,999 columns": many_columns,
    "every record rejected": all_rejected,
    "3.3 million one-letter records": tiny_rejected_records,
    "every record one field short": one_field_short,
    "every text value distinct": every_value_distinct,
    "records near the 1 MiB limit": record_near_the_limit,
}


def measure(cli: list[str], path: Path, out: Path) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak RSS in MB) of one CLI run in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli, "run", str(path), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss * MB_PER_MAXRSS_UNIT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    cli = cli_command()
    results = []
    print(f"Hostile shapes (< 10 MB each): peak RSS must stay under {MAX_PEAK_RSS_MB} MB")
    where = "the image's runtime (.venv/lambda-runtime)" if in_image_runtime() else sys.executable
    print(f"  the CLI runs in {where}")
    with tempfile.TemporaryDirectory(prefix="orders-shapes-") as work:
        for number, (name, build) in enumerate(SHAPES.items()):
            path = Path(work) / f"shape{number}.csv"
            path.write_bytes(build())
            size = path.stat().st_size
            assert size < MAX_INPUT_BYTES, (name, size)
            code, wall, rss = measure(cli, path, Path(work) / f"out{number}")
            ok = code == (2 if name in REFUSED else 0) and rss <= MAX_PEAK_RSS_MB
            results.append(
                {"shape": name, "bytes": size, "exit": code, "wall_s": round(wall, 2),
                 "peak_rss_mb": round(rss, 1), "passed": ok}
            )  # fmt: skip
            verdict = "PASS" if ok else "FAIL"
            print(f"  {name:<36} {size / 1e6:5.1f} MB  exit {code}  {wall:6.2f} s"
                  f"  {rss:7.1f} MB  {verdict}")  # fmt: skip
    runner = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * MB_PER_MAXRSS_UNIT
    print(f"  (this runner: {runner:.0f} MB)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["passed"] for r in results) else 3


if __name__ == "__main__":
    sys.exit(main())
