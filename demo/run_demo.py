"""`make demo`: the whole pipeline on a local AWS emulator, no AWS account needed.

1. start moto_server on a free loopback port (stopped on every exit path);
2. terraform apply the real modules (demo/terraform) to it, the lake's catalog included;
3. upload assessment_assets/sample_orders.csv and a second file whose orders overlap
   it to the input bucket;
4. consume the queue as the Lambda event source mapping would, running the
   real handler in-process;
5. show the output bucket and each file's reports;
6. show the reports across both files: the catalog's named queries, run locally by
   DuckDB over the curated Parquet read back from the emulator (moto runs no query);
   then terraform destroy.

Exit status: 0 on success, 1 on any failure (including a missing terraform),
130 when interrupted.
"""

from __future__ import annotations

import atexit
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from bucket_objects import REPORT_NAMES, list_keys, upload
from emulator import REPO_ROOT, MotoServer, aws_client, moto_server_command
from lake_queries import QUERIES_DIR, run_report
from lambda_runtime import DeployedFunction, ExecutionEnvironment
from queue_poller import QueuePoller
from stack_inventory import INVENTORY_SERVICES, inventory, leftovers
from terminal_render import render_table, render_tree
from terraform_stack import TERRAFORM_INSTALL_HINT, CommandError, TerraformStack, find_terraform

SAMPLE_CSV = REPO_ROOT / "assessment_assets" / "sample_orders.csv"
INPUT_KEY = "incoming/sample_orders.csv"
SECOND_KEY = "incoming/orders_followup.csv"
NAME_PREFIX = "orders-demo"
STEPS = 6


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.0f}s"

    def step(self, number: int, title: str) -> None:
        print(f"\n[{number}/{STEPS}] {title}  (t+{self.elapsed()})", flush=True)

    def info(self, line: str = "") -> None:
        print(f"      {line}".rstrip(), flush=True)

    def block(self, text: str) -> None:
        for line in text.splitlines():
            self.info(line)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM/SIGHUP become an exception so every `finally` runs (Ctrl-C already
    # raises KeyboardInterrupt).
    raise SystemExit(128 + signum)


def report_keys(keys: list[str], output_prefix: str) -> dict[str, list[str]]:
    """The report CSVs in the output bucket, by report name."""
    return {
        name: [k for k in keys if k.startswith(f"{output_prefix}{name}/") and k.endswith(".csv")]
        for name in REPORT_NAMES
    }


def apply_stack(
    progress: Progress, terraform: str, work: Path, endpoint: str
) -> tuple[TerraformStack, dict[str, Any]]:
    progress.info(f"composition demo/terraform, terraform work dir {work}")
    stack = TerraformStack(terraform, work, {"endpoint_url": endpoint, "name_prefix": NAME_PREFIX})
    stack.init()
    progress.info("terraform init: done")
    progress.info("terraform apply (1-2 minutes: the provider waits ~25 s per SQS queue/policy)...")
    progress.info(stack.apply())
    outputs = stack.outputs()
    progress.info("On the emulator, unlike a real deployment:")
    for deviation in outputs["emulator_deviations"]:
        progress.info(f"  - {deviation}")
    return stack, outputs


def consume_queue(progress: Progress, sqs: Any, outputs: dict[str, Any], endpoint: str) -> int:
    """Run the queue through the handler; returns the number of failed messages."""
    function = DeployedFunction.from_outputs(outputs)
    poller = QueuePoller(
        sqs,
        outputs["queue_url"],
        outputs["queue_arn"],
        invoke=ExecutionEnvironment(function, endpoint),
        batch_size=int(outputs["batch_size"]),
        echo=progress.info,
    )
    env = ", ".join(f"{k}={v}" for k, v in sorted(function.environment.items()))
    progress.info(f"function {function.name} environment: {env}")
    progress.info(
        f"batch size {poller.batch_size}, visibility timeout {poller.visibility_timeout}s; "
        "handler called in-process (moto cannot run the image)"
    )
    outcomes = poller.drain()
    failed = sum(len(o.failed_ids) for o in outcomes)
    dlq_depth = sqs.get_queue_attributes(
        QueueUrl=outputs["dlq_url"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    progress.info(f"queue drained: {failed} message(s) failed, DLQ depth {dlq_depth}")
    return failed


def show_reports(progress: Progress, s3: Any, outputs: dict[str, Any]) -> list[str]:
    """Print the output bucket and the reports; returns the names of missing reports."""
    bucket = outputs["output_bucket"]
    keys = list_keys(s3, bucket)
    progress.block(render_tree(bucket, keys))
    prefix = outputs["function_environment"].get("OUTPUT_PREFIX", "reports/")
    found = report_keys(keys, prefix)
    for name in REPORT_NAMES:
        for key in found[name]:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            progress.info()
            progress.info(f"{name}.csv of {key.rsplit('/', 1)[-1].removesuffix('.csv')}")
            progress.block(render_table(body))
    return [name for name in REPORT_NAMES if not found[name]]


def second_file(sample: bytes) -> bytes:
    """A follow-up drop: later lines of five of the sample's orders (other products,
    so the orders span both files) and five new orders. Same header, CRLF."""
    header, *rows = sample.decode().split("\r\n")
    later = []
    for number, line in enumerate(rows[:10]):
        fields = line.split(",")
        if number < 5:  # an order of the first file, bought again: Technology / Phones
            fields[9:12] = ["Technology", "Phones", f"TEC-PH-1000{number}"]
        else:  # a new order
            fields[0] = f"CA-2023-2{number:03d}"
        later.append(",".join(fields))
    return "\r\n".join([header, *later]).encode()


def show_lake(progress: Progress, s3: Any, outputs: dict[str, Any], work: Path) -> None:
    """The reports across every file received so far, from the curated dataset."""
    bucket, prefix = outputs["output_bucket"], outputs["catalog"]["curated_prefix"]
    files = []
    for key in list_keys(s3, bucket):
        if key.startswith(prefix) and key.endswith(".parquet"):
            local = work / "lake" / key
            local.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(local))
            files.append(local)
            progress.info(f"s3://{bucket}/{key}")
    catalog = outputs["catalog"]
    progress.info(
        f"Glue database {catalog['database_name']}, table {catalog['orders_table_name']}, "
        f"Athena workgroup {catalog['workgroup_name']}: {len(catalog['named_query_ids'])} "
        "named queries stored"
    )
    progress.info(
        f"Computed LOCALLY by DuckDB from {QUERIES_DIR.relative_to(REPO_ROOT)}/*.sql "
        "(Trino, transpiled by sqlglot): moto stores the named queries but runs none."
    )
    for name in REPORT_NAMES:
        progress.info()
        progress.info(f"{name} (across {len(files)} files)")
        progress.block(render_table(run_report(name, files).decode()))


def run(progress: Progress, terraform: str, moto: list[str], work: Path) -> int:
    server = MotoServer(moto, work / "moto_server.log")
    atexit.register(server.stop)
    try:
        progress.step(1, "Starting the local AWS emulator")
        server.start()
        endpoint = server.endpoint_url
        pid = server.process.pid if server.process else "?"
        progress.info(f"moto_server listening on {endpoint} (pid {pid})")
        clients = {name: aws_client(name, endpoint) for name in INVENTORY_SERVICES}
        before = inventory(clients)

        progress.step(2, "terraform apply: the real modules, on the emulator")
        stack, outputs = apply_stack(progress, terraform, work, endpoint)
        s3 = aws_client("s3", endpoint)

        progress.step(3, "Dropping two files into the input bucket")
        upload(s3, SAMPLE_CSV, outputs["input_bucket"], INPUT_KEY)
        progress.info(
            f"{SAMPLE_CSV.relative_to(REPO_ROOT)} -> s3://{outputs['input_bucket']}/{INPUT_KEY}"
        )
        followup = work / "orders_followup.csv"
        followup.write_bytes(second_file(SAMPLE_CSV.read_bytes()))
        upload(s3, followup, outputs["input_bucket"], SECOND_KEY)
        progress.info(
            f"a follow-up of 10 lines (5 of the sample's orders again, 5 new) -> "
            f"s3://{outputs['input_bucket']}/{SECOND_KEY}"
        )

        progress.step(4, "Consuming the queue as the Lambda event source mapping would")
        failed = consume_queue(progress, aws_client("sqs", endpoint), outputs, endpoint)

        progress.step(5, "Reports in the output bucket, one set per file")
        missing = show_reports(progress, s3, outputs)

        progress.step(6, "Reports across files (the orders lake)")
        show_lake(progress, s3, outputs, work)
        progress.info()
        progress.info("terraform destroy...")
        progress.info(stack.destroy())
        left = leftovers(before, inventory(clients))
        progress.info(f"left behind on the emulator: {left or 'nothing'}")
        if missing or failed or left:
            progress.info(f"FAILED: reports missing: {missing}; failed messages: {failed}")
            return 1
        return 0
    finally:
        server.stop()
        progress.info(f"moto_server stopped; total {progress.elapsed()}")


def main() -> int:
    progress = Progress()
    print("orders-pipeline local demo: the real Terraform modules on moto_server, no AWS account")
    terraform = find_terraform()
    if terraform is None:
        print(f"error: terraform is not installed; {TERRAFORM_INSTALL_HINT}", file=sys.stderr)
        return 1
    moto = moto_server_command()
    if moto is None:
        print("error: moto[server] is not installed; run `make setup` first", file=sys.stderr)
        return 1
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    work = Path(tempfile.mkdtemp(prefix="orders-demo-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    try:
        return run(progress, terraform, moto, work)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (CommandError, ClientError, BotoCoreError, RuntimeError, OSError) as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
