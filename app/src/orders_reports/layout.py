"""Where the Lambda writes: output keys as a pure function of the input object.

The keys depend only on (bucket, key, version id or ETag) and the event time, so a
redelivered message overwrites exactly the objects its first delivery wrote, and a new
version of the same key gets its own objects. The layout, and why it has this shape, is
described once in the README ("Output bucket layout").
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from orders_reports.curated import CURATED
from orders_reports.outputs import MANIFEST, REFUSAL
from orders_reports.rejects import REJECTED_ROWS
from orders_reports.reports import REPORT_NAMES
from orders_reports.sources import Provenance, SourceObject

MANIFESTS = "_manifests"
REFUSED = "_refused"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STEM_LIMIT = 80


def source_id(source: SourceObject) -> str:
    """Readable, stable and unique per object version: ``<key stem>-<16 hex digest>``."""
    name = source.key.rsplit("/", 1)[-1]
    stem = name[: -len(".csv")] if name.lower().endswith(".csv") else name
    readable = _UNSAFE.sub("_", stem).strip("._-")[:_STEM_LIMIT] or "object"
    identity = source.version or ""
    digest = hashlib.sha256(
        "\n".join((source.bucket or "", source.key, identity)).encode("utf-8")
    ).hexdigest()[:16]
    return f"{readable}-{digest}"


def parse_event_time(text: str) -> datetime:
    """An ISO-8601 event time such as ``2026-11-26T23:59:59.123Z`` (UTC if no zone)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ingest_date(moment: datetime) -> str:
    """The UTC date of a moment: the partition its outputs go to."""
    return moment.astimezone(UTC).date().isoformat()


def normalise_prefix(prefix: str) -> str:
    """'' stays ''; anything else ends with exactly one '/'."""
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def output_keys(prefix: str, curated_prefix: str, provenance: Provenance) -> dict[str, str]:
    """Output name (a report, ``rejected_rows``, ``curated``, ``manifest``, ``refusal``)
    -> its S3 key."""
    base = normalise_prefix(prefix)
    partition = f"ingest_date={ingest_date(provenance.event_time)}"
    ident = source_id(provenance.source)

    def key(folder: str, extension: str) -> str:
        return f"{base}{folder}/{partition}/{ident}.{extension}"

    return {
        **{name: key(name, "csv") for name in REPORT_NAMES},
        REJECTED_ROWS: key(REJECTED_ROWS, "csv"),
        CURATED: f"{normalise_prefix(curated_prefix)}{partition}/{ident}.parquet",
        MANIFEST: key(MANIFESTS, "json"),
        REFUSAL: key(REFUSED, "json"),
    }
