"""The handler's writes on moto: large outputs stream as multipart uploads completed only
on success, content problems never retry, and a manifest never describes other files."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from handler_events import (
    INPUT_BUCKET,
    OUTPUT_BUCKET,
    FakeContext,
    output_keys,
    put_input,
    read,
    sqs_event,
)

from orders_reports import storage
from orders_reports.layout import output_keys as keys_of
from orders_reports.layout import parse_event_time
from orders_reports.sources import Provenance, SourceObject
from support import SAMPLE_CSV

SAMPLE = SAMPLE_CSV.read_bytes()
HEADER = (
    b"Order Id,Ship Mode,Region,Category,Sub-Category,Cost Price,List Price,Quantity,"
    b"Discount Percent\n"
)


def keys_for(record: dict[str, Any]) -> dict[str, str]:
    s3_object = record["s3"]["object"]
    source = SourceObject(
        INPUT_BUCKET, s3_object["key"], s3_object.get("versionId"), s3_object["eTag"]
    )
    return keys_of(
        "reports/", "curated/orders/", Provenance(source, parse_event_time(record["eventTime"]))
    )


def all_rejected(rows: int) -> bytes:
    line = b"O-%d,Same Day,East,Furniture,Chairs,10,20,0,0\n"  # quantity 0
    return HEADER + b"".join(line % i for i in range(rows))


def test_content_problems_never_fail_a_message(handler: ModuleType, aws: Any) -> None:
    """Hostile files end as row rejections or refusals; none is retried."""
    files = {
        "huge.csv": HEADER + b"A,x,East,F,C,0,1e308,1,0\nB,x,East,F,C,0,1e308,1,0\n",
        "overflow.csv": HEADER + b"A,x,East,F,C,0,1e300,1e10,0\n",
        "exactness.csv": HEADER
        + b"A,x,East,F,C,-1e-400,1,2.9999999999999999,100.000000000000001\n",
        "cr-only.csv": SAMPLE.replace(b"\r\n", b"\r"),
        "nul-late.csv": SAMPLE + b"\r\n" + b"x," * 40_000 + b"\x00",
        "bad-utf8-short-row.csv": HEADER + b"A,\xff\xfe,East\n",
        "blank-nbsp-first.csv": "\u00a0\r\n".encode() + SAMPLE,
        "quote-in-header.csv": SAMPLE.replace(b"Segment", b'Seg"ment', 1),
    }
    records = {name: put_input(aws, name, body) for name, body in files.items()}
    event, _ = sqs_event(*({"Records": [r]} for r in records.values()))
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    refused = {
        name for name, record in records.items() if keys_for(record)["refusal"] in output_keys(aws)
    }
    assert refused == {"nul-late.csv", "bad-utf8-short-row.csv"}
    manifest = json.loads(read(aws, keys_for(records["cr-only.csv"])["manifest"]))
    assert (manifest["rows_total"], manifest["rows_valid"]) == (20, 20)
    exact = read(aws, keys_for(records["exactness.csv"])["rejected_rows"]).decode()
    assert exact.splitlines()[1].endswith(",cost_price is negative")


def test_large_outputs_go_up_as_multipart_uploads(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "PART_BYTES", 5 << 20)  # S3's smallest part
    record = put_input(aws, "rejects.csv", all_rejected(150_000))
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    key = keys_for(record)["rejected_rows"]
    head = aws.head_object(Bucket=OUTPUT_BUCKET, Key=key)
    parts = -(-head["ContentLength"] // (5 << 20))
    assert parts >= 2
    assert head["ETag"].strip('"').endswith(f"-{parts}")  # a multipart upload of that many
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert len(read(aws, key).splitlines()) == 150_001
    assert aws.list_multipart_uploads(Bucket=OUTPUT_BUCKET).get("Uploads", []) == []


def test_a_refusal_found_late_aborts_the_uploads_begun(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "PART_BYTES", 5 << 20)
    record = put_input(aws, "late.csv", all_rejected(150_000) + b"\xff\n")
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert output_keys(aws) == {keys_for(record)["refusal"]}
    assert aws.list_multipart_uploads(Bucket=OUTPUT_BUCKET).get("Uploads", []) == []


def test_a_rerun_deletes_the_old_manifest_before_writing(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = put_input(aws, "sample.csv", SAMPLE)
    keys = keys_for(record)
    aws.put_object(Bucket=OUTPUT_BUCKET, Key=keys["manifest"], Body=b'{"describes": "other files"}')
    # Publishing fails half way: after the first report, before the manifest.
    real_put = handler.storage.S3Keys._put
    calls: list[str] = []

    def failing_put(self: Any, name: str, data: bytes) -> None:
        calls.append(name)
        if len(calls) == 2:
            raise ConnectionError("network down")
        real_put(self, name, data)

    monkeypatch.setattr(handler.storage.S3Keys, "_put", failing_put)
    event, ids = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {
        "batchItemFailures": [{"itemIdentifier": ids[0]}]
    }
    assert keys["manifest"] not in output_keys(aws)
    monkeypatch.setattr(handler.storage.S3Keys, "_put", real_put)
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert json.loads(read(aws, keys["manifest"]))["rows_total"] == 20


def test_a_refusal_removes_an_old_manifest_of_the_same_keys(handler: ModuleType, aws: Any) -> None:
    record = put_input(aws, "bad.csv", b"a,b\n1,2\n")
    keys = keys_for(record)
    aws.put_object(Bucket=OUTPUT_BUCKET, Key=keys["manifest"], Body=b"{}")
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert output_keys(aws) == {keys["refusal"]}


def test_deletes_only_what_exists_so_no_delete_markers_pile_up(
    handler: ModuleType, aws: Any
) -> None:
    """On the versioned output bucket a first run leaves no delete marker; a redelivery
    leaves one, for the manifest it replaced."""
    aws.put_bucket_versioning(Bucket=OUTPUT_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    record = put_input(aws, "sample.csv", SAMPLE)
    event, _ = sqs_event({"Records": [record]})
    handler.lambda_handler(event, FakeContext())
    assert "DeleteMarkers" not in aws.list_object_versions(Bucket=OUTPUT_BUCKET)
    handler.lambda_handler(event, FakeContext())
    markers = aws.list_object_versions(Bucket=OUTPUT_BUCKET)["DeleteMarkers"]
    assert [m["Key"] for m in markers] == [keys_for(record)["manifest"]]
