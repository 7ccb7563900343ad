"""One consumer of the soak (demo/soak.py starts several): the event source mapping, locally.

It is demo/queue_poller.py's QueuePoller (batches of the mapping's size, the queue's
visibility timeout, delete only what the handler did not name in
``batchItemFailures``) around an ExecutionEnvironment that calls the real
``orders_reports.handler.lambda_handler`` in-process, with demo/soak_faults.py's
hooks installed before the handler creates its S3 client.

Everything it does is appended, one JSON object per line, to its event log, written
with one ``write`` per line so that a SIGKILL loses nothing already recorded. The
supervisor reads the logs while it runs (to kill a consumer in the middle of a batch)
and at the end (faults, receives, latencies).

    python demo/soak_consumer.py CONFIG.json
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote_plus

from emulator import aws_client
from lambda_runtime import DeployedFunction, ExecutionEnvironment
from queue_poller import QueuePoller
from soak_faults import FaultInjector, FaultPlan

POLL_WAIT_SECONDS = 1


class EventLog:
    """Append-only JSON lines, safe from several threads, durable across a SIGKILL."""

    def __init__(self, path: Path, consumer: int) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._consumer = consumer
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        line = {"t": time.time(), "consumer": self._consumer, "pid": os.getpid(), **event}
        data = (json.dumps(line, default=str) + "\n").encode()
        with self._lock:
            os.write(self._fd, data)


def message_keys(body: str) -> list[str]:
    """The (decoded) object keys an S3 notification names; none for other messages."""
    try:
        records = json.loads(body).get("Records") or []
    except (ValueError, AttributeError):
        return []
    return [unquote_plus(r.get("s3", {}).get("object", {}).get("key", "")) for r in records]


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def run(config: dict[str, Any]) -> None:
    log = EventLog(Path(config["log"]), config["consumer"])
    injector = FaultInjector(FaultPlan(**config["faults"]), log)
    # Before any botocore session exists: the handler's client must get the hooks.
    injector.install()
    outputs = config["outputs"]
    environment = ExecutionEnvironment(DeployedFunction.from_outputs(outputs), config["endpoint"])

    def invoke(event: dict[str, Any]) -> Any:
        records = event["Records"]
        receives = [int(r["attributes"].get("ApproximateReceiveCount", "1")) for r in records]
        log(
            {
                "event": "batch",
                "messages": [
                    {"id": r["messageId"], "keys": message_keys(r["body"]), "receives": n}
                    for r, n in zip(records, receives, strict=True)
                ],
            }
        )
        injector.begin_batch(receives)
        try:
            return environment(event)
        finally:
            injector.end_batch()

    poller = QueuePoller(
        aws_client("sqs", config["endpoint"]),
        outputs["queue_url"],
        outputs["queue_arn"],
        invoke=invoke,
        batch_size=int(outputs["batch_size"]),
    )
    environment.warm()
    log({"event": "started", "visibility_timeout": poller.visibility_timeout})
    while True:
        outcome = poller.poll_once(wait_seconds=POLL_WAIT_SECONDS)
        if outcome is None:
            continue
        log(
            {
                "event": "batch_done",
                "deleted": outcome.deleted_ids,
                "failed": outcome.failed_ids,
                "error": repr(outcome.error) if outcome.error else None,
                "seconds": round(outcome.seconds, 3),
            }
        )


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    config = json.loads(Path(argv[1]).read_text())
    try:
        run(config)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
