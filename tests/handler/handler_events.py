"""Events, bucket names and readers for the handler tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

INPUT_BUCKET = "orders-in"
OUTPUT_BUCKET = "orders-out"
REGION = "eu-west-1"
EVENT_TIME = "2026-11-26T10:15:30.000Z"


@dataclass
class FakeContext:
    function_name: str = "orders-processor"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:orders-processor"
    aws_request_id: str = "req-1"


def put_input(client: Any, key: str, body: bytes) -> dict[str, Any]:
    """Upload and return the S3 notification record the upload would produce."""
    response = client.put_object(Bucket=INPUT_BUCKET, Key=key, Body=body)
    return s3_record(key, response["ETag"].strip('"'), response.get("VersionId"))


def s3_record(
    key: str, etag: str, version_id: str | None = None, bucket: str = INPUT_BUCKET
) -> dict[str, Any]:
    s3_object: dict[str, Any] = {
        # S3 URL-encodes keys in notifications (space as '+').
        "key": quote_plus(key, safe="/"),
        "size": 1,
        "eTag": etag,
        "sequencer": "0055AED6DCD90281E5",
    }
    if version_id:
        s3_object["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": EVENT_TIME,
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "r", "x-amz-id-2": "i"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "orders",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "EXAMPLE"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": s3_object,
        },
    }


TEST_EVENT = {
    "Service": "Amazon S3",
    "Event": "s3:TestEvent",
    "Time": EVENT_TIME,
    "Bucket": INPUT_BUCKET,
    "RequestId": "5582815E1AEA5ADF",
    "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
}


def sqs_event(*bodies: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """An SQS batch whose messages carry the given S3 notifications; and the message ids."""
    ids = [str(uuid.uuid4()) for _ in bodies]
    records = [
        {
            "messageId": message_id,
            "receiptHandle": f"handle-{message_id}",
            "body": json.dumps(body),
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1764150930000",
                "SenderId": "AIDAEXAMPLE",
                "ApproximateFirstReceiveTimestamp": "1764150930001",
            },
            "messageAttributes": {},
            "md5OfBody": "0",
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:orders-processor",
            "awsRegion": REGION,
        }
        for message_id, body in zip(ids, bodies, strict=True)
    ]
    return {"Records": records}, ids


def output_keys(client: Any) -> set[str]:
    response = client.list_objects_v2(Bucket=OUTPUT_BUCKET)
    return {item["Key"] for item in response.get("Contents", [])}


def read(client: Any, key: str, bucket: str = OUTPUT_BUCKET) -> bytes:
    body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body
