"""The handler under the real Lambda runtime interface client, on the image's Python.

No Docker engine is needed: ``python -m awslambdaric <CMD of app/Dockerfile>`` runs
from .venv/lambda-runtime (the image's Python minor, awslambdaric, the image's locked
libraries) in a task root laid out as the Dockerfile copies the app, and polls a
Runtime API served by the test. S3 and SQS are moto_server: the events are the
notifications the input bucket really sent to the queue.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from emulator import emulator_client_env
from function_process import (
    FUNCTION_ARN,
    FUNCTION_NAME,
    MEMORY_SIZE,
    FunctionProcess,
    lambda_environment,
    running,
)
from moto_pipeline import Pipeline
from runtime_api import ERROR_TYPE_HEADER, Invocation, Posted, RuntimeApi

from support import SAMPLE_CSV

REPORTS = (
    "most_profitable_region",
    "most_common_ship_mode_by_category",
    "orders_by_category_subcategory",
)
OUTPUT_PREFIX = "reports/"
TRACE_ROOT = "1-67890abc-0123456789abcdef01234567"


@dataclass
class Function:
    """One execution environment: the client process and the Runtime API it polls."""

    api: RuntimeApi
    process: FunctionProcess

    def invoke(self, event: dict[str, Any]) -> tuple[str, Posted]:
        invocation = Invocation(
            event,
            function_arn=FUNCTION_ARN,
            trace_id=f"Root={TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1",
        )
        return invocation.request_id, self.api.invoke(invocation, alive=self.process.alive)

    def context_logs(self) -> list[dict[str, Any]]:
        """The function's JSON log lines written inside an invocation (with its context)."""
        return [e for e in self.process.log_events() if "function_request_id" in e]


Launch = Callable[[Mapping[str, str]], Function]


@pytest.fixture
def launch(runtime_python: Path, task_root: Path, tmp_path: Path) -> Iterator[Launch]:
    """Start the function with the given configuration; stopped on every exit path."""
    home = tmp_path / "home"
    home.mkdir()
    with contextlib.ExitStack() as started:

        def start(configuration: Mapping[str, str]) -> Function:
            api = started.enter_context(RuntimeApi())
            env = lambda_environment(
                api.address, venv=runtime_python.parent.parent, task_root=task_root, home=home
            )
            env.update(configuration)
            process = FunctionProcess(runtime_python, env, task_root, tmp_path / "function.log")
            started.enter_context(running(process))
            return Function(api, process)

        yield start


def configuration(pipeline: Pipeline, endpoint: str) -> dict[str, str]:
    """The function's environment as the module sets it, plus moto's endpoint."""
    return {
        **emulator_client_env(endpoint),
        "AWS_SESSION_TOKEN": "testing",
        "OUTPUT_BUCKET": pipeline.output_bucket,
        "OUTPUT_PREFIX": OUTPUT_PREFIX,
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="module")
def cli_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The reports the local CLI (the developer's Python) writes for the sample."""
    out = tmp_path_factory.mktemp("cli")
    subprocess.run(
        [sys.executable, "-m", "orders_reports", "run", str(SAMPLE_CSV), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return {name: (out / f"{name}.csv").read_bytes() for name in REPORTS}


def ingest_date(message: dict[str, Any]) -> str:
    (record,) = json.loads(message["Body"])["Records"]
    moment = datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))
    return moment.astimezone(UTC).date().isoformat()


def run_keys(pipeline: Pipeline, stem: str, date: str) -> dict[str, str]:
    """Report name (and ``_manifests``) -> key, for the one run of the input ``stem``."""
    manifests = [
        key
        for key in pipeline.output_keys(f"{OUTPUT_PREFIX}_manifests/ingest_date={date}/")
        if re.fullmatch(rf".*/{stem}-[0-9a-f]{{16}}\.json", key)
    ]
    assert len(manifests) == 1, manifests
    source_id = manifests[0].rsplit("/", 1)[1].removesuffix(".json")
    keys = {name: f"{OUTPUT_PREFIX}{name}/ingest_date={date}/{source_id}.csv" for name in REPORTS}
    return {**keys, "_manifests": manifests[0]}


def test_an_sqs_batch_writes_the_reports_and_returns_no_failures(
    pipeline: Pipeline, moto_endpoint: str, launch: Launch, cli_reports: dict[str, bytes]
) -> None:
    pipeline.upload("incoming/sample orders.csv", SAMPLE_CSV.read_bytes())
    message = pipeline.receive(1)["incoming/sample orders.csv"]
    event = pipeline.sqs_event(message)
    date = ingest_date(message)
    function = launch(configuration(pipeline, moto_endpoint))

    first_id, first = function.invoke(event)

    assert (first.kind, first.body) == ("response", {"batchItemFailures": []})
    expected = run_keys(pipeline, "sample_orders", date)
    assert sorted(pipeline.output_keys(OUTPUT_PREFIX)) == sorted(expected.values())
    region = pipeline.read_output(expected["most_profitable_region"])
    assert region == b"region,profit\nEast,2465.50\n"
    # The image's Python and libraries compute what the developer's CLI computes.
    assert {name: pipeline.read_output(expected[name]) for name in REPORTS} == cli_reports

    # The queue delivers the message again: the warm function overwrites the same objects.
    second_id, second = function.invoke(event)

    assert (second.kind, second.body) == ("response", {"batchItemFailures": []})
    assert sorted(pipeline.output_keys(OUTPUT_PREFIX)) == sorted(expected.values())
    assert pipeline.read_output(expected["most_profitable_region"]) == region
    assert function.api.handed_out == [first_id, second_id]
    # What the client received in the Lambda-Runtime-* headers reaches the handler's
    # context: request id, ARN, trace id; one cold start, then a warm environment.
    logged = function.context_logs()
    assert {e["function_request_id"] for e in logged} == {first_id, second_id}
    for entry in logged:
        assert entry["cold_start"] is (entry["function_request_id"] == first_id)
        assert entry["function_arn"] == FUNCTION_ARN
        assert entry["function_name"] == FUNCTION_NAME
        # The runtime passes the memory size on as the string the variable holds.
        assert entry["function_memory_size"] == MEMORY_SIZE
        assert entry["xray_trace_id"] == TRACE_ROOT
    assert (function.api.init_errors, function.api.unexpected) == ([], [])
    assert function.process.alive()


def test_a_failed_message_is_the_only_one_named_in_batch_item_failures(
    pipeline: Pipeline, moto_endpoint: str, launch: Launch
) -> None:
    pipeline.upload("incoming/good.csv", SAMPLE_CSV.read_bytes())
    gone = pipeline.upload("incoming/vanished.csv", SAMPLE_CSV.read_bytes())
    messages = pipeline.receive(2)
    good, vanished = messages["incoming/good.csv"], messages["incoming/vanished.csv"]
    # The object is gone before the function reads it: the message must fail alone.
    pipeline.delete_version("incoming/vanished.csv", gone["VersionId"])
    function = launch(configuration(pipeline, moto_endpoint))

    _, posted = function.invoke(pipeline.sqs_event(good, vanished))

    assert (posted.kind, posted.body) == (
        "response",
        {"batchItemFailures": [{"itemIdentifier": vanished["MessageId"]}]},
    )
    keys = pipeline.output_keys(OUTPUT_PREFIX)
    expected = run_keys(pipeline, "good", ingest_date(good))
    assert sorted(keys) == sorted(expected.values())
    assert pipeline.read_output(expected["most_profitable_region"]) == (
        b"region,profit\nEast,2465.50\n"
    )
    assert (function.api.init_errors, function.api.unexpected) == ([], [])


def test_a_failed_direct_s3_event_posts_an_invocation_error(
    pipeline: Pipeline, moto_endpoint: str, launch: Launch
) -> None:
    gone = pipeline.upload("incoming/vanished.csv", SAMPLE_CSV.read_bytes())
    message = pipeline.receive(1)["incoming/vanished.csv"]
    pipeline.delete_version("incoming/vanished.csv", gone["VersionId"])
    function = launch(configuration(pipeline, moto_endpoint))

    # The notification itself, as S3 invokes a function directly.
    request_id, posted = function.invoke(json.loads(message["Body"]))

    assert posted.kind == "error"
    assert posted.body["errorType"] == "RuntimeError"
    assert posted.body["errorMessage"] == "1 of 1 S3 records failed"
    assert posted.body["requestId"] == request_id
    assert pipeline.output_keys() == []
    # A function error ends the invocation, not the execution environment.
    assert function.process.alive()
    assert (function.api.init_errors, function.api.unexpected) == ([], [])


@pytest.mark.parametrize("output_bucket", [None, " "], ids=["unset", "blank"])
def test_without_output_bucket_the_function_fails_to_initialise(
    launch: Launch, output_bucket: str | None
) -> None:
    settings = {"OUTPUT_PREFIX": OUTPUT_PREFIX, "LOG_LEVEL": "INFO"}
    if output_bucket is not None:
        settings["OUTPUT_BUCKET"] = output_bucket
    function = launch(settings)

    started = function.api.wait_for_init(function.process.alive)

    # It fails at start (the client exits without asking for an event), not per message.
    assert started is False, "the function initialised without an output bucket"
    assert function.process.wait(timeout=30) == 1, function.process.output()
    (posted,) = function.api.init_errors
    assert posted.body["errorType"] == "ConfigurationError"
    assert "OUTPUT_BUCKET is not set" in posted.body["errorMessage"]
    assert posted.header(ERROR_TYPE_HEADER) == "ConfigurationError"
    assert (function.api.polls, function.api.unexpected) == (0, [])
