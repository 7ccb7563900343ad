"""`make soak`: the pipeline under load and faults, on the local AWS emulator.

1. start moto_server; generate the input files and what the command line writes for
   each (demo/soak_inputs.py, in a child process) while terraform applies the real
   modules (demo/terraform) with a short function timeout, so that the queue's
   visibility timeout (6 x the timeout) brings a killed consumer's messages back
   within seconds;
2. drop the poison files and delete them, start the consumers (demo/soak_consumer.py,
   the event source mapping's semantics) and, once they poll, drop every other file
   at once;
3. while the queue drains, consumers are killed with SIGKILL in the middle of a batch
   and replaced, and their botocore hooks inject transient S3 errors and refuse the
   output bucket's writes for a window (demo/soak_faults.py);
4. once the queue and its in-flight messages are gone, check the output bucket object
   by object and the dead-letter queue (demo/soak_checks.py).

The last line printed is the verdict (demo/soak_report.py):
``soak: N files, F faults injected, L lost, D duplicated, R redeliveries, p50 Xs p95 Ys``.
Exit status 0 when every check passed, 1 otherwise, 130 or 128+signal when
interrupted. The emulator and every child are stopped on every exit path. There is no
terraform destroy: the emulator, and everything in it, is thrown away.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import FrameType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from emulator import (
    REAL_AWS_VARIABLES,
    MotoServer,
    aws_client,
    die_with_parent,
    moto_server_command,
    stop_process_group,
)
from lambda_runtime import DeployedFunction, lambda_runtime_env
from soak_checks import Checker, drain_dead_letters
from soak_inputs import InputFile
from soak_pool import ConsumerPool
from soak_report import Activity, activity_problems, summarise
from terraform_stack import CommandError, TerraformStack, find_terraform

DEMO_DIR = Path(__file__).resolve().parent
PREFIX = "reports/"
INPUT_KINDS = ("ordinary", "refused", "poison")


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--seed", type=int, default=20261201, help="inputs and fault draws (default %(default)s)")
    add("--consumers", type=int, default=4, help="concurrent consumers (default %(default)s)")
    add("--kills", type=int, default=2, help="consumers killed mid-batch (default %(default)s)")
    add("--transient-share", type=float, default=0.05, help="share of S3 calls that fail")
    add("--function-timeout", type=int, default=2, help="seconds; visibility = 6 x this")
    add("--max-receive-count", type=int, default=4, help="deliveries before the DLQ")
    add("--refuse-writes-after", type=int, default=6, help="batches handled before the window")
    add("--refuse-writes-for", type=float, default=3.0, help="seconds (< 6 x function timeout)")
    add("--drain-timeout", type=float, default=240.0, help="seconds to wait for the queue")
    add("--report", type=Path, help="also write the figures to this file, as JSON")
    add("--work-dir", type=Path, help="work in (and keep) this folder instead of a temporary one")
    options = parser.parse_args(argv)
    if options.refuse_writes_for >= 6 * options.function_timeout:
        # The processor module's visibility timeout is 6 x the function timeout; a longer
        # window could fail a message twice, more than the receive count allows for.
        parser.error("--refuse-writes-for must be shorter than 6 x --function-timeout")
    return options


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that every `finally` runs


def _depth(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


class Soak:
    def __init__(self, options: argparse.Namespace, work: Path) -> None:
        self.options = options
        self.work = work
        self.started = time.monotonic()
        self.server: MotoServer | None = None
        self.helper: subprocess.Popen[bytes] | None = None
        self.pool: ConsumerPool | None = None
        self.report: dict[str, Any] = {"work_dir": str(work), "pids": []}

    def progress(self, line: str) -> None:
        print(f"[t+{time.monotonic() - self.started:4.0f}s] {line}", flush=True)

    def stop(self) -> None:
        """Stop every child (idempotent: `finally` and atexit both call it)."""
        if self.pool is not None:
            self.pool.stop()
        if self.helper is not None:
            stop_process_group(self.helper, grace_seconds=5.0)
        if self.server is not None:
            self.server.stop()

    def prepare(self) -> tuple[dict[str, Any], list[InputFile]]:
        terraform, moto = find_terraform(), moto_server_command()
        if terraform is None or moto is None:
            raise RuntimeError("the soak needs terraform and moto[server] (run make setup)")
        self.server = MotoServer(moto, self.work / "moto_server.log")
        self.server.start()
        assert self.server.process is not None
        self.report["pids"].append(self.server.process.pid)
        self.progress(f"moto_server on {self.server.endpoint_url}, work dir {self.work}")
        script = DEMO_DIR / "soak_inputs.py"
        command = [
            sys.executable,
            str(script),
            f"--seed={self.options.seed}",
            f"--work={self.work}",
        ]
        with (self.work / "inputs.log").open("ab") as log:
            self.helper = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets PDEATHSIG
            )
        self.report["pids"].append(self.helper.pid)
        stack = TerraformStack(
            terraform,
            self.work,
            {
                "endpoint_url": self.server.endpoint_url,
                "name_prefix": "orders-soak",
                "output_prefix": PREFIX,
                "function_timeout": self.options.function_timeout,
                "max_receive_count": self.options.max_receive_count,
            },
        )
        stack.init()
        self.progress("terraform apply of demo/terraform; meanwhile the inputs are generated")
        self.progress(stack.apply())
        outputs = stack.outputs()
        if self.helper.wait(timeout=600) != 0:
            raise RuntimeError(f"generating the inputs failed; see {self.work / 'inputs.log'}")
        document = json.loads((self.work / "inputs.json").read_text())
        inputs = [InputFile(**item) for item in document]
        self.report["inputs"] = {k: sum(f.kind == k for f in inputs) for k in INPUT_KINDS}
        return outputs, inputs

    def _start_consumers(self, outputs: dict[str, Any], endpoint: str) -> ConsumerPool:
        env = {k: v for k, v in os.environ.items() if k not in REAL_AWS_VARIABLES}
        env.update(lambda_runtime_env(DeployedFunction.from_outputs(outputs), endpoint))
        faults = {
            "seed": self.options.seed,
            "output_bucket": outputs["output_bucket"],
            "transient_share": self.options.transient_share,
            "transient_max_receive": 1,
            "write_window_file": str(self.work / "write-window.json"),
        }
        pool = ConsumerPool(self.work, env, {"endpoint": endpoint, "outputs": outputs}, faults)
        self.pool = pool
        for index in range(self.options.consumers):
            # Early in the first batches, at different points of a file's writes.
            pool.start(await_kill_at_write=3 + 9 * index if index < self.options.kills else None)
        pool.wait_started(timeout=180)
        return pool

    def _open_write_window(self) -> None:
        begin = time.time()
        window = {"from": begin, "until": begin + self.options.refuse_writes_for}
        staged = self.work / "write-window.json.tmp"
        staged.write_text(json.dumps(window))
        staged.replace(self.work / "write-window.json")

    def run(self) -> int:
        outputs, inputs = self.prepare()
        assert self.server is not None
        endpoint = self.server.endpoint_url
        s3, sqs = aws_client("s3", endpoint), aws_client("sqs", endpoint)
        bucket = outputs["input_bucket"]
        for item in (f for f in inputs if f.kind == "poison"):
            put = s3.put_object(Bucket=bucket, Key=item.key, Body=Path(item.path).read_bytes())
            s3.delete_object(Bucket=bucket, Key=item.key, VersionId=put["VersionId"])
        pool = self._start_consumers(outputs, endpoint)
        dropped = {f.key: 0.0 for f in inputs if f.kind != "poison"}
        order = sorted(dropped)
        random.Random(self.options.seed).shuffle(order)
        paths = {f.key: Path(f.path) for f in inputs}

        def drop(key: str) -> None:
            s3.put_object(Bucket=bucket, Key=key, Body=paths[key].read_bytes())
            dropped[key] = time.time()

        self.progress(f"{self.options.consumers} consumers polling; dropping {len(dropped)} files")
        with ThreadPoolExecutor(max_workers=16) as uploads:
            futures = [uploads.submit(drop, key) for key in order]
            try:
                drained = self._drain(sqs, outputs["queue_url"], futures)
            except BaseException:
                uploads.shutdown(wait=False, cancel_futures=True)
                raise
        pool.stop()
        self.progress("queue drained" if drained else "queue NOT drained in time; checking anyway")
        verdict = Checker(s3, bucket, outputs["output_bucket"], PREFIX).run(
            inputs, drain_dead_letters(sqs, outputs["dlq_url"]), _depth(sqs, outputs["queue_url"])
        )
        activity = Activity.from_events(pool.all_events())
        problems = [*pool.crashes, *([] if drained else ["the queue did not drain in time"])]
        visibility = sqs.get_queue_attributes(
            QueueUrl=outputs["queue_url"], AttributeNames=["VisibilityTimeout"]
        )["Attributes"]["VisibilityTimeout"]
        problems += activity_problems(activity, pool.kills, int(visibility))
        figures, line = summarise(
            verdict,
            activity,
            kills=pool.kills,
            dropped=dropped,
            files=len(inputs),
            problems=problems,
        )
        self.report.update(figures, consumer_pids=pool.pids)
        for name, count in sorted(figures["faults_by_kind"].items()):
            print(f"  fault {name}: {count}")
        for name in ("delivered_once", "delivered_again"):
            group = figures[name]
            print(
                f"  {name.replace('_', ' ')}: {group['files']} files, drop to manifest "
                f"p50 {group['p50']:.1f}s p95 {group['p95']:.1f}s"
            )
        for problem in [*verdict.lost, *verdict.duplicated, *figures["problems"]][:50]:
            print(f"  FAILED: {problem}")
        print(line, flush=True)
        return 0 if verdict.ok and not problems else 1

    def _drain(self, sqs: Any, queue_url: str, futures: list[Future[None]]) -> bool:
        """Supervise the consumers until the queue stays empty; False at the deadline."""
        assert self.pool is not None
        deadline = time.monotonic() + self.options.drain_timeout
        empty_in_a_row, next_look, window_open = 0, 0.0, False
        while time.monotonic() < deadline:
            self.pool.supervise()
            # Opened by progress, not by the clock: in the first wave on any machine.
            if not window_open and self.pool.batches_done >= self.options.refuse_writes_after:
                self._open_write_window()
                window_open = True
            if all(f.done() for f in futures) and time.monotonic() >= next_look:
                for future in futures:
                    future.result()  # an upload that failed ends the soak
                next_look = time.monotonic() + 1.0
                empty_in_a_row = empty_in_a_row + 1 if _depth(sqs, queue_url) == 0 else 0
                if empty_in_a_row == 2:
                    return True
            time.sleep(0.2)
        return False


def main(argv: list[str] | None = None) -> int:
    options = _options(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    work = options.work_dir or Path(tempfile.mkdtemp(prefix="orders-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    soak = Soak(options, work)
    atexit.register(soak.stop)
    try:
        return soak.run()
    except KeyboardInterrupt:
        print("soak: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ClientError, BotoCoreError, RuntimeError, OSError) as error:
        print(f"soak: error: {error}", file=sys.stderr)
        return 1
    finally:
        soak.stop()
        if options.report:
            options.report.write_text(json.dumps(soak.report, indent=2, default=str))
        if options.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
