"""The demo's terminal output: the output bucket as a tree, the reports as tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any


def render_tree(bucket: str, keys: Iterable[str]) -> str:
    """Keys as a directory tree, e.g. for the output bucket."""
    tree: dict[str, Any] = {}
    for key in keys:
        node = tree
        for part in key.split("/"):
            node = node.setdefault(part, {})
    lines = [f"s3://{bucket}/"]

    def walk(node: Mapping[str, Any], indent: str) -> None:
        items = sorted(node.items())
        for index, (name, child) in enumerate(items):
            last = index == len(items) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{name}{'/' if child else ''}")
            walk(child, indent + ("    " if last else "│   "))

    walk(tree, "")
    return "\n".join(lines)


def render_table(csv_text: str) -> str:
    """A CSV as an aligned table; numeric columns are right-aligned."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return "(empty)"
    header, body = rows[0], rows[1:]
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(header))]

    def numeric(column: int) -> bool:
        values = [r[column] for r in body if column < len(r) and r[column]]
        try:
            for value in values:
                float(value)
        except ValueError:
            return False
        return bool(values)

    right = [numeric(i) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [
            (cell.rjust(widths[i]) if right[i] else cell.ljust(widths[i]))
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(r) for r in body)])
