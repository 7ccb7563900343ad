"""The Lambda handler on moto: every event shape, partial failures, idempotence."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from types import ModuleType
from typing import Any

import pyarrow.parquet as pq
import pytest
from handler_events import (
    EVENT_TIME,
    INPUT_BUCKET,
    OUTPUT_BUCKET,
    TEST_EVENT,
    FakeContext,
    output_keys,
    put_input,
    read,
    s3_record,
    sqs_event,
)

from orders_reports.layout import source_id
from orders_reports.sources import SourceObject
from support import SAMPLE_CSV

SAMPLE = SAMPLE_CSV.read_bytes()
DATE = "ingest_date=2026-11-26"
REPORTS = (
    "most_profitable_region",
    "most_common_ship_mode_by_category",
    "orders_by_category_subcategory",
)


def expected_keys(
    ident: str, rejected: bool = False, prefix: str = "reports/", curated: str = "curated/orders/"
) -> set[str]:
    keys = {f"{prefix}{name}/{DATE}/{ident}.csv" for name in REPORTS}
    keys.add(f"{prefix}_manifests/{DATE}/{ident}.json")
    keys.add(f"{curated}{DATE}/{ident}.parquet")
    if rejected:
        keys.add(f"{prefix}rejected_rows/{DATE}/{ident}.csv")
    return keys


def ident_of(record: dict[str, Any], key: str) -> str:
    s3_object = record["s3"]["object"]
    return source_id(SourceObject(INPUT_BUCKET, key, s3_object.get("versionId"), s3_object["eTag"]))


def test_sqs_wrapped_notification_writes_partitioned_reports(handler: ModuleType, aws: Any) -> None:
    record = put_input(aws, "incoming/sample.csv", SAMPLE)
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}

    ident = ident_of(record, "incoming/sample.csv")
    assert output_keys(aws) == expected_keys(ident)
    region = read(aws, f"reports/most_profitable_region/{DATE}/{ident}.csv")
    assert region == b"region,profit\nEast,2465.50\n"
    manifest = json.loads(read(aws, f"reports/_manifests/{DATE}/{ident}.json"))
    assert manifest["source"] == f"s3://{INPUT_BUCKET}/incoming/sample.csv"
    assert (manifest["rows_total"], manifest["rows_valid"], manifest["rows_rejected"]) == (
        20,
        20,
        0,
    )
    assert manifest["reports"]["most_profitable_region"] == (
        f"s3://{OUTPUT_BUCKET}/reports/most_profitable_region/{DATE}/{ident}.csv"
    )
    assert manifest["curated"] == f"s3://{OUTPUT_BUCKET}/curated/orders/{DATE}/{ident}.parquet"
    curated = pq.read_table(io.BytesIO(read(aws, f"curated/orders/{DATE}/{ident}.parquet")))
    assert curated.num_rows == 20
    first = curated.slice(0, 1).to_pylist()[0]
    assert (first["source_bucket"], first["source_key"], first["source_version"]) == (
        INPUT_BUCKET,
        "incoming/sample.csv",
        record["s3"]["object"]["versionId"],
    )
    assert first["event_time"].isoformat() == "2026-11-26T10:15:30+00:00"


def test_url_encoded_keys_are_decoded(handler: ModuleType, aws: Any) -> None:
    key = "in folder/orders 100%+more.csv"
    record = put_input(aws, key, SAMPLE)
    assert record["s3"]["object"]["key"] == "in+folder/orders+100%25%2Bmore.csv"
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext())["batchItemFailures"] == []
    manifest_key = f"reports/_manifests/{DATE}/{ident_of(record, key)}.json"
    assert json.loads(read(aws, manifest_key))["source"] == f"s3://{INPUT_BUCKET}/{key}"


def test_direct_s3_event_with_several_records(handler: ModuleType, aws: Any) -> None:
    first = put_input(aws, "a.csv", SAMPLE)
    second = put_input(aws, "b.csv", SAMPLE.replace(b"East", b"Oost"))
    result = handler.lambda_handler({"Records": [first, second]}, FakeContext())
    assert result == {"processed": 2}
    ident_b = ident_of(second, "b.csv")
    assert output_keys(aws) == expected_keys(ident_of(first, "a.csv")) | expected_keys(ident_b)
    region = read(aws, f"reports/most_profitable_region/{DATE}/{ident_b}.csv")
    assert region == b"region,profit\nOost,2465.50\n"


def test_direct_s3_event_raises_after_trying_every_record(handler: ModuleType, aws: Any) -> None:
    good = put_input(aws, "good.csv", SAMPLE)
    missing = s3_record("never-uploaded.csv", "etag")
    with pytest.raises(RuntimeError, match="1 of 2 S3 records failed"):
        handler.lambda_handler({"Records": [missing, good]}, FakeContext())
    assert output_keys(aws) == expected_keys(ident_of(good, "good.csv"))


def test_s3_test_event_is_ignored(handler: ModuleType, aws: Any) -> None:
    event, _ = sqs_event(TEST_EVENT)
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert handler.lambda_handler(dict(TEST_EVENT), FakeContext()) == {"processed": 0}
    assert output_keys(aws) == set()


def test_events_other_than_object_created_are_ignored(handler: ModuleType, aws: Any) -> None:
    record = s3_record("deleted.csv", "etag")
    record["eventName"] = "ObjectRemoved:Delete"
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert output_keys(aws) == set()


def test_redelivery_overwrites_the_same_keys(handler: ModuleType, aws: Any) -> None:
    record = put_input(aws, "sample.csv", SAMPLE)
    event, _ = sqs_event({"Records": [record]})
    handler.lambda_handler(event, FakeContext())
    first = {key: read(aws, key) for key in output_keys(aws)}
    redelivered, _ = sqs_event({"Records": [record]})
    handler.lambda_handler(redelivered, FakeContext())
    assert {key: read(aws, key) for key in output_keys(aws)} == first


def test_a_new_version_of_the_same_key_gets_its_own_objects(handler: ModuleType, aws: Any) -> None:
    first = put_input(aws, "sample.csv", SAMPLE)
    second = put_input(aws, "sample.csv", SAMPLE.replace(b"East", b"Oost"))
    # Both notifications are processed after the second upload: each reads its own version.
    event, _ = sqs_event({"Records": [first]}, {"Records": [second]})
    assert handler.lambda_handler(event, FakeContext())["batchItemFailures"] == []
    ident_1, ident_2 = ident_of(first, "sample.csv"), ident_of(second, "sample.csv")
    assert ident_1 != ident_2
    assert read(aws, f"reports/most_profitable_region/{DATE}/{ident_1}.csv").endswith(
        b"East,2465.50\n"
    )
    assert read(aws, f"reports/most_profitable_region/{DATE}/{ident_2}.csv").endswith(
        b"Oost,2465.50\n"
    )


def test_rejected_rows_are_written_beside_the_reports(handler: ModuleType, aws: Any) -> None:
    body = SAMPLE.replace(b"CA-2023-1019,", b",", 1)
    record = put_input(aws, "dirty.csv", body)
    event, _ = sqs_event({"Records": [record]})
    handler.lambda_handler(event, FakeContext())
    ident = ident_of(record, "dirty.csv")
    assert output_keys(aws) == expected_keys(ident, rejected=True)
    rejected = read(aws, f"reports/rejected_rows/{DATE}/{ident}.csv").decode().splitlines()
    assert rejected[0].startswith("Order Id,Order Date,")
    assert rejected[0].endswith(",reject_reason")
    assert rejected[1].endswith(",order_id is empty")
    assert len(rejected) == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Order Id,Region\n1,East\n", "missing required columns: ship_mode, category"),
        (b"", "the file is empty"),
        (b"\x00\xff\x00binary", "not a CSV file"),
    ],
)
def test_refused_file_is_recorded_and_the_message_succeeds(
    handler: ModuleType, aws: Any, body: bytes, reason: str
) -> None:
    record = put_input(aws, "bad.csv", body)
    event, _ = sqs_event({"Records": [record]})
    assert handler.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    ident = ident_of(record, "bad.csv")
    refusal_key = f"reports/_refused/{DATE}/{ident}.json"
    assert output_keys(aws) == {refusal_key}  # no report objects at all
    refusal = json.loads(read(aws, refusal_key))
    assert refusal["source"] == f"s3://{INPUT_BUCKET}/bad.csv"
    assert refusal["version_id"] == record["s3"]["object"]["versionId"]
    assert refusal["event_time"] == EVENT_TIME
    assert reason in refusal["reason"]


def test_only_the_failing_message_is_reported(handler: ModuleType, aws: Any) -> None:
    good_1 = put_input(aws, "one.csv", SAMPLE)
    good_2 = put_input(aws, "two.csv", SAMPLE)
    missing = s3_record("gone.csv", "etag-of-a-deleted-object")
    event, ids = sqs_event({"Records": [good_1]}, {"Records": [missing]}, {"Records": [good_2]})
    response = handler.lambda_handler(event, FakeContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": ids[1]}]}
    assert output_keys(aws) == expected_keys(ident_of(good_1, "one.csv")) | expected_keys(
        ident_of(good_2, "two.csv")
    )


def test_a_message_that_is_not_an_s3_notification_fails_alone(
    handler: ModuleType, aws: Any
) -> None:
    good = put_input(aws, "one.csv", SAMPLE)
    event, ids = sqs_event({"Records": [good]}, {"unexpected": True})
    response = handler.lambda_handler(event, FakeContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": ids[1]}]}


def test_a_missing_output_bucket_fails_every_message_for_retry(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler, "SETTINGS", handler.Settings(output_bucket="no-such-bucket"))
    first = put_input(aws, "one.csv", SAMPLE)
    second = put_input(aws, "two.csv", SAMPLE)
    event, ids = sqs_event({"Records": [first]}, {"Records": [second]})
    response = handler.lambda_handler(event, FakeContext())
    assert response == {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def test_inputs_are_never_modified(handler: ModuleType, aws: Any) -> None:
    records = [put_input(aws, "good.csv", SAMPLE), put_input(aws, "bad.csv", b"x,y\n1,2\n")]
    before = aws.list_object_versions(Bucket=INPUT_BUCKET)["Versions"]
    event, _ = sqs_event(*({"Records": [r]} for r in records))
    handler.lambda_handler(event, FakeContext())
    after = aws.list_object_versions(Bucket=INPUT_BUCKET)["Versions"]
    assert [(v["Key"], v["VersionId"], v["ETag"]) for v in after] == [
        (v["Key"], v["VersionId"], v["ETag"]) for v in before
    ]
    assert "DeleteMarkers" not in aws.list_object_versions(Bucket=INPUT_BUCKET)
    assert read(aws, "good.csv", bucket=INPUT_BUCKET) == SAMPLE


def test_output_prefix_and_etag_identity_without_versioning(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OUTPUT_PREFIX", "analytics/v1")
    monkeypatch.setenv("CURATED_PREFIX", "lake/orders")
    monkeypatch.setattr(handler, "SETTINGS", handler.Settings.from_env())
    aws.create_bucket(
        Bucket="plain-in", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    etag = aws.put_object(Bucket="plain-in", Key="s.csv", Body=SAMPLE)["ETag"].strip('"')
    record = s3_record("s.csv", etag, bucket="plain-in")
    handler.lambda_handler({"Records": [record]}, FakeContext())
    ident = source_id(SourceObject("plain-in", "s.csv", None, etag))
    assert output_keys(aws) == expected_keys(ident, prefix="analytics/v1/", curated="lake/orders/")


def test_logs_are_json_lines_with_source_and_counts_but_no_row_data(
    handler: ModuleType, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = put_input(aws, "sample.csv", SAMPLE)
    refused = put_input(aws, "refused.csv", b"a,b\n1,2\n")
    event, _ = sqs_event({"Records": [record]}, {"Records": [refused]})
    # The logger's handler holds the stdout of import time; point it at a buffer.
    stream = io.StringIO()
    old = handler.logger.registered_handler.setStream(stream)
    try:
        handler.lambda_handler(event, FakeContext())
    finally:
        handler.logger.registered_handler.setStream(old)
    lines = stream.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    written = [e for e in entries if e["message"] == "reports written"]
    assert len(written) == 1
    assert written[0]["source"] == f"s3://{INPUT_BUCKET}/sample.csv"
    assert (written[0]["rows_total"], written[0]["rows_rejected"]) == (20, 0)
    assert written[0]["service"] == "orders-reports"
    assert [e["reason"] for e in entries if e["message"] == "input refused"] == [
        "missing required columns: order_id, ship_mode, region, category, sub_category, "
        "cost_price, list_price, quantity, discount_percent"
    ]
    text = "\n".join(lines)
    assert "CA-2023-" not in text
    assert "Philadelphia" not in text


def test_missing_output_bucket_fails_at_start_with_a_clear_message() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OUTPUT_BUCKET"}
    done = subprocess.run(
        [sys.executable, "-c", "import orders_reports.handler"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode != 0
    assert "ConfigurationError: OUTPUT_BUCKET is not set" in done.stderr


def test_settings_defaults_and_validation() -> None:
    from orders_reports.handler import ConfigurationError, Settings  # noqa: PLC0415

    assert Settings.from_env({"OUTPUT_BUCKET": "b"}) == Settings(
        "b", "reports/", "curated/orders/", "INFO"
    )
    assert Settings.from_env(
        {"OUTPUT_BUCKET": "b", "OUTPUT_PREFIX": "x", "CURATED_PREFIX": "y/", "LOG_LEVEL": "debug"}
    ) == Settings("b", "x/", "y/", "DEBUG")
    with pytest.raises(ConfigurationError, match="OUTPUT_BUCKET"):
        Settings.from_env({"OUTPUT_BUCKET": "  "})
    for reports, curated in (
        ("data/", "data/curated/"),
        ("data/", "data/"),
        ("", "c/"),
        ("r/", ""),
    ):
        with pytest.raises(ConfigurationError, match="two separate, non-empty prefixes"):
            Settings.from_env(
                {"OUTPUT_BUCKET": "b", "OUTPUT_PREFIX": reports, "CURATED_PREFIX": curated}
            )
