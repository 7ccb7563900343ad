"""Curated Parquet files as the pipeline writes them, built from reference rows.

The schema is the curated dataset's contract: the nine report columns (trimmed text,
exact decimals), the line's profit and the provenance of the upload the line came from.
A lake is a folder of ``ingest_date=YYYY-MM-DD/<name>.parquet`` files, one per upload.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from reference_model import CuratedRow

# Every column is always set, except the bucket and version of a local file's rows.
SCHEMA = pa.schema(
    [
        pa.field("order_id", pa.string(), nullable=False),
        pa.field("ship_mode", pa.string(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("sub_category", pa.string(), nullable=False),
        pa.field("cost_price", pa.decimal128(20, 7), nullable=False),
        pa.field("list_price", pa.decimal128(20, 7), nullable=False),
        pa.field("quantity", pa.decimal128(13, 0), nullable=False),
        pa.field("discount_percent", pa.decimal128(10, 7), nullable=False),
        pa.field("profit", pa.decimal128(38, 16), nullable=False),
        pa.field("source_bucket", pa.string()),
        pa.field("source_key", pa.string(), nullable=False),
        pa.field("source_version", pa.string()),
        pa.field("event_time", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)
DECIMAL_COLUMNS = ("cost_price", "list_price", "quantity", "discount_percent", "profit")


@dataclass(frozen=True)
class Upload:
    """One upload of an object: where it came from, when, and its valid lines."""

    key: str
    rows: Sequence[CuratedRow]
    event_time: datetime
    bucket: str | None = "orders-input"
    version: str | None = None

    @property
    def ingest_date(self) -> str:
        return self.event_time.astimezone(UTC).strftime("%Y-%m-%d")


def _exact(value: Decimal, scale: int) -> Decimal:
    scaled = value.quantize(Decimal(1).scaleb(-scale))
    if scaled != value:
        raise ValueError(f"{value} does not fit {scale} decimals")
    return scaled


def table(upload: Upload) -> pa.Table:
    columns: dict[str, list[object]] = {field.name: [] for field in SCHEMA}
    for row in upload.rows:
        for name in ("order_id", "ship_mode", "region", "category", "sub_category"):
            columns[name].append(getattr(row, name))
        for name in DECIMAL_COLUMNS:
            columns[name].append(_exact(getattr(row, name), SCHEMA.field(name).type.scale))
        columns["source_bucket"].append(upload.bucket)
        columns["source_key"].append(upload.key)
        columns["source_version"].append(upload.version)
        columns["event_time"].append(upload.event_time)
    return pa.table(columns, schema=SCHEMA)


def write_lake(root: Path, uploads: Iterable[Upload]) -> list[Path]:
    """Write each upload as ``root/ingest_date=D/upload-N.parquet``; return the files."""
    files = []
    for number, upload in enumerate(uploads):
        folder = root / f"ingest_date={upload.ingest_date}"
        folder.mkdir(parents=True, exist_ok=True)
        files.append(folder / f"upload-{number}.parquet")
        pq.write_table(table(upload), files[-1])
    return files


def latest_uploads(uploads: Iterable[Upload]) -> list[Upload]:
    """The rule the queries implement, in plain Python: per (bucket, key), the upload
    with the latest event time, then the greatest version id."""
    latest: dict[tuple[str | None, str], Upload] = {}
    for upload in uploads:
        current = latest.get((upload.bucket, upload.key))
        if current is None or (upload.event_time, upload.version or "") > (
            current.event_time,
            current.version or "",
        ):
            latest[upload.bucket, upload.key] = upload
    return list(latest.values())
