"""The named queries over curated Parquet, for the lake tests: the demo's runner
(demo/lake_queries.py: Trino -> DuckDB with sqlglot), plus a way to run a mutated query."""

from __future__ import annotations

from pathlib import Path

from lake_queries import (
    QUERIES_DIR,
    REPORT_NAMES,
    parse_trino,
    query_path,
    run_on_parquet,
    to_duckdb,
)

__all__ = [
    "QUERIES_DIR",
    "REPORT_NAMES",
    "lake_files_under",
    "parse_trino",
    "query_path",
    "run_on_parquet",
    "run_report",
    "to_duckdb",
]


def lake_files_under(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def run_report(report: str, parquet_files: list[Path], sql: str | None = None) -> bytes:
    """The named query of ``report`` (or ``sql`` in its place) over these Parquet files."""
    text = sql if sql is not None else query_path(report).read_text(encoding="utf-8")
    return run_on_parquet(text, parquet_files)
