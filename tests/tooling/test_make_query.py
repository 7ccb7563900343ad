"""`make query` and scripts/run_named_query.py: find the named query, start it in its
workgroup and database, wait, print CSV; fail in one line on FAILED, CANCELLED or a
timeout. moto stores Athena queries but never runs them: the tests against it seed the
result set through moto's API, and the states moto never reaches are played by
botocore's Stubber."""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from support import MODULES_DIR, REPO_ROOT, require_tool

SCRIPT = REPO_ROOT / "scripts" / "run_named_query.py"
QUERIES = MODULES_DIR / "orders-catalog" / "queries"
REPORTS = sorted(p.stem for p in QUERIES.glob("*.sql"))
REGION = "eu-west-1"
WORKGROUP = "orders-pipeline-dev"
DATABASE = "orders_pipeline_dev"
ARN = f"arn:aws:athena:{REGION}:123456789012:workgroup/{WORKGROUP}"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_named_query", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


run_named_query = load_script()


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAKE", "MFLAGS", "AWS_")) and k != "MAKEFLAGS"
    }
    env.update(extra)
    return env


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # -o: never (re)build the venv from inside a test; the suite already runs in it.
    return subprocess.run(
        [require_tool("make"), "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=REPO_ROOT,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def own_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("make: ***")]


def fake_bin(tmp_path: Path, scripts: dict[str, str]) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to(require_tool("bash"))
    for name, body in scripts.items():
        script = bin_dir / name
        script.write_text("#!" + require_tool("bash") + "\n" + body)
        script.chmod(0o755)
    return bin_dir


# --- the script, with a stubbed Athena ----------------------------------------------


def stubbed_athena() -> tuple[Any, Stubber]:
    client = boto3.client(
        "athena", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def named(query_id: str, name: str, sql: str = "SELECT 1") -> dict[str, Any]:
    return {
        "NamedQuery": {
            "NamedQueryId": query_id,
            "Name": name,
            "Database": DATABASE,
            "QueryString": sql,
            "WorkGroup": WORKGROUP,
        }
    }


def expect_start(stub: Stubber, name: str = "most_profitable_region") -> None:
    stub.add_response(
        "list_named_queries", {"NamedQueryIds": ["q-1", "q-2"]}, {"WorkGroup": WORKGROUP}
    )
    stub.add_response(
        "get_named_query", named("q-1", "orders_by_category_subcategory"), {"NamedQueryId": "q-1"}
    )
    stub.add_response("get_named_query", named("q-2", name, "SELECT 2"), {"NamedQueryId": "q-2"})
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "exec-1"},
        {
            "QueryString": "SELECT 2",
            "QueryExecutionContext": {"Database": DATABASE},
            "WorkGroup": WORKGROUP,
        },
    )


def state(value: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": value}
    if reason is not None:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "exec-1", "Status": status}}


class FakeClock:
    """Time moves only when the script sleeps: no test waits for real."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def waiting(clock: FakeClock, timeout: float = 60.0) -> Any:
    return run_named_query.Waiting(
        timeout=timeout, poll_interval=5.0, clock=clock, sleep=clock.sleep
    )


@pytest.mark.parametrize(
    ("final", "reason", "message"),
    [
        (
            "FAILED",
            "COLUMN_NOT_FOUND: line 3:5:\n Column 'x' cannot be resolved",
            "query exec-1 FAILED: COLUMN_NOT_FOUND: line 3:5: Column 'x' cannot be resolved",
        ),
        (
            "CANCELLED",
            "Query exhausted resources: bytes scanned limit",
            "query exec-1 CANCELLED: Query exhausted resources: bytes scanned limit",
        ),
        ("FAILED", None, "query exec-1 FAILED: no reason given"),
    ],
)
def test_a_failed_or_cancelled_query_is_one_line_and_exit_1(
    final: str,
    reason: str | None,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stub = stubbed_athena()
    expect_start(stub)
    stub.add_response("get_query_execution", state("QUEUED"), {"QueryExecutionId": "exec-1"})
    stub.add_response("get_query_execution", state("RUNNING"), {"QueryExecutionId": "exec-1"})
    stub.add_response("get_query_execution", state(final, reason), {"QueryExecutionId": "exec-1"})
    clock = FakeClock()
    monkeypatch.setattr(run_named_query.boto3, "client", lambda *_a, **_k: client)
    # The script's own timeout and poll interval, on a clock that only sleeps pretend.
    real = run_named_query.Waiting
    monkeypatch.setattr(
        run_named_query, "Waiting", functools.partial(real, clock=clock, sleep=clock.sleep)
    )
    with stub:
        code = run_named_query.main(["--workgroup-arn", ARN, "--name", "most_profitable_region"])
        stub.assert_no_pending_responses()
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"run_named_query: {message}\n"
    assert clock.sleeps == [1.0, 1.0]


def test_a_query_past_the_timeout_is_stopped() -> None:
    client, stub = stubbed_athena()
    expect_start(stub)
    for _ in range(3):
        stub.add_response("get_query_execution", state("RUNNING"), {"QueryExecutionId": "exec-1"})
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "exec-1"})
    clock = FakeClock()
    with stub, pytest.raises(run_named_query.QueryError) as raised:
        run_named_query.run(
            client, WORKGROUP, "most_profitable_region", io.StringIO(), waiting(clock, 10)
        )
    stub.assert_no_pending_responses()
    assert str(raised.value) == (
        "query exec-1 still RUNNING after 10s; stopped it (raise QUERY_TIMEOUT to wait longer)"
    )
    assert clock.sleeps == [5.0, 5.0]


def test_every_page_of_results_is_printed_as_csv_once_with_its_header() -> None:
    client, stub = stubbed_athena()
    expect_start(stub)
    stub.add_response("get_query_execution", state("SUCCEEDED"), {"QueryExecutionId": "exec-1"})
    columns = [{"Name": "region", "Type": "varchar"}, {"Name": "profit", "Type": "varchar"}]

    def page(*rows: list[str | None]) -> dict[str, Any]:
        data = [
            {"Data": [{} if value is None else {"VarCharValue": value} for value in row]}
            for row in rows
        ]
        return {"ResultSet": {"Rows": data, "ResultSetMetadata": {"ColumnInfo": columns}}}

    first = page(["region", "profit"], ["East", "2465.50"], ['North, "upper"', None])
    stub.add_response(
        "get_query_results", {**first, "NextToken": "t"}, {"QueryExecutionId": "exec-1"}
    )
    stub.add_response(
        "get_query_results",
        page(["West", "2465.50"]),
        {"QueryExecutionId": "exec-1", "NextToken": "t"},
    )
    out = io.StringIO()
    with stub:
        run_named_query.run(client, WORKGROUP, "most_profitable_region", out, waiting(FakeClock()))
    stub.assert_no_pending_responses()
    assert out.getvalue() == ('region,profit\nEast,2465.50\n"North, ""upper""",\nWest,2465.50\n')


def test_an_unknown_name_lists_the_named_queries_of_the_workgroup() -> None:
    client, stub = stubbed_athena()
    stub.add_response("list_named_queries", {"NamedQueryIds": ["q-1"]}, {"WorkGroup": WORKGROUP})
    stub.add_response(
        "get_named_query", named("q-1", "orders_by_category_subcategory"), {"NamedQueryId": "q-1"}
    )
    with stub, pytest.raises(run_named_query.QueryError) as raised:
        run_named_query.run(
            client, WORKGROUP, "most_profitable", io.StringIO(), waiting(FakeClock())
        )
    assert str(raised.value) == (
        "no named query 'most_profitable' in workgroup 'orders-pipeline-dev' "
        "(it has: orders_by_category_subcategory)"
    )


@pytest.mark.parametrize(
    "arn",
    [
        "orders-pipeline-dev",
        "arn:aws:athena:eu-west-1:123456789012:datacatalog/AwsDataCatalog",
        "arn:aws:s3:::orders-pipeline-dev",
    ],
)
def test_anything_but_a_workgroup_arn_is_refused_with_exit_2(
    arn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_named_query.main(["--workgroup-arn", arn, "--name", "most_profitable_region"])
    assert exited.value.code == 2
    assert f"not an Athena workgroup ARN: {arn!r}" in capsys.readouterr().err


# --- against moto_server ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Lake:
    """A workgroup with the three named queries (and a decoy elsewhere) on moto."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.athena: Any = boto3.client("athena", region_name=REGION, endpoint_url=endpoint)
        s3: Any = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
        s3.create_bucket(Bucket="results", CreateBucketConfiguration={"LocationConstraint": REGION})
        for group in (WORKGROUP, "someone-else"):
            self.athena.create_work_group(
                Name=group,
                Configuration={
                    "ResultConfiguration": {"OutputLocation": f"s3://results/{group}/"},
                    "EnforceWorkGroupConfiguration": True,
                },
                Tags=[{"Key": "stack", "Value": "test"}],
            )
        self.sql = {report: (QUERIES / f"{report}.sql").read_text() for report in REPORTS}
        for report, sql in self.sql.items():
            self.athena.create_named_query(
                Name=report, Database=DATABASE, QueryString=sql, WorkGroup=WORKGROUP
            )
        self.athena.create_named_query(
            Name="most_profitable_region",
            Database="other",
            QueryString="SELECT 0",
            WorkGroup="someone-else",
        )

    def seed_results(self, header: list[str], *rows: list[str]) -> None:
        body = {
            "region": REGION,
            "results": [
                {
                    "rows": [
                        {"Data": [{"VarCharValue": v} for v in row]} for row in (header, *rows)
                    ],
                    "column_info": [{"Name": name, "Type": "varchar"} for name in header],
                }
            ],
        }
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/static/athena/query-results",
            data=json.dumps(body).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 201

    def executions(self) -> list[dict[str, Any]]:
        ids = self.athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"]
        return [self.athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]


@pytest.fixture
def lake(fake_aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lake]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        # moto keeps its state per process, across server instances: start clean.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        yield Lake(endpoint)
    finally:
        server.stop()


def test_script_starts_the_named_query_in_its_database_and_prints_the_rows(
    lake: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    lake.seed_results(["region", "profit"], ["East", "2465.50"], ["West", "2465.50"])
    args = ["--workgroup-arn", ARN, "--name", "most_profitable_region", "--poll-interval", "0.01"]
    assert run_named_query.main(args) == 0
    assert capsys.readouterr() == ("region,profit\nEast,2465.50\nWest,2465.50\n", "")
    (execution,) = lake.executions()
    assert execution["Query"] == lake.sql["most_profitable_region"]
    assert execution["QueryExecutionContext"]["Database"] == DATABASE
    assert execution["WorkGroup"] == WORKGROUP


def test_make_query_reads_the_workgroup_from_terragrunt_and_prints_csv(
    lake: Lake, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.log"
    terragrunt = (
        f'echo "terragrunt $PWD $*" >>"{calls}"\n'
        f'[[ "$*" == "output -raw workgroup_arn" ]] && printf %s "{ARN}"\n'
    )
    bin_dir = fake_bin(tmp_path, {"terragrunt": terragrunt})
    aws_dir = Path(require_tool("aws")).parent
    env = clean_env(
        PATH=os.pathsep.join([str(bin_dir), str(aws_dir), os.environ["PATH"]]),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=lake.endpoint,
    )
    lake.seed_results(
        ["category", "sub_category", "order_count"], ["Furniture", "Chairs, large", "3"]
    )
    done = make("query", "ENV=prod", "REPORT=orders_by_category_subcategory", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith('category,sub_category,order_count\nFurniture,"Chairs, large",3\n')
    assert (
        calls.read_text() == f"terragrunt {REPO_ROOT}/live/prod/catalog output -raw workgroup_arn\n"
    )
    (execution,) = lake.executions()
    assert execution["Query"] == lake.sql["orders_by_category_subcategory"]


# --- the make target: dry run and fail-fast checks ----------------------------------


def test_dry_run_checks_tools_and_credentials_then_reads_the_unit_output() -> None:
    done = make("-n", "query", "ENV=dev", "REPORT=most_common_ship_mode_by_category")
    assert done.returncode == 0, done.stderr
    lines = [" ".join(line.split()) for line in done.stdout.splitlines()]
    assert "command -v aws" in lines[0]
    assert "command -v terragrunt" in lines[1]
    assert lines[2].startswith("aws sts get-caller-identity")
    assert lines[3].startswith(
        "workgroup_arn=$(cd live/dev/catalog && terragrunt output -raw workgroup_arn)"
    )
    assert lines[4] == (
        '.venv/bin/python scripts/run_named_query.py --workgroup-arn "$workgroup_arn" '
        "--name most_common_ship_mode_by_category --timeout 600"
    )
    assert len(lines) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ENV=dev"], "make query: REPORT must be one of: " + " ".join(REPORTS) + " (got '')"),
        (
            ["ENV=dev", "REPORT=profit"],
            "REPORT must be one of: " + " ".join(REPORTS) + " (got 'profit')",
        ),
        (
            ["ENV=dev", "REPORT=most_profitable_region orders_by_category_subcategory"],
            "(got 'most_profitable_region orders_by_category_subcategory')",
        ),
        (
            ["ENV=staging", "REPORT=most_profitable_region"],
            "ENV must be one of: dev prod (got 'staging')",
        ),
    ],
)
def test_arguments_are_checked_before_anything_runs(args: list[str], message: str) -> None:
    done = make("-n", "query", *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert done.stdout == ""


def test_missing_terragrunt_stops_with_one_line(tmp_path: Path) -> None:
    env = clean_env(PATH=str(fake_bin(tmp_path, {"aws": "exit 0\n"})))
    done = make("query", "ENV=dev", "REPORT=most_profitable_region", env=env)
    assert done.returncode != 0
    (line,) = own_lines(done.stderr)
    assert line.startswith("make query: 'terragrunt' not found on PATH; install Terragrunt")


def test_missing_credentials_stop_before_terragrunt_runs(tmp_path: Path) -> None:
    ran = tmp_path / "terragrunt-ran"
    fakes = {
        "aws": 'echo "Unable to locate credentials" >&2\nexit 255\n',
        "terragrunt": f'touch "{ran}"\n',
    }
    env = clean_env(PATH=str(fake_bin(tmp_path, fakes)))
    done = make("query", "ENV=dev", "REPORT=most_profitable_region", env=env)
    assert done.returncode != 0
    assert own_lines(done.stderr) == [
        "make query: no usable AWS credentials (aws sts get-caller-identity failed); "
        "set AWS_PROFILE or run aws sso login"
    ]
    assert not ran.exists()
