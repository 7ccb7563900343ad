"""The named queries' SQL files, transpiled Trino -> DuckDB and run over curated Parquet.

sqlglot raises on anything it cannot carry over (``ErrorLevel.RAISE``) instead of
dropping it. The statement is first qualified and typed against the curated schema:
qualifying fails on any column the Parquet file does not have, and with types known
sqlglot keeps Trino's meaning where the dialects differ on it (``int / int`` is integer
division in Trino, a float division in DuckDB). What only Athena can show is listed in
the catalog module's README.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot
from lake_files import SCHEMA
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from support import MODULES_DIR

QUERIES_DIR = MODULES_DIR / "orders-catalog" / "queries"
REPORT_NAMES = (
    "most_profitable_region",
    "most_common_ship_mode_by_category",
    "orders_by_category_subcategory",
)


def trino_type(arrow_type: pa.DataType) -> str:
    """The Trino type Athena reads a curated Parquet column as."""
    if pa.types.is_string(arrow_type):
        return "varchar"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type) and arrow_type.unit == "ms":
        return "timestamp(3)"
    raise ValueError(f"no Trino type for {arrow_type}")


ORDERS_TABLE_SCHEMA: dict[str, object] = {
    "orders": {field.name: trino_type(field.type) for field in SCHEMA}
}


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
    statement = qualify(parse_trino(trino_sql), schema=ORDERS_TABLE_SCHEMA, dialect="trino")
    typed = annotate_types(statement, schema=ORDERS_TABLE_SCHEMA, dialect="trino")
    return typed.sql(dialect="duckdb", unsupported_level=sqlglot.ErrorLevel.RAISE)


def render_csv(columns: list[str], rows: list[tuple[object, ...]]) -> bytes:
    """Query results as a report file: header, ``\\n`` line ends, csv.writer quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def run_on_parquet(trino_sql: str, parquet_files: list[Path]) -> bytes:
    """Run a Trino query over a view ``orders`` of exactly these Parquet files' columns."""
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
        return render_csv(columns, cursor.fetchall())
    finally:
        connection.close()


def lake_files_under(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def run_report(report: str, parquet_files: list[Path], sql: str | None = None) -> bytes:
    """The named query of ``report`` (or ``sql`` in its place) over these Parquet files."""
    text = sql if sql is not None else query_path(report).read_text(encoding="utf-8")
    return run_on_parquet(text, parquet_files)
