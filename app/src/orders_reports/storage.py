"""I/O at the edges: open an input (local path or S3 object) and carry out an output plan.

Nothing here knows about reports; it moves bytes. An input is only ever read. Outputs
go to a *target*, a local folder or a set of S3 keys, which hands the engine writable
streams for its large outputs and publishes them only when a plan says so: a local
stream is a temporary file renamed into place, an S3 stream a multipart upload
completed then (so neither needs the whole output in memory or on disk), and streams
a plan does not keep are removed when the target closes.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from orders_reports.outputs import Delete, Put, Step
from orders_reports.sources import Provenance, SourceObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_BYTES = 16 << 20  # 10,000 parts (S3's maximum) hold 160 GB
_CONTENT_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
}


def s3_client() -> S3Client:
    import boto3  # noqa: PLC0415  (a local run without S3 never pays for the import)

    return boto3.client("s3")


def parse_s3_uri(location: str) -> tuple[str, str] | None:
    """``s3://bucket/key`` -> (bucket, key); anything else (a local path) -> None."""
    if not location.startswith("s3://"):
        return None
    bucket, _, key = location[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"not an S3 URI (no bucket): {location}")
    return bucket, key


@contextlib.contextmanager
def open_input(
    location: str, client: S3Client | None = None
) -> Iterator[tuple[BinaryIO, Provenance]]:
    """A binary stream over a local path or ``s3://bucket/key``, and where it came from
    (for a local file its modification time, for an object its LastModified)."""
    s3 = parse_s3_uri(location)
    if s3 is None:
        with open(location, "rb") as handle:
            modified = datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, UTC)
            yield handle, Provenance(SourceObject(None, location), modified)
        return
    bucket, key = s3
    if not key:
        raise ValueError(f"not an S3 object URI (no key): {location}")
    response = (client or s3_client()).get_object(Bucket=bucket, Key=key)
    source = SourceObject(bucket, key, response.get("VersionId"), response.get("ETag"))
    body = response["Body"]
    try:
        yield cast(BinaryIO, body), Provenance(source, response["LastModified"])
    finally:
        body.close()


@contextlib.contextmanager
def open_s3_object(client: S3Client, source: SourceObject) -> Iterator[BinaryIO]:
    """GetObject's body for that version (when named), streamed, never read whole."""
    extra: dict[str, Any] = {"VersionId": source.version_id} if source.version_id else {}
    body = client.get_object(Bucket=cast(str, source.bucket), Key=source.key, **extra)["Body"]
    try:
        yield cast(BinaryIO, body)
    finally:
        body.close()


def _content_type(name: str) -> str:
    return _CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")


class Target:
    """Where one run's outputs go. Use as a context manager: leaving it removes every
    stream the plan did not keep."""

    places: dict[str, str]  # output name -> what the manifest shows

    def open_output(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def apply(self, steps: Sequence[Step]) -> None:
        for step in steps:
            if isinstance(step, Delete):
                self._delete(step.name)
            elif isinstance(step, Put):
                self._put(step.name, step.data)
            else:
                self._keep(step.name)

    def _delete(self, name: str) -> None:
        raise NotImplementedError

    def _put(self, name: str, data: bytes) -> None:
        raise NotImplementedError

    def _keep(self, name: str) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


class LocalFolder(Target):
    """Files directly inside ``directory``, each written under a temporary name beside
    its final one and renamed into place."""

    def __init__(self, directory: Path, file_names: Mapping[str, str]) -> None:
        self._directory = directory
        self._files = dict(file_names)
        self.places = dict(file_names)
        self._streams: dict[str, tuple[IO[bytes], Path]] = {}
        self._created: list[Path] = []  # folders this run made, outermost first

    def _path(self, name: str) -> Path:
        return self._directory / self._files[name]

    def open_output(self, name: str) -> BinaryIO:
        missing = [p for p in (self._directory, *self._directory.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self._created.append(folder)
        handle, temporary = tempfile.mkstemp(prefix=f".{self._files[name]}.", dir=self._directory)
        stream = os.fdopen(handle, "wb")
        self._streams[name] = (stream, Path(temporary))
        return cast(BinaryIO, stream)

    def _delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def _put(self, name: str, data: bytes) -> None:
        self.open_output(name).write(data)
        self._keep(name)

    def _keep(self, name: str) -> None:
        stream, temporary = self._streams.pop(name)
        stream.close()
        os.chmod(temporary, 0o644)
        os.replace(temporary, self._path(name))

    def discard(self) -> None:
        for stream, temporary in self._streams.values():
            stream.close()
            temporary.unlink(missing_ok=True)
        self._streams.clear()
        # A run that published nothing leaves no folder either.
        for folder in reversed(self._created):
            if any(folder.iterdir()):
                break
            folder.rmdir()
        self._created = []


class S3Upload(io.RawIOBase):
    """A writable stream that becomes one S3 object only when :meth:`complete` is called.

    Up to :data:`PART_BYTES` are held in memory; beyond that the bytes go up as parts of
    a multipart upload. :meth:`abort` drops everything, uploaded parts included.
    """

    def __init__(self, client: S3Client, bucket: str, key: str) -> None:
        self._client, self._bucket, self._key = client, bucket, key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[Any] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._buffer += chunk
        self._written += len(chunk)
        while len(self._buffer) >= PART_BYTES:
            self._upload_part(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(chunk)

    def tell(self) -> int:
        return self._written

    def _upload_part(self, data: bytes) -> None:
        if self._upload_id is None:
            self._upload_id = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=_content_type(self._key)
            )["UploadId"]
        number = len(self._parts) + 1
        response = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=data,
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})

    def complete(self) -> None:
        if self._upload_id is None:
            self._client.put_object(
                Bucket=self._bucket,
                Key=self._key,
                Body=bytes(self._buffer),
                ContentType=_content_type(self._key),
            )
        else:
            if self._buffer:
                self._upload_part(bytes(self._buffer))
            self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        self._buffer.clear()
        self._upload_id = None

    def abort(self) -> None:
        if self._upload_id is not None:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
        self._buffer.clear()
        self._upload_id = None


class S3Keys(Target):
    """Objects in one bucket, one key per output name."""

    def __init__(self, client: S3Client, bucket: str, keys: Mapping[str, str]) -> None:
        self._client, self._bucket, self._keys = client, bucket, dict(keys)
        self.places = {name: f"s3://{bucket}/{key}" for name, key in keys.items()}
        self._uploads: dict[str, S3Upload] = {}

    def open_output(self, name: str) -> BinaryIO:
        self._uploads[name] = S3Upload(self._client, self._bucket, self._keys[name])
        return cast(BinaryIO, self._uploads[name])

    def _delete(self, name: str) -> None:
        # Only what exists: on a versioned bucket deleting a missing key would still
        # leave a delete marker, two per run for nothing.
        key = self._keys[name]
        listed = self._client.list_objects_v2(Bucket=self._bucket, Prefix=key, MaxKeys=1)
        if any(item["Key"] == key for item in listed.get("Contents", [])):
            self._client.delete_object(Bucket=self._bucket, Key=key)

    def _put(self, name: str, data: bytes) -> None:
        key = self._keys[name]
        self._client.put_object(
            Bucket=self._bucket, Key=key, Body=data, ContentType=_content_type(key)
        )

    def _keep(self, name: str) -> None:
        self._uploads.pop(name).complete()

    def discard(self) -> None:
        uploads, self._uploads = self._uploads, {}
        for upload in uploads.values():
            # Best effort: a failed abort must not hide the error that got us here, and
            # the bucket's lifecycle rule aborts incomplete uploads after a few days.
            with contextlib.suppress(Exception):
                upload.abort()
