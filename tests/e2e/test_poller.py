"""The local stand-in for the SQS event source mapping, on in-process moto (no terraform).

The e2e module shows it driving the real handler; these pin the mapping's
documented semantics that the real handler never exercises (a function error,
an invalid batchItemFailures response) and the shape of the event it builds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from moto import mock_aws
from queue_poller import QueuePoller
from terminal_render import render_table, render_tree

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:poller-test"


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def _queue(sqs: Any, bodies: list[str], visibility: int = 30) -> str:
    url: str = sqs.create_queue(
        QueueName="poller-test", Attributes={"VisibilityTimeout": str(visibility)}
    )["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return url


def _in_flight(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_the_event_has_the_shape_lambda_delivers(sqs: Any) -> None:
    url = _queue(sqs, ['{"n": 1}', '{"n": 2}'])
    events: list[dict[str, Any]] = []
    poller = QueuePoller(sqs, url, QUEUE_ARN, invoke=events.append, batch_size=10)

    outcome = poller.poll_once(wait_seconds=0)

    assert outcome is not None
    (event,) = events
    parsed = SQSEvent(event)
    records = list(parsed.records)
    assert [json.loads(r.body)["n"] for r in records] == [1, 2]
    for record, message in zip(records, outcome.messages, strict=True):
        assert record.message_id == message["MessageId"]
        assert record.receipt_handle == message["ReceiptHandle"]
        assert record.event_source == "aws:sqs"
        assert record.event_source_arn == QUEUE_ARN
        assert record.aws_region == "us-east-1"
        assert record.attributes.approximate_receive_count == "1"
        assert record.attributes.sent_timestamp
    assert poller.visibility_timeout == 30
    assert outcome.deleted_ids == outcome.received_ids
    assert poller.poll_once(wait_seconds=0) is None  # all deleted


def test_only_the_reported_failures_stay_on_the_queue(sqs: Any) -> None:
    url = _queue(sqs, ["a", "b", "c"])

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        failed = [r["messageId"] for r in event["Records"] if r["body"] == "b"]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

    poller = QueuePoller(sqs, url, QUEUE_ARN, invoke=invoke, batch_size=10)
    outcome = poller.poll_once(wait_seconds=0)

    assert outcome is not None
    by_body = {m["Body"]: m["MessageId"] for m in outcome.messages}
    assert outcome.failed_ids == [by_body["b"]]
    assert sorted(outcome.deleted_ids) == sorted([by_body["a"], by_body["c"]])
    assert _in_flight(sqs, url) == 1


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(RuntimeError("boom"), id="function-error"),
        pytest.param({"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}, id="unknown-id"),
        pytest.param({"batchItemFailures": [{"itemIdentifier": ""}]}, id="empty-id"),
        pytest.param({"batchItemFailures": "nonsense"}, id="not-a-list"),
    ],
)
def test_an_error_or_invalid_response_fails_the_whole_batch(sqs: Any, response: Any) -> None:
    url = _queue(sqs, ["a", "b"])

    def invoke(_event: dict[str, Any]) -> Any:
        if isinstance(response, Exception):
            raise response
        return response

    outcome = QueuePoller(sqs, url, QUEUE_ARN, invoke=invoke).poll_once(wait_seconds=0)

    assert outcome is not None
    assert outcome.deleted_ids == []
    assert outcome.failed_ids == outcome.received_ids
    assert _in_flight(sqs, url) == 2


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"processed": 2}])
def test_a_response_without_failures_completes_the_batch(sqs: Any, response: Any) -> None:
    url = _queue(sqs, ["a", "b"])
    outcome = QueuePoller(sqs, url, QUEUE_ARN, invoke=lambda _e: response).poll_once(0)

    assert outcome is not None
    assert sorted(outcome.deleted_ids) == sorted(outcome.received_ids)
    assert _in_flight(sqs, url) == 0


def test_batches_are_at_most_the_batch_size(sqs: Any) -> None:
    url = _queue(sqs, [str(i) for i in range(5)])
    sizes: list[int] = []
    poller = QueuePoller(
        sqs, url, QUEUE_ARN, invoke=lambda e: sizes.append(len(e["Records"])), batch_size=2
    )

    outcomes = poller.drain(wait_seconds=0)

    assert sizes == [2, 2, 1]
    assert sum(len(o.deleted_ids) for o in outcomes) == 5


def test_render_tree_and_table() -> None:
    assert render_tree("b", ["r/x/1.csv", "r/y.csv"]) == "\n".join(
        ["s3://b/", "└── r/", "    ├── x/", "    │   └── 1.csv", "    └── y.csv"]
    )
    assert render_table("region,profit\nEast,2465.50\nWest,-3.00\n") == "\n".join(
        ["region   profit", "------  -------", "East    2465.50", "West      -3.00"]
    )
