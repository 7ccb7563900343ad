"""The Lambda SQS event source mapping, locally: :class:`QueuePoller`.

It stands in for the mapping, which moto cannot run (it executes Lambda code only in
Docker): it long-polls the queue with the mapping's batch size and the queue's
visibility timeout, builds the SQS event Lambda would deliver, calls
``orders_reports.handler.lambda_handler`` in-process with the deployed function's
environment and a Lambda-like context (demo/lambda_runtime.py), and deletes only the
messages the handler did not name in ``batchItemFailures``. ``make demo``
(demo/run_demo.py), the soak's consumers and tests/e2e run the same poller.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from emulator import REGION

# Long polling as the mapping does (it uses 20 s); short enough to end a drain quickly.
DEFAULT_WAIT_SECONDS = 2


def sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One record of the event Lambda builds from a received SQS message."""
    attributes = {
        name: message.get("Attributes", {})[name]
        for name in (
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
        )
        if name in message.get("Attributes", {})
    }
    message_attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        binary = value.get("BinaryValue")
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [
                base64.b64encode(item).decode() for item in value.get("BinaryListValues", [])
            ],
            "dataType": value["DataType"],
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def describe_message(body: str) -> str:
    """A one-line description of an S3 notification carried by a message."""
    try:
        payload = json.loads(body)
    except ValueError:
        return "not JSON"
    if isinstance(payload, dict) and payload.get("Event") == "s3:TestEvent":
        return f"s3:TestEvent for bucket {payload.get('Bucket')}"
    records = payload.get("Records") if isinstance(payload, dict) else None
    if not records:
        return "no S3 records"
    parts = []
    for record in records:
        s3 = record.get("s3", {})
        key = unquote_plus(s3.get("object", {}).get("key", ""))
        parts.append(f"{record.get('eventName')} s3://{s3.get('bucket', {}).get('name')}/{key}")
    return ", ".join(parts)


@dataclass
class BatchOutcome:
    """What one poll did: the messages received, what failed, what was deleted."""

    messages: list[dict[str, Any]]
    response: Any = None
    error: BaseException | None = None
    failed_ids: list[str] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def received_ids(self) -> list[str]:
        return [m["MessageId"] for m in self.messages]


class QueuePoller:
    """The Lambda SQS event source mapping (with ReportBatchItemFailures), locally.

    Semantics reproduced from the AWS documentation of the mapping:

    - ReceiveMessage with MaxNumberOfMessages = the batch size (<= 10 per call),
      long polling, the queue's visibility timeout and all system attributes;
    - one invocation per non-empty batch, event ``{"Records": [...]}``;
    - the handler raises: nothing is deleted, the whole batch becomes visible
      again after the visibility timeout;
    - the handler returns ``batchItemFailures``: the named messages stay, the
      others are deleted; an identifier that is empty or not in the batch makes
      the whole batch count as failed (as Lambda does);
    - SQS itself moves a message to the DLQ once its receive count passes the
      redrive policy's maxReceiveCount.
    """

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        *,
        invoke: Callable[[dict[str, Any]], Any],
        batch_size: int = 10,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.invoke = invoke
        self.batch_size = batch_size
        self.echo = echo or (lambda _line: None)
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]
        self.visibility_timeout = int(attributes["VisibilityTimeout"])

    def poll_once(self, wait_seconds: int = DEFAULT_WAIT_SECONDS) -> BatchOutcome | None:
        """Receive one batch and run it through the handler; None when the queue is idle."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, 10),
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self.visibility_timeout,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return None
        outcome = BatchOutcome(messages=messages)
        for message in messages:
            receives = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
            self.echo(
                f"    message {message['MessageId'][:8]} (receive #{receives}): "
                f"{describe_message(message['Body'])}"
            )
        event = {"Records": [sqs_record(m, self.queue_arn) for m in messages]}
        started = time.monotonic()
        try:
            outcome.response = self.invoke(event)
        except Exception as error:  # a function error: the whole batch is retried
            outcome.error = error
        outcome.seconds = time.monotonic() - started
        outcome.failed_ids = self._failed_ids(outcome)
        to_delete = [m for m in messages if m["MessageId"] not in outcome.failed_ids]
        if to_delete:
            result = self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(to_delete)
                ],
            )
            if result.get("Failed"):
                raise RuntimeError(f"DeleteMessageBatch failed: {result['Failed']}")
            outcome.deleted_ids = [m["MessageId"] for m in to_delete]
        self._report(outcome)
        return outcome

    def _failed_ids(self, outcome: BatchOutcome) -> list[str]:
        if outcome.error is not None:
            return outcome.received_ids
        response = outcome.response
        if response is None or response == "":
            return []
        failures = response.get("batchItemFailures", []) if isinstance(response, dict) else None
        if not isinstance(failures, list):
            return outcome.received_ids
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
        if any(not isinstance(i, str) or i not in outcome.received_ids for i in named):
            return outcome.received_ids
        return [i for i in outcome.received_ids if i in named]

    def _report(self, outcome: BatchOutcome) -> None:
        if outcome.error is not None:
            self.echo(f"    handler raised {type(outcome.error).__name__}: {outcome.error}")
        line = (
            f"    batch of {len(outcome.messages)} handled in {outcome.seconds:.2f}s: "
            f"{len(outcome.deleted_ids)} deleted"
        )
        if outcome.failed_ids:
            line += (
                f", {len(outcome.failed_ids)} left for retry "
                f"(visible again after {self.visibility_timeout}s)"
            )
        self.echo(line)

    def drain(self, wait_seconds: int = DEFAULT_WAIT_SECONDS) -> list[BatchOutcome]:
        """Poll until a receive comes back empty (messages left in flight are not waited for)."""
        outcomes = []
        while (outcome := self.poll_once(wait_seconds)) is not None:
            outcomes.append(outcome)
        return outcomes
