"""I/O at the edges: open an input (local path or s3:// URI) and write a run's files.

Nothing here knows about reports; it moves bytes. Writes happen only after the
engine has computed everything, so a refused or failed run writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Payload = bytes | IO[bytes]


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_uri(location: str) -> S3Location | None:
    """``s3://bucket/key`` -> S3Location; anything else (a local path) -> None."""
    if not location.startswith("s3://"):
        return None
    bucket, _, key = location[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"not an S3 URI (no bucket): {location}")
    return S3Location(bucket, key)


def s3_client() -> S3Client:
    import boto3  # noqa: PLC0415  (a local run without S3 never pays for the import)

    return boto3.client("s3")


@contextlib.contextmanager
def open_input(location: str, client: S3Client | None = None) -> Iterator[BinaryIO]:
    """A binary stream over a local path or ``s3://bucket/key``."""
    s3 = parse_s3_uri(location)
    if s3 is None:
        with open(location, "rb") as handle:
            yield handle
        return
    if not s3.key:
        raise ValueError(f"not an S3 object URI (no key): {location}")
    with open_s3_object(client or s3_client(), s3.bucket, s3.key) as body:
        yield body


@contextlib.contextmanager
def open_s3_object(
    client: S3Client, bucket: str, key: str, version_id: str | None = None
) -> Iterator[BinaryIO]:
    """GetObject's body, streamed (never read whole); a given version when named."""
    extra: dict[str, Any] = {"VersionId": version_id} if version_id else {}
    body = client.get_object(Bucket=bucket, Key=key, **extra)["Body"]
    try:
        yield cast(BinaryIO, body)
    finally:
        body.close()


def _rewind(payload: Payload) -> Payload:
    if not isinstance(payload, bytes):
        payload.seek(0)
    return payload


def write_local(directory: Path, files: Mapping[str, Payload], stale: tuple[str, ...] = ()) -> None:
    """Write each file to a temporary name beside its target, then rename it over.

    Files are written in the mapping's order (put the manifest last); ``stale`` names
    files of an earlier run to remove (e.g. a rejected_rows.csv this run did not make).
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name, payload in files.items():
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                data = _rewind(payload)
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, 1 << 20)
            os.chmod(temporary, 0o644)
            os.replace(temporary, directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    for name in stale:
        (directory / name).unlink(missing_ok=True)


def write_s3(
    client: S3Client,
    bucket: str,
    files: Mapping[str, Payload],
    content_types: Mapping[str, str] | None = None,
) -> None:
    """Upload each file (key -> payload) in order; large payloads go multipart."""
    for key, payload in files.items():
        content_type = (content_types or {}).get(key, _content_type(key))
        data = _rewind(payload)
        if isinstance(data, bytes):
            client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        else:
            client.upload_fileobj(data, bucket, key, ExtraArgs={"ContentType": content_type})


def _content_type(key: str) -> str:
    if key.endswith(".json"):
        return "application/json"
    if key.endswith(".csv"):
        return "text/csv; charset=utf-8"
    return "application/octet-stream"
