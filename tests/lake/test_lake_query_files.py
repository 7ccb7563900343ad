"""The named queries' SQL files: one Trino statement each, over the unqualified table
``orders`` and its Parquet columns only, returning the report's columns in order, and
transpiled to DuckDB with unsupported features raising."""

from __future__ import annotations

import re

import pytest
from lake_sql import QUERIES_DIR, REPORT_NAMES, parse_trino, query_path, to_duckdb
from reference_model import REPORT_COLUMNS
from sqlglot import exp
from sqlglot.errors import OptimizeError, UnsupportedError


def _sql(report: str) -> str:
    return query_path(report).read_text(encoding="utf-8")


def test_there_is_one_query_file_per_report() -> None:
    assert sorted(p.stem for p in QUERIES_DIR.glob("*.sql")) == sorted(REPORT_NAMES)
    assert set(REPORT_COLUMNS) == set(REPORT_NAMES)


@pytest.mark.parametrize("report", REPORT_NAMES)
def test_query_is_one_select_returning_the_report_columns_in_order(report: str) -> None:
    statement = parse_trino(_sql(report))
    assert isinstance(statement, exp.Select)
    assert tuple(statement.named_selects) == REPORT_COLUMNS[report]


@pytest.mark.parametrize("report", REPORT_NAMES)
def test_query_reads_only_the_unqualified_table_orders(report: str) -> None:
    statement = parse_trino(_sql(report))
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    tables = [t for t in statement.find_all(exp.Table) if t.name not in ctes]
    assert tables, "the query reads no table"
    assert {(t.catalog, t.db, t.name) for t in tables} == {("", "", "orders")}


def test_unsupported_trino_features_raise_instead_of_being_dropped() -> None:
    # reduce's fourth argument (the output function) has no DuckDB equivalent.
    with pytest.raises(UnsupportedError, match="finish"):
        to_duckdb("SELECT reduce(ARRAY[1], 0, (s, x) -> s + x, s -> s * 2) AS r FROM orders")


def test_a_column_the_parquet_file_lacks_is_an_error() -> None:
    # ingest_date is a partition folder, not a column of the curated file.
    with pytest.raises(OptimizeError, match="ingest_date"):
        to_duckdb("SELECT ingest_date FROM orders")


def _upload_selection(sql: str) -> str:
    """The text choosing each object's latest upload, from the WITH to the join's end."""
    start = sql.index("WITH uploads AS (")
    end = sql.index("\n)", sql.index("latest_lines AS (", start))
    # Only the columns each report takes from the latest lines differ.
    return re.sub(r"(latest_lines AS \(\n    SELECT )[^\n]*", r"\1...", sql[start:end])


def test_every_query_selects_the_latest_uploads_with_the_same_text() -> None:
    # The three files repeat it (each must be one statement); a fix in one must reach all.
    selections = {report: _upload_selection(_sql(report)) for report in REPORT_NAMES}
    assert len(set(selections.values())) == 1, selections
