"""The function's surroundings on moto_server: an input bucket that notifies a queue of
each new .csv object (as the module configures it), and an output bucket.

The events the tests send to the function are the notifications moto really queued,
wrapped the way the SQS event source mapping wraps them.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from bucket_objects import list_keys
from emulator import aws_client
from queue_poller import sqs_record


@dataclass
class Pipeline:
    s3: Any
    sqs: Any
    input_bucket: str
    output_bucket: str
    queue_url: str
    queue_arn: str

    @classmethod
    def create(cls, endpoint: str) -> Pipeline:
        """New buckets and queue with a unique suffix (tests share one moto_server)."""
        s3 = aws_client("s3", endpoint)
        sqs = aws_client("sqs", endpoint)
        suffix = uuid.uuid4().hex[:8]
        input_bucket, output_bucket = f"orders-in-{suffix}", f"orders-out-{suffix}"
        for bucket in (input_bucket, output_bucket):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=input_bucket, VersioningConfiguration={"Status": "Enabled"})
        queue_url = sqs.create_queue(QueueName=f"orders-{suffix}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        csv_rule = {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}
        s3.put_bucket_notification_configuration(
            Bucket=input_bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"], "Filter": csv_rule}
                ]
            },
        )
        return cls(s3, sqs, input_bucket, output_bucket, queue_url, queue_arn)

    def upload(self, key: str, body: bytes) -> dict[str, Any]:
        return dict(self.s3.put_object(Bucket=self.input_bucket, Key=key, Body=body))

    def delete_version(self, key: str, version_id: str) -> None:
        """Remove one version for good (a plain delete would only add a delete marker)."""
        self.s3.delete_object(Bucket=self.input_bucket, Key=key, VersionId=version_id)

    def receive(self, count: int, timeout: float = 30.0) -> dict[str, dict[str, Any]]:
        """The next ``count`` object notifications by decoded object key, as received.

        S3's test event (sent when the notification is configured) is dropped.
        """
        messages: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        while len(messages) < count and time.monotonic() < deadline:
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                VisibilityTimeout=300,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            for message in received:
                body = json.loads(message["Body"])
                if body.get("Event") == "s3:TestEvent":
                    self.sqs.delete_message(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
                    continue
                (record,) = body["Records"]
                messages[unquote_plus(record["s3"]["object"]["key"])] = message
        assert len(messages) == count, f"expected {count} notifications, got {messages}"
        return messages

    def sqs_event(self, *messages: dict[str, Any]) -> dict[str, Any]:
        """The event Lambda builds from a received batch."""
        return {"Records": [sqs_record(message, self.queue_arn) for message in messages]}

    def output_keys(self, prefix: str = "") -> list[str]:
        return list_keys(self.s3, self.output_bucket, prefix)

    def read_output(self, key: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=self.output_bucket, Key=key)["Body"].read()
        return body
