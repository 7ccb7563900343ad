"""Where an input file comes from: an S3 object version, or a local file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SourceObject:
    """One input object version, as an S3 notification names it (no bucket: a local file)."""

    bucket: str | None
    key: str
    version_id: str | None = None
    etag: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.bucket else self.key

    @property
    def version(self) -> str | None:
        """What tells this version from others of the key: the version id, else the ETag."""
        return self.version_id or self.etag


@dataclass(frozen=True)
class Provenance:
    """A source and when it arrived (the S3 event time, or the file's modification time)."""

    source: SourceObject
    event_time: datetime
