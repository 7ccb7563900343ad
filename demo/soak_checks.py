"""The soak's verdict, object by object, once the queue is drained.

Nothing here knows the output layout beyond what the pipeline documents: a manifest
(``<prefix>_manifests/...json``) names its source and maps output names to
``s3://`` locations; a refusal record (``<prefix>_refused/...json``) names its source.
Outputs are compared by the name the manifest gives them with the file the command
line's own manifest gives the same name, so an output added later (the curated
Parquet file) is compared without changing this module: CSV and other files byte for
byte, Parquet files row for row apart from the provenance columns (which name an S3
object for the function and a local file for the command line).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bucket_objects import list_keys
from soak_consumer import message_keys
from soak_inputs import InputFile

PROVENANCE_COLUMNS = ("source_bucket", "source_key", "source_version", "event_time")


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)  # ordinary inputs without a complete set
    duplicated: list[str] = field(default_factory=list)  # more than one set, or unexplained
    failures: list[str] = field(default_factory=list)  # every other broken expectation
    manifest_keys: dict[str, str] = field(default_factory=dict)  # input key -> manifest key
    compared_outputs: int = 0
    # Left by a writer killed mid-upload; not objects (a lifecycle rule aborts them).
    incomplete_uploads: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.failures)


def locations(document: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(JSON path, value) of every string in a manifest except its top-level source."""
    if isinstance(document, Mapping):
        for name, value in document.items():
            if path or name != "source":
                yield from locations(value, (*path, str(name)))
    elif isinstance(document, str):
        yield path, document


def counts(document: Mapping[str, Any]) -> dict[str, int]:
    return {k: v for k, v in document.items() if isinstance(v, int) and not isinstance(v, bool)}


def _parquet_rows(data: bytes) -> Any:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # noqa: PLC0415 (lazy: only for a Parquet output)

    table = pq.read_table(io.BytesIO(data))
    return table.drop_columns([c for c in PROVENANCE_COLUMNS if c in table.column_names])


def same_output(name: str, in_bucket: bytes, from_cli: bytes) -> bool:
    if name.endswith(".parquet"):
        return bool(_parquet_rows(in_bucket).equals(_parquet_rows(from_cli)))
    return in_bucket == from_cli


class Checker:
    def __init__(self, s3: Any, input_bucket: str, output_bucket: str, prefix: str) -> None:
        self.s3 = s3
        self.input_bucket = input_bucket
        self.output_bucket = output_bucket
        self.prefix = prefix
        self.verdict = Verdict()
        self.documents: dict[str, Any] = {}  # manifests and refusal records, by key

    def _read(self, key: str) -> bytes:
        data: bytes = self.s3.get_object(Bucket=self.output_bucket, Key=key)["Body"].read()
        return data

    def _records(self, keys: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Manifest keys and refusal keys, by the source they name; their documents kept."""
        manifests: dict[str, list[str]] = defaultdict(list)
        refusals: dict[str, list[str]] = defaultdict(list)
        for key in sorted(k for k in keys if k.endswith(".json")):
            try:
                document = json.loads(self._read(key))
            except ValueError:
                continue  # not a record the pipeline writes: unexplained, see run()
            source = document.get("source") if isinstance(document, dict) else None
            if key.startswith(f"{self.prefix}_manifests/") and source:
                manifests[source].append(key)
            elif key.startswith(f"{self.prefix}_refused/") and source:
                refusals[source].append(key)
            else:
                continue
            self.documents[key] = document
        return manifests, refusals

    def run(self, inputs: list[InputFile], dead_letters: list[str], left_in_queue: int) -> Verdict:
        keys = set(list_keys(self.s3, self.output_bucket))
        uploads = self.s3.list_multipart_uploads(Bucket=self.output_bucket).get("Uploads", [])
        self.verdict.incomplete_uploads = len(uploads)
        manifests, refusals = self._records(keys)
        explained: set[str] = set()
        parked = set(dead_letters)
        if left_in_queue:
            self.verdict.failures.append(f"{left_in_queue} message(s) still in the queue")
        for item in inputs:
            uri = f"s3://{self.input_bucket}/{item.key}"
            found_manifests, found_refusals = manifests.pop(uri, []), refusals.pop(uri, [])
            explained.update(found_manifests, found_refusals)
            if item.kind != "poison" and item.key in parked:
                self.verdict.failures.append(f"{item.key}: in the dead-letter queue")
            if item.kind == "ordinary":
                self._ordinary(item, found_manifests, keys, explained)
                if found_refusals:
                    self.verdict.duplicated.append(f"{item.key}: refused as well: {found_refusals}")
            elif item.kind == "refused":
                self._refused(item, found_manifests, found_refusals)
            else:
                self._poison(item, parked, [*found_manifests, *found_refusals])
        known = {f.key for f in inputs}
        strays = sorted(k for k in parked if k not in known)
        if strays:
            self.verdict.failures.append(f"dead-letter messages no input explains: {strays}")
        for key in sorted(keys - explained):
            self.verdict.duplicated.append(f"object no input explains: {key}")
        return self.verdict

    def _poison(self, item: InputFile, parked: set[str], records: list[str]) -> None:
        if item.key not in parked:
            self.verdict.failures.append(f"{item.key}: poison, not in the dead-letter queue")
        if records:
            self.verdict.duplicated.append(f"{item.key}: poison, yet has records {records}")

    def _ordinary(
        self, item: InputFile, found: list[str], keys: set[str], explained: set[str]
    ) -> None:
        if len(found) > 1:
            self.verdict.duplicated.append(f"{item.key}: {len(found)} manifests: {found}")
        complete = False
        for manifest_key in found:
            targets = dict(locations(self.documents[manifest_key]))
            in_bucket = {}
            for path, uri in targets.items():
                if uri.startswith(f"s3://{self.output_bucket}/"):
                    in_bucket[path] = uri.removeprefix(f"s3://{self.output_bucket}/")
            explained.update(in_bucket.values())
            missing = sorted(k for k in in_bucket.values() if k not in keys)
            if missing:
                self.verdict.failures.append(f"{item.key}: manifest names missing {missing}")
                continue
            complete = True
            self._compare(item, self.documents[manifest_key], in_bucket)
        if not complete:
            self.verdict.lost.append(item.key)
        elif found:
            self.verdict.manifest_keys[item.key] = found[0]

    def _compare(
        self, item: InputFile, manifest: Any, in_bucket: Mapping[tuple[str, ...], str]
    ) -> None:
        if item.cli_exit != 0 or item.reference is None:
            self.verdict.failures.append(f"{item.key}: the command line exited {item.cli_exit}")
            return
        reference = Path(item.reference)
        cli_manifest = json.loads((reference / "manifest.json").read_text())
        cli_files = {
            path: name for path, name in locations(cli_manifest) if (reference / name).is_file()
        }
        if manifest.get("source") != f"s3://{self.input_bucket}/{item.key}":
            self.verdict.failures.append(f"{item.key}: manifest source {manifest.get('source')}")
        if set(in_bucket) != set(cli_files):
            self.verdict.failures.append(
                f"{item.key}: outputs {sorted(in_bucket)}, the command line's {sorted(cli_files)}"
            )
        if counts(manifest) != counts(cli_manifest):
            self.verdict.failures.append(
                f"{item.key}: counts {counts(manifest)} != command line {counts(cli_manifest)}"
            )
        for path in sorted(set(in_bucket) & set(cli_files)):
            name = cli_files[path]
            self.verdict.compared_outputs += 1
            if not same_output(name, self._read(in_bucket[path]), (reference / name).read_bytes()):
                self.verdict.failures.append(f"{item.key}: {'.'.join(path)} differs from {name}")

    def _refused(
        self, item: InputFile, found_manifests: list[str], found_refusals: list[str]
    ) -> None:
        if item.cli_exit != 2:
            self.verdict.failures.append(f"{item.key}: the command line exited {item.cli_exit}")
        if found_manifests:
            self.verdict.duplicated.append(f"{item.key}: refused, yet has manifests")
        if len(found_refusals) != 1:
            problem = f"{item.key}: {len(found_refusals)} refusal records: {found_refusals}"
            (self.verdict.duplicated if found_refusals else self.verdict.failures).append(problem)
            return
        reason = self.documents[found_refusals[0]].get("reason")
        if reason != item.cli_refusal:
            self.verdict.failures.append(
                f"{item.key}: refused for {reason!r}, the command line said {item.cli_refusal!r}"
            )


def drain_dead_letters(sqs: Any, dlq_url: str) -> list[str]:
    """The object keys of every message in the dead-letter queue (received, not deleted)."""
    keys: list[str] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=600, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return keys
        for message in messages:
            keys.extend(
                message_keys(message["Body"]) or [f"<not an S3 event: {message['MessageId']}>"]
            )
