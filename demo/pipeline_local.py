"""The pipeline's runtime path on the emulator, as importable steps.

``make demo`` (demo/run_demo.py) and tests/e2e run the same functions:

- :class:`QueuePoller` stands in for the Lambda SQS event source mapping, which
  moto cannot run (it executes Lambda code only in Docker): it long-polls the
  queue with the mapping's batch size and the queue's visibility timeout, builds
  the SQS event Lambda would deliver, calls ``orders_reports.handler.lambda_handler``
  in-process with the deployed function's environment and a Lambda-like context,
  and deletes only the messages the handler did not name in ``batchItemFailures``.
- helpers to upload an input, list the output bucket as a tree and print the
  reports as aligned tables.
"""

from __future__ import annotations

import base64
import csv
import importlib.util
import io
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from emulator import REAL_AWS_VARIABLES, REGION, emulator_client_env, patched_environ

HANDLER = "orders_reports.handler.lambda_handler"
REPORT_NAMES = (
    "most_profitable_region",
    "most_common_ship_mode_by_category",
    "orders_by_category_subcategory",
)
# Long polling as the mapping does (it uses 20 s); short enough to end a drain quickly.
DEFAULT_WAIT_SECONDS = 2


@dataclass(frozen=True)
class DeployedFunction:
    """What the poller needs to know about the function terraform deployed."""

    name: str
    arn: str
    timeout: int
    memory_size: int
    environment: Mapping[str, str]
    log_group: str

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> DeployedFunction:
        return cls(
            name=outputs["function_name"],
            arn=outputs["function_arn"],
            timeout=int(outputs["function_timeout"]),
            memory_size=int(outputs["function_memory_size"]),
            environment=dict(outputs["function_environment"]),
            log_group=outputs["log_group_name"],
        )


class LambdaContext:
    """The attributes the Lambda Python runtime passes as ``context``."""

    def __init__(self, function: DeployedFunction) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = function.log_group
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_runtime_env(function: DeployedFunction, endpoint_url: str) -> dict[str, str]:
    """The function's own environment plus what Lambda's runtime would set.

    boto3 inside the handler reaches the emulator through AWS_ENDPOINT_URL.
    """
    return {
        **emulator_client_env(endpoint_url),
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
        "_HANDLER": HANDLER,
        **function.environment,
    }


class ExecutionEnvironment:
    """One warm Lambda execution environment of the deployed function, in this process.

    Like Lambda's init phase, the first invocation imports a fresh instance of the
    handler module with the function's environment in place (the handler reads
    its configuration at import); later invocations reuse it, as a warm
    environment does. The fresh instance keeps it independent of any copy of the
    module imported elsewhere in the process (e.g. by other tests). The
    environment variables are set only for the duration of each call.
    """

    def __init__(self, function: DeployedFunction, endpoint_url: str) -> None:
        self.function = function
        self.env = lambda_runtime_env(function, endpoint_url)
        self._handler: Callable[[dict[str, Any], LambdaContext], Any] | None = None

    def _cold_start(self) -> Callable[[dict[str, Any], LambdaContext], Any]:
        module_name, _, attribute = HANDLER.rpartition(".")
        spec = importlib.util.find_spec(module_name)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(f"{module_name} is not installed (run `make setup`)")
        module = importlib.util.module_from_spec(spec)
        # Registered while it executes (dataclasses and pickling look modules up
        # by name), then the previous entry is put back.
        previous = sys.modules.get(module_name)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            if previous is None:
                sys.modules.pop(module_name, None)
            else:
                sys.modules[module_name] = previous
        handler: Callable[[dict[str, Any], LambdaContext], Any] = getattr(module, attribute)
        return handler

    def warm(self) -> Callable[[dict[str, Any], LambdaContext], Any]:
        """The handler, after running the init phase if it has not run yet.

        Called before the first event, it is a pre-warmed environment.
        """
        if self._handler is None:
            with patched_environ(self.env, remove=REAL_AWS_VARIABLES):
                self._handler = self._cold_start()
        return self._handler

    def __call__(self, event: dict[str, Any]) -> Any:
        handler = self.warm()
        with patched_environ(self.env, remove=REAL_AWS_VARIABLES):
            return handler(event, LambdaContext(self.function))


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


def upload(s3: Any, path: Path, bucket: str, key: str) -> dict[str, Any]:
    with path.open("rb") as body:
        return dict(s3.put_object(Bucket=bucket, Key=key, Body=body))


def list_keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(keys)


def render_tree(bucket: str, keys: Iterable[str]) -> str:
    """Keys as a directory tree, e.g. for the output bucket."""
    tree: dict[str, Any] = {}
    for key in keys:
        node = tree
        for part in key.split("/"):
            node = node.setdefault(part, {})
    lines = [f"s3://{bucket}/"]

    def walk(node: Mapping[str, Any], indent: str) -> None:
        items = sorted(node.items())
        for index, (name, child) in enumerate(items):
            last = index == len(items) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{name}{'/' if child else ''}")
            walk(child, indent + ("    " if last else "│   "))

    walk(tree, "")
    return "\n".join(lines)


def render_table(csv_text: str) -> str:
    """A CSV as an aligned table; numeric columns are right-aligned."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return "(empty)"
    header, body = rows[0], rows[1:]
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(header))]

    def numeric(column: int) -> bool:
        values = [r[column] for r in body if column < len(r) and r[column]]
        try:
            for value in values:
                float(value)
        except ValueError:
            return False
        return bool(values)

    right = [numeric(i) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [
            (cell.rjust(widths[i]) if right[i] else cell.ljust(widths[i]))
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(r) for r in body)])


def inventory(clients: Mapping[str, Any]) -> dict[str, list[str]]:
    """Names of everything the stack can create, per kind, to check a destroy.

    ``clients`` maps service names (s3, sqs, lambda, ecr, logs, cloudwatch, iam, glue,
    athena) to boto3 clients on the emulator. Athena's saved queries are not listed:
    moto cannot delete them (the stack forgets them before its destroy).
    """
    s3, sqs, lam = clients["s3"], clients["sqs"], clients["lambda"]
    ecr, logs, cloudwatch, iam = (
        clients["ecr"],
        clients["logs"],
        clients["cloudwatch"],
        clients["iam"],
    )
    return {
        "buckets": sorted(b["Name"] for b in s3.list_buckets().get("Buckets", [])),
        "queues": sorted(sqs.list_queues().get("QueueUrls", [])),
        "functions": sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]),
        "event_source_mappings": sorted(
            m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]
        ),
        "repositories": sorted(
            r["repositoryName"] for r in ecr.describe_repositories()["repositories"]
        ),
        "log_groups": sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
        "alarms": sorted(a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]),
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "policies": sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]),
        "glue_databases": sorted(
            d["Name"] for d in clients["glue"].get_databases()["DatabaseList"]
        ),
        "workgroups": sorted(w["Name"] for w in clients["athena"].list_work_groups()["WorkGroups"]),
    }


def leftovers(
    before: Mapping[str, list[str]], after: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """What ``after`` has that ``before`` had not, per kind (empty: nothing left behind)."""
    extra = {kind: sorted(set(after[kind]) - set(before.get(kind, []))) for kind in after}
    return {kind: names for kind, names in extra.items() if names}
