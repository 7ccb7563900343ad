"""The soak's input files, seeded, and what the command line writes for each of them.

Three kinds, by what the pipeline must do with them:

- ``ordinary``: bench/generate.py files of varied sizes (small ones; medium ones whose
  orders span dozens of lines; a few of several MB, some with their lines shuffled)
  plus hand-made edge cases (the sample, a UTF-8 BOM, a header alone, quoted line
  breaks, rows to reject, every row rejected). Each must get one complete output set.
- ``refused``: missing or ambiguous columns, empty, blank, binary, not UTF-8. Each must
  get one refusal record and nothing else.
- ``poison``: dropped and deleted (every version) before anything reads them. Their
  messages must fail on every delivery and end in the dead-letter queue.

The reference for an ordinary or refused file is ``orders-reports run FILE --out DIR``:
``orders_reports.cli.main``, the console script's entry point, run in this process so
that two hundred runs do not each pay for an interpreter and its imports.

    python demo/soak_inputs.py --seed 7 --work DIR   # writes DIR/inputs.json
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from emulator import REPO_ROOT

# bench/ is a package at the repository root (tests/bench/conftest.py does the same).
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))

from bench import generate

SAMPLE = REPO_ROOT / "assessment_assets" / "sample_orders.csv"
KEY_PREFIX = "incoming/soak/"
# (count, rows range, lines per order, share shuffled): small, medium, several MB.
GENERATED = (
    (170, (20, 600), 3, 0.5),
    (30, (2_000, 8_000), 40, 0.3),
    (3, (30_000, 30_000), 3, 0.34),
)
POISON_FILES = 8


@dataclass(frozen=True)
class InputFile:
    key: str
    kind: str  # ordinary | refused | poison
    path: str
    bytes: int
    cli_exit: int | None = None  # 0 ordinary, 2 refused (None: poison, never run)
    cli_refusal: str | None = None  # the reason the command line printed
    reference: str | None = None  # the command line's --out folder


def _sample_lines() -> tuple[str, list[str]]:
    header, *rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    return header, rows


# (column index, value) of the ways a row breaks the input contract.
_BREAKS = (
    (0, ""),  # no order id
    (8, " "),  # blank region
    (12, "n/a"),  # cost price not a number
    (13, "-5"),  # negative list price
    (14, "0"),  # no quantity
    (15, "150"),  # discount over 100
)


def _with_rejects(rng: random.Random, share: float) -> bytes:
    """The sample's rows (three times over), a share of them broken."""
    header, rows = _sample_lines()
    out = [header]
    for row in rows * 3:
        fields = row.split(",")  # the sample quotes nothing
        if rng.random() < share:
            column, value = rng.choice(_BREAKS)
            fields[column] = value
        out.append(",".join(fields))
    return ("\r\n".join(out) + "\r\n").encode()


def _without_column(name: str) -> bytes:
    header, rows = _sample_lines()
    index = header.split(",").index(name)
    lines = [
        ",".join(f for i, f in enumerate(line.split(",")) if i != index) for line in [header, *rows]
    ]
    return ("\n".join(lines) + "\n").encode()


def _hand_made(rng: random.Random) -> list[tuple[str, str, bytes]]:
    """(name, kind, content) of the edge cases."""
    header, rows = _sample_lines()
    sample = SAMPLE.read_bytes()
    quoted_break = rows[0].replace("San Francisco", '"San\nFrancisco"')
    ordinary = [
        ("sample", sample),
        ("bom-crlf", "\ufeff".encode() + sample.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")),
        ("header-only", (header + "\n").encode()),
        ("quoted-line-break", "\n".join([header, quoted_break, *rows[1:]]).encode()),
        ("all-rejected", _with_rejects(rng, 1.0)),
        *((f"rejects-{i}", _with_rejects(rng, 0.2 + 0.1 * i)) for i in range(6)),
    ]
    refused = [
        *(
            (f"no-{column.lower().replace(' ', '-')}", _without_column(column))
            for column in ("Region", "Ship Mode", "Quantity", "Order Id", "List Price", "Category")
        ),
        *((f"empty-{i}", b"") for i in range(3)),
        ("blank-lines", b"\n \n\t\n"),
        *(
            (f"binary-{i}", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")
            for i in range(3)
        ),
        *((f"gzip-{i}", gzip.compress(sample, mtime=i)) for i in range(2)),
        ("latin1-header", header.replace("Region", "Regi\xf3n").encode("latin-1") + b"\n"),
        ("ambiguous", (header.replace("Ship Mode", "Ship_Mode") + ",ship mode\n").encode()),
    ]
    return [(n, "ordinary", c) for n, c in ordinary] + [(n, "refused", c) for n, c in refused]


def _generated(rng: random.Random, cache: Path) -> list[tuple[str, Path]]:
    files = []
    for count, (low, high), lines_per_order, shuffled_share in GENERATED:
        for _ in range(count):
            rows = rng.randint(low, high)
            params = generate.Params(
                rows=rows,
                seed=rng.randrange(1 << 30),
                distinct_orders=max(1, rows // lines_per_order),
                layout="shuffled" if rng.random() < shuffled_share else "grouped",
            )
            path, _meta = generate.ensure(params, cache)
            files.append((f"gen-r{rows}-{params.layout}", path))
    return files


def reference(path: Path, out: Path) -> tuple[int, str | None]:
    """``orders-reports run PATH --out OUT``: its exit status and its refusal reason."""
    from orders_reports import cli  # noqa: PLC0415 - only this step needs the app

    stderr = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
        status = cli.main(["run", str(path), "--out", str(out)])
    marker = f"refused {path}: "
    text = stderr.getvalue().strip()
    return status, text.split(marker, 1)[1] if marker in text else None


def build(seed: int, work: Path) -> list[InputFile]:
    rng = random.Random(seed)
    inputs_dir, refs_dir = work / "inputs", work / "reference"
    inputs_dir.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, str, Path]] = []
    for name, path in _generated(rng, work / "generated"):
        made.append((name, "ordinary", path))
    for name, kind, content in _hand_made(rng):
        path = inputs_dir / f"{name}.csv"
        path.write_bytes(content)
        made.append((name, kind, path))
    for i in range(POISON_FILES):
        path = inputs_dir / f"vanishing-{i}.csv"
        path.write_bytes(SAMPLE.read_bytes())
        made.append((f"vanishing-{i}", "poison", path))
    files = []
    for index, (name, kind, path) in enumerate(made):
        key = f"{KEY_PREFIX}{kind}-{index:04d}-{name}.csv"
        size = path.stat().st_size
        if kind == "poison":
            files.append(InputFile(key, kind, str(path), size))
            continue
        out = refs_dir / f"{index:04d}"
        status, refusal = reference(path, out)
        files.append(InputFile(key, kind, str(path), size, status, refusal, str(out)))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    files = build(args.seed, args.work)
    document = [asdict(f) for f in files]
    (args.work / "inputs.json").write_text(json.dumps(document, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
