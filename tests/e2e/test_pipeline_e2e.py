"""End to end on moto_server: the real modules applied by terraform, the real handler.

One stack for the module (applying it costs about two minutes, mostly the AWS
provider's SQS waiters): max_receive_count 2 and a 1 s function timeout, so the
queue's visibility timeout is 6 s and a poison message reaches the DLQ within
seconds. The steps are the demo's own (demo/queue_poller.py, demo/lambda_runtime.py,
demo/stack_inventory.py); the tests add the assertions. Teardown destroys the stack
and checks nothing is left.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pyarrow.parquet as pq
import pytest
from bucket_objects import REPORT_NAMES, list_keys
from emulator import MotoServer, aws_client, moto_server_command
from lake_queries import run_report
from lambda_runtime import DeployedFunction, ExecutionEnvironment
from queue_poller import BatchOutcome, QueuePoller
from stack_inventory import INVENTORY_SERVICES, inventory, leftovers
from terraform_stack import TerraformStack

from support import SAMPLE_CSV, missing_tool, require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MAX_RECEIVE_COUNT = 2
FUNCTION_TIMEOUT = 1  # visibility timeout = 6 x this
PREFIX = "reports/"
MALFORMED_CSV = b"Order Id,Region,Category\r\nCA-1,East,Furniture\r\n"


@dataclass
class Stack:
    outputs: dict[str, Any]
    endpoint: str
    clients: dict[str, Any]
    poller: QueuePoller
    uploads: dict[str, bytes] = field(default_factory=dict)

    @property
    def s3(self) -> Any:
        return self.clients["s3"]

    @property
    def sqs(self) -> Any:
        return self.clients["sqs"]

    @property
    def input_bucket(self) -> str:
        return str(self.outputs["input_bucket"])

    @property
    def output_bucket(self) -> str:
        return str(self.outputs["output_bucket"])

    def upload(self, key: str, data: bytes) -> dict[str, Any]:
        self.uploads[key] = data
        return dict(self.s3.put_object(Bucket=self.input_bucket, Key=key, Body=data))

    def queue_depth(self, url_output: str = "queue_url") -> tuple[int, int]:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.outputs[url_output],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )

    def output_keys_for(self, stem: str) -> list[str]:
        """Output keys written for inputs whose file name stem is ``stem``."""
        pattern = re.compile(rf"/{re.escape(stem)}-[0-9a-f]+\.(csv|json|parquet)$")
        return [k for k in list_keys(self.s3, self.output_bucket) if pattern.search(k)]

    def assert_input_unchanged(self, key: str) -> None:
        """The handler only reads inputs: one version, the bytes that were uploaded."""
        versions = self.s3.list_object_versions(Bucket=self.input_bucket, Prefix=key)
        assert [v["Key"] for v in versions.get("Versions", [])] == [key]
        assert not versions.get("DeleteMarkers")
        body = self.s3.get_object(Bucket=self.input_bucket, Key=key)["Body"].read()
        assert body == self.uploads[key]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    terraform = require_tool("terraform")
    moto = moto_server_command()
    if moto is None:
        missing_tool("moto[server] is not installed in this interpreter")
        raise AssertionError("unreachable")
    work = tmp_path_factory.mktemp("e2e-stack")
    server = MotoServer(moto, work / "moto_server.log")
    server.start()
    try:
        endpoint = server.endpoint_url
        clients = {name: aws_client(name, endpoint) for name in INVENTORY_SERVICES}
        before = inventory(clients)
        terraform_stack = TerraformStack(
            terraform,
            work,
            {
                "endpoint_url": endpoint,
                "name_prefix": "orders-e2e",
                "output_prefix": PREFIX,
                "max_receive_count": MAX_RECEIVE_COUNT,
                "function_timeout": FUNCTION_TIMEOUT,
            },
        )
        terraform_stack.init()
        terraform_stack.apply()
        outputs = terraform_stack.outputs()
        function = DeployedFunction.from_outputs(outputs)
        poller = QueuePoller(
            clients["sqs"],
            outputs["queue_url"],
            outputs["queue_arn"],
            invoke=ExecutionEnvironment(function, endpoint),
            batch_size=int(outputs["batch_size"]),
        )
        yield Stack(outputs=outputs, endpoint=endpoint, clients=clients, poller=poller)

        terraform_stack.destroy()
        assert leftovers(before, inventory(clients)) == {}
    finally:
        server.stop()
        assert server.process is not None
        assert server.process.poll() is not None, "moto_server still running after stop()"


def _only(outcomes: list[BatchOutcome]) -> BatchOutcome:
    assert len(outcomes) == 1, [o.received_ids for o in outcomes]
    return outcomes[0]


def _s3_records(outcome: BatchOutcome) -> list[tuple[str, dict[str, Any]]]:
    """(message id, S3 record) for every object record in the batch (test events skipped)."""
    found = []
    for message in outcome.messages:
        for record in json.loads(message["Body"]).get("Records", []):
            found.append((message["MessageId"], record))
    return found


def test_apply_creates_the_stack_with_the_emulator_settings(stack: Stack) -> None:
    outputs = stack.outputs
    assert outputs["function_environment"] == {
        "OUTPUT_BUCKET": stack.output_bucket,
        "OUTPUT_PREFIX": PREFIX,
        "CURATED_PREFIX": "curated/orders/",
        "LOG_LEVEL": "INFO",
    }
    attributes = stack.sqs.get_queue_attributes(
        QueueUrl=outputs["queue_url"], AttributeNames=["All"]
    )["Attributes"]
    assert int(attributes["VisibilityTimeout"]) == 6 * FUNCTION_TIMEOUT
    dlq_arn = stack.sqs.get_queue_attributes(
        QueueUrl=outputs["dlq_url"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn
    assert int(redrive["maxReceiveCount"]) == MAX_RECEIVE_COUNT
    # The mapping exists, configured for partial batch failures, but disabled:
    # the test's poller is the only consumer.
    mappings = stack.clients["lambda"].list_event_source_mappings()["EventSourceMappings"]
    (mapping,) = [m for m in mappings if m["FunctionArn"] == outputs["function_arn"]]
    assert mapping["EventSourceArn"] == outputs["queue_arn"]
    assert mapping["State"] == "Disabled"
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    (notification,) = stack.s3.get_bucket_notification_configuration(Bucket=stack.input_bucket)[
        "QueueConfigurations"
    ]
    assert notification["QueueArn"] == outputs["queue_arn"]


def test_a_dropped_file_sends_its_s3_event_to_the_queue(stack: Stack) -> None:
    # Spaces and parentheses, no '+': moto's ListObjectVersions ignores
    # encoding-type=url, so the provider's force_destroy would decode a '+' in a
    # raw key to a space and retry the deletion forever.
    key = "incoming/event check/orders 2026 (1).csv"
    put = stack.upload(key, SAMPLE_CSV.read_bytes())

    received = stack.sqs.receive_message(
        QueueUrl=stack.outputs["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=5
    )["Messages"]
    records = [
        record for message in received for record in json.loads(message["Body"]).get("Records", [])
    ]
    assert len(records) == 1, received
    record = records[0]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == stack.input_bucket
    # Event keys are URL-encoded ('+' for a space, %xx for the rest); the exact
    # escaping of '/' differs between S3 and moto, the decoded key may not.
    encoded = record["s3"]["object"]["key"]
    assert "+2026+%281%29.csv" in encoded
    assert unquote_plus(encoded) == key
    assert record["s3"]["object"]["eTag"] == put["ETag"].strip('"')

    # Hand the messages back, as a consumer that did not finish would, and let
    # the poller process them: the encoded key must resolve to the object.
    for message in received:
        stack.sqs.change_message_visibility(
            QueueUrl=stack.outputs["queue_url"],
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=0,
        )
    outcomes = stack.poller.drain()
    assert sorted(i for o in outcomes for i in o.deleted_ids) == sorted(
        m["MessageId"] for m in received
    )
    assert stack.queue_depth() == (0, 0)
    # The reports, the curated file and the manifest.
    assert len(stack.output_keys_for("orders_2026_1")) == len(REPORT_NAMES) + 2
    stack.assert_input_unchanged(key)


def test_reports_in_the_bucket_equal_the_cli_output(stack: Stack, tmp_path: Path) -> None:
    key = "incoming/sample_orders.csv"
    stack.upload(key, SAMPLE_CSV.read_bytes())

    outcome = _only(stack.poller.drain())
    assert outcome.error is None
    assert outcome.failed_ids == []
    assert outcome.deleted_ids == outcome.received_ids
    ((message_id, record),) = _s3_records(outcome)
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    assert stack.queue_depth() == (0, 0)

    keys = stack.output_keys_for("sample_orders")
    # Partitioned by the UTC date of the S3 event.
    event_date = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))
    ingest_date = event_date.astimezone(UTC).date().isoformat()
    by_folder = {k.split("/")[1]: k for k in keys if k.startswith(PREFIX)}
    assert set(by_folder) == {*REPORT_NAMES, "_manifests"}, keys
    for folder, output_key in by_folder.items():
        # Hive-style: <prefix><report>/ingest_date=YYYY-MM-DD/<source id>.<ext>
        assert re.fullmatch(
            rf"{PREFIX}{folder}/ingest_date={ingest_date}/sample_orders-[0-9a-f]{{16}}\.(csv|json)",
            output_key,
        )
    (curated_key,) = [k for k in keys if not k.startswith(PREFIX)]
    assert re.fullmatch(
        rf"curated/orders/ingest_date={ingest_date}/sample_orders-[0-9a-f]{{16}}\.parquet",
        curated_key,
    )

    cli_out = tmp_path / "cli"
    cli = subprocess.run(
        [require_tool("orders-reports"), "run", str(SAMPLE_CSV), "--out", str(cli_out)],
        capture_output=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert sorted(p.name for p in cli_out.iterdir()) == sorted(
        [*(f"{name}.csv" for name in REPORT_NAMES), "manifest.json", "orders.parquet"]
    )
    for name in REPORT_NAMES:
        in_bucket = stack.s3.get_object(Bucket=stack.output_bucket, Key=by_folder[name])
        assert in_bucket["Body"].read() == (cli_out / f"{name}.csv").read_bytes(), name
    manifest = json.loads(
        stack.s3.get_object(Bucket=stack.output_bucket, Key=by_folder["_manifests"])["Body"].read()
    )
    cli_manifest = json.loads((cli_out / "manifest.json").read_text())
    assert manifest["source"] == f"s3://{stack.input_bucket}/{key}"
    for count in ("rows_total", "rows_valid", "rows_rejected"):
        assert manifest[count] == cli_manifest[count], count
    assert manifest["curated"] == f"s3://{stack.output_bucket}/{curated_key}"
    # The same rows and values; only where they came from differs.
    body = stack.s3.get_object(Bucket=stack.output_bucket, Key=curated_key)["Body"].read()
    provenance = ["source_bucket", "source_key", "source_version", "event_time"]
    in_lake = pq.read_table(io.BytesIO(body)).drop_columns(provenance)
    assert in_lake.equals(pq.read_table(cli_out / "orders.parquet").drop_columns(provenance))

    # A redelivery of the same notification overwrites the same objects.
    (body,) = [m["Body"] for m in outcome.messages if m["MessageId"] == message_id]
    stack.sqs.send_message(QueueUrl=stack.outputs["queue_url"], MessageBody=body)
    again = _only(stack.poller.drain())
    assert again.failed_ids == []
    assert stack.output_keys_for("sample_orders") == keys
    stack.assert_input_unchanged(key)


def test_the_catalog_tables_point_at_the_curated_objects(stack: Stack, tmp_path: Path) -> None:
    """The Glue table's projection template, filled with the object's partition, is
    where the function wrote the curated file; the named queries over it give the
    file's reports (run by DuckDB: moto executes no query)."""
    key = "incoming/lake_probe.csv"
    stack.upload(key, SAMPLE_CSV.read_bytes())
    assert _only(stack.poller.drain()).failed_ids == []
    (curated_key,) = [k for k in stack.output_keys_for("lake_probe") if k.endswith(".parquet")]
    catalog = stack.outputs["catalog"]
    glue = aws_client("glue", stack.endpoint)
    table = glue.get_table(DatabaseName=catalog["database_name"], Name=catalog["orders_table_name"])
    parameters = table["Table"]["Parameters"]
    assert parameters["projection.enabled"] == "true"
    date = re.search(r"ingest_date=(\d{4}-\d{2}-\d{2})/", curated_key)
    assert date is not None
    folder = parameters["storage.location.template"].replace("${ingest_date}", date[1])
    assert f"s3://{stack.output_bucket}/{curated_key}".startswith(folder.rstrip("/") + "/")
    assert table["Table"]["StorageDescriptor"]["Location"].startswith(
        f"s3://{stack.output_bucket}/curated/orders/"
    )
    local = tmp_path / "lake_probe.parquet"
    stack.s3.download_file(stack.output_bucket, curated_key, str(local))
    assert run_report("most_profitable_region", [local]) == b"region,profit\nEast,2465.50\n"
    athena = aws_client("athena", stack.endpoint)
    names = {
        athena.get_named_query(NamedQueryId=i)["NamedQuery"]["Name"]
        for i in catalog["named_query_ids"].values()
    }
    assert names == set(REPORT_NAMES)


def test_a_malformed_file_is_refused_and_its_message_deleted(stack: Stack) -> None:
    key = "incoming/malformed.csv"
    stack.upload(key, MALFORMED_CSV)

    outcome = _only(stack.poller.drain())
    assert outcome.failed_ids == []
    assert outcome.deleted_ids == outcome.received_ids
    assert stack.queue_depth() == (0, 0)
    assert stack.queue_depth("dlq_url") == (0, 0)

    keys = stack.output_keys_for("malformed")
    assert len(keys) == 1, keys
    assert re.fullmatch(
        rf"{PREFIX}_refused/ingest_date=\d{{4}}-\d{{2}}-\d{{2}}/malformed-[0-9a-f]{{16}}\.json",
        keys[0],
    )
    refusal = json.loads(
        stack.s3.get_object(Bucket=stack.output_bucket, Key=keys[0])["Body"].read()
    )
    assert refusal["source"] == f"s3://{stack.input_bucket}/{key}"
    missing = ("ship_mode", "sub_category", "cost_price", "list_price", "quantity")
    assert all(column in refusal["reason"] for column in missing), refusal["reason"]
    stack.assert_input_unchanged(key)


def test_a_failing_message_is_retried_then_parked_in_the_dlq(stack: Stack) -> None:
    good_key, doomed_key = "incoming/good_neighbour.csv", "incoming/vanished.csv"
    stack.upload(good_key, SAMPLE_CSV.read_bytes())
    doomed = stack.upload(doomed_key, SAMPLE_CSV.read_bytes())
    # Gone for good (every version) before it is processed: not a refusal of the
    # input, a failure of the run, which must be retried.
    stack.s3.delete_object(Bucket=stack.input_bucket, Key=doomed_key, VersionId=doomed["VersionId"])

    first = stack.poller.poll_once()
    assert first is not None
    ids = {unquote_plus(r["s3"]["object"]["key"]): mid for mid, r in _s3_records(first)}
    assert set(ids) == {good_key, doomed_key}
    # Only the failed message stays; the rest of the batch completes.
    assert first.failed_ids == [ids[doomed_key]]
    assert first.deleted_ids == [ids[good_key]]
    assert len(stack.output_keys_for("good_neighbour")) == len(REPORT_NAMES) + 2

    visibility = stack.poller.visibility_timeout
    second = stack.poller.poll_once(wait_seconds=visibility + 4)
    assert second is not None
    assert second.received_ids == [ids[doomed_key]]
    assert second.messages[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second.failed_ids == [ids[doomed_key]]

    # Received max_receive_count times: SQS moves it on the next receive.
    deadline = time.monotonic() + visibility + 10
    while stack.queue_depth("dlq_url") == (0, 0) and time.monotonic() < deadline:
        assert stack.poller.poll_once(wait_seconds=2) is None
    assert stack.queue_depth() == (0, 0)
    parked = stack.sqs.receive_message(
        QueueUrl=stack.outputs["dlq_url"], MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    assert [m["MessageId"] for m in parked] == [ids[doomed_key]]
    assert unquote_plus(json.loads(parked[0]["Body"])["Records"][0]["s3"]["object"]["key"]) == (
        doomed_key
    )
    # Neither reports nor a refusal for it: it was never a bad input.
    assert stack.output_keys_for("vanished") == []
    stack.assert_input_unchanged(good_key)
