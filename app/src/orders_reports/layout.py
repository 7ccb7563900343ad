"""Where the Lambda writes: output keys as a pure function of the input object.

The keys depend only on (bucket, key, version id or ETag) and the event time, so a
redelivered message overwrites exactly the objects its first delivery wrote, and a new
version of the same key gets its own objects.

    <prefix><report>/ingest_date=YYYY-MM-DD/<source-id>.csv      one folder per report
    <prefix>rejected_rows/ingest_date=YYYY-MM-DD/<source-id>.csv  only when rows were rejected
    <prefix>_manifests/ingest_date=YYYY-MM-DD/<source-id>.json    written last
    <prefix>_refused/ingest_date=YYYY-MM-DD/<source-id>.json      instead of all of the above

Each report folder holds files of one schema, so it can be an Athena/Glue table
partitioned by ``ingest_date``; the underscore folders are skipped by Athena and Glue.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from orders_reports.engine import REJECTED_ROWS, REPORT_NAMES

MANIFESTS = "_manifests"
REFUSED = "_refused"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STEM_LIMIT = 80


@dataclass(frozen=True)
class SourceObject:
    """One input object version, as an S3 notification names it."""

    bucket: str
    key: str
    version_id: str | None = None
    etag: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def source_id(source: SourceObject) -> str:
    """Readable, stable and unique per object version: ``<key stem>-<16 hex digest>``."""
    name = source.key.rsplit("/", 1)[-1]
    stem = name[: -len(".csv")] if name.lower().endswith(".csv") else name
    readable = _UNSAFE.sub("_", stem).strip("._-")[:_STEM_LIMIT] or "object"
    identity = source.version_id or source.etag or ""
    digest = hashlib.sha256(
        "\n".join((source.bucket, source.key, identity)).encode("utf-8")
    ).hexdigest()[:16]
    return f"{readable}-{digest}"


def ingest_date(event_time: str) -> str:
    """The UTC date of an ISO-8601 event time such as ``2026-11-26T23:59:59.123Z``."""
    moment = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date().isoformat()


def normalise_prefix(prefix: str) -> str:
    """'' stays ''; anything else ends with exactly one '/'."""
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


@dataclass(frozen=True)
class OutputKeys:
    reports: dict[str, str]
    rejected_rows: str
    manifest: str
    refusal: str


def output_keys(prefix: str, source: SourceObject, event_time: str) -> OutputKeys:
    base = normalise_prefix(prefix)
    partition = f"ingest_date={ingest_date(event_time)}"
    ident = source_id(source)

    def key(folder: str, extension: str) -> str:
        return f"{base}{folder}/{partition}/{ident}.{extension}"

    return OutputKeys(
        reports={name: key(name, "csv") for name in REPORT_NAMES},
        rejected_rows=key(REJECTED_ROWS, "csv"),
        manifest=key(MANIFESTS, "json"),
        refusal=key(REFUSED, "json"),
    )
