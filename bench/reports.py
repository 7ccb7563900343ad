"""Report file layout shared by the baselines, and the agreement checker.

Standard library only: the benchmark runner imports this, and the runner must stay a
small process (see run.py on how a child's peak RSS is measured).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REGION_REPORT = "most_profitable_region.csv"
SHIP_MODE_REPORT = "most_common_ship_mode_by_category.csv"
ORDERS_REPORT = "orders_by_category_subcategory.csv"
REPORTS = {
    REGION_REPORT: ("region", "profit"),
    SHIP_MODE_REPORT: ("category", "ship_mode", "order_count"),
    ORDERS_REPORT: ("category", "sub_category", "order_count"),
}
MANIFEST = "manifest.json"
REJECTED = "rejected_rows.csv"
COUNT_KEYS = ("rows_total", "rows_valid", "rows_rejected")

# A number, as the baselines read the input contract (app/README.md): an optionally
# signed decimal with an optional exponent, after trimming. "inf", "nan", "1_000" and
# "0x10" are not numbers (pandas and DuckDB would each accept some of them, differently).
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


def format_profit(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def report_bytes(name: str, rows: Iterable[Sequence[object]]) -> bytes:
    """The reports' CSV layout: UTF-8, header row, '\\n' line ends, RFC 4180 minimal quoting."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REPORTS[name])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_outputs(
    out_dir: Path,
    reports: dict[str, list[tuple[object, ...]]],
    source: str,
    counts: dict[str, int],
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in reports.items():
        (out_dir / name).write_bytes(report_bytes(name, rows))
    manifest = {"source": source, **counts, "reports": {name: name for name in reports}}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


@dataclass
class Agreement:
    """Outcome of comparing the outputs of several tools on one input."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _diff(name: str, left: str, right: str, a: bytes, b: bytes) -> str:
    la, lb = a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines()
    shown = []
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<missing>"
        y = lb[i] if i < len(lb) else "<missing>"
        if x != y:
            shown.append(f"    line {i + 1}: {left}={x!r} {right}={y!r}")
        if len(shown) == 5:
            break
    if not shown:  # same lines, different bytes: line ends or a final newline
        shown.append(f"    {left} ends {a[-12:]!r}, {right} ends {b[-12:]!r}")
    return f"{name}: {left} and {right} differ\n" + "\n".join(shown)


def _rejected_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return max(0, sum(1 for _ in csv.reader(fh)) - 1)


def _compare_reports(outputs: dict[str, Path], result: Agreement) -> None:
    tools = list(outputs)
    ref = tools[0]
    for name in REPORTS:
        contents: dict[str, bytes] = {}
        for tool in tools:
            path = outputs[tool] / name
            if path.is_file():
                contents[tool] = path.read_bytes()
            else:
                result.problems.append(f"{name}: missing from {tool} ({path})")
        for tool in tools[1:]:
            if ref in contents and tool in contents and contents[tool] != contents[ref]:
                result.problems.append(_diff(name, ref, tool, contents[ref], contents[tool]))


def _read_counts(tool: str, out_dir: Path, result: Agreement) -> dict[str, int] | None:
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text())
        counts = {key: int(manifest[key]) for key in COUNT_KEYS}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"{MANIFEST}: unreadable counts from {tool}: {exc!r}")
        return None
    if counts["rows_total"] != counts["rows_valid"] + counts["rows_rejected"]:
        result.problems.append(
            f"{MANIFEST}: {tool}: rows_total != rows_valid + rows_rejected: {counts}"
        )
    rejected_file = out_dir / REJECTED
    written = _rejected_rows(rejected_file) if rejected_file.is_file() else 0
    if written != counts["rows_rejected"]:
        result.problems.append(
            f"{REJECTED}: {tool} wrote {written} rows but counted {counts['rows_rejected']}"
        )
    return counts


def compare_outputs(
    outputs: dict[str, Path], expected_counts: dict[str, int] | None = None
) -> Agreement:
    """Exact bytes of the three reports, identical row counts, rejected rows all written.

    ``outputs`` maps a tool name to its output folder; the first tool is the reference.
    ``expected_counts`` (from the generator's sidecar) are checked when given.
    """
    result = Agreement()
    if not outputs:
        result.problems.append("no outputs to compare")
        return result
    _compare_reports(outputs, result)
    counts: dict[str, dict[str, int]] = {}
    for tool, out_dir in outputs.items():
        got = _read_counts(tool, out_dir, result)
        if got is not None:
            counts[tool] = got
    if expected_counts is not None:
        counts["generator"] = {key: int(expected_counts[key]) for key in COUNT_KEYS}
    if len({json.dumps(c, sort_keys=True) for c in counts.values()}) > 1:
        result.problems.append(f"{MANIFEST}: row counts differ: {counts}")
    return result
