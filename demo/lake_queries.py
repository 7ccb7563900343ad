"""The orders lake's named queries, run locally: Trino SQL transpiled to DuckDB.

Athena runs the catalog module's queries (``modules/orders-catalog/queries/*.sql``) on
AWS; moto stores them but runs nothing. ``make demo`` and the tests run the same files
here instead: sqlglot transpiles each Trino statement to DuckDB, raising on anything it
cannot carry over (``ErrorLevel.RAISE``) rather than dropping it, and DuckDB runs it over
the curated Parquet files. The statement is first qualified and typed against the
curated schema: qualifying fails on a column the files do not have, and with types
known sqlglot keeps Trino's meaning where the dialects differ (``int / int`` is integer
division in Trino, a float division in DuckDB). What only Athena can show is listed in
the catalog module's README.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from orders_reports.curated import SCHEMA
from orders_reports.reports import REPORT_NAMES, csv_bytes

QUERIES_DIR = Path(__file__).resolve().parent.parent / "modules" / "orders-catalog" / "queries"

__all__ = ["QUERIES_DIR", "REPORT_NAMES", "parse_trino", "run_on_parquet", "to_duckdb"]


def trino_type(arrow_type: pa.DataType) -> str:
    """The Trino type Athena reads a curated Parquet column as."""
    if pa.types.is_string(arrow_type):
        return "varchar"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type) and arrow_type.unit == "ms":
        return "timestamp(3)"
    raise ValueError(f"no Trino type for {arrow_type}")


ORDERS_TABLE: dict[str, object] = {"orders": {f.name: trino_type(f.type) for f in SCHEMA}}


def query_path(report: str) -> Path:
    return QUERIES_DIR / f"{report}.sql"


def parse_trino(trino_sql: str) -> exp.Expr:
    """The one statement of a query file (several, or none, is an error)."""
    statements = [s for s in sqlglot.parse(trino_sql, read="trino") if s is not None]
    if len(statements) != 1:
        raise ValueError(f"expected one statement, got {len(statements)}")
    return statements[0]


def to_duckdb(trino_sql: str) -> str:
    """The statement in DuckDB's dialect, with Trino's typing; unsupported features raise."""
    statement = qualify(parse_trino(trino_sql), schema=ORDERS_TABLE, dialect="trino")
    typed = annotate_types(statement, schema=ORDERS_TABLE, dialect="trino")
    return typed.sql(dialect="duckdb", unsupported_level=sqlglot.ErrorLevel.RAISE)


def run_on_parquet(trino_sql: str, parquet_files: list[Path]) -> bytes:
    """Run a Trino query over a view ``orders`` of exactly these Parquet files' columns;
    the result as a report file (header, ``\\n`` line ends, RFC 4180 quoting)."""
    if not parquet_files:
        raise ValueError("no Parquet file to query")
    duckdb_sql = to_duckdb(trino_sql)
    connection = duckdb.connect()
    try:
        # hive_partitioning off: the view has the files' columns and nothing else
        # (ingest_date is only a folder name). A view takes no prepared parameters,
        # so the paths are quoted literals.
        paths = ", ".join("'" + str(path).replace("'", "''") + "'" for path in parquet_files)
        source = f"read_parquet([{paths}], hive_partitioning = false)"
        connection.execute(f"CREATE VIEW orders AS SELECT * FROM {source}")
        cursor = connection.execute(duckdb_sql)
        columns = [column[0] for column in cursor.description]
        return csv_bytes(columns, cursor.fetchall())
    finally:
        connection.close()


def run_report(report: str, parquet_files: list[Path]) -> bytes:
    """The named query of ``report`` over these Parquet files."""
    return run_on_parquet(query_path(report).read_text(encoding="utf-8"), parquet_files)
