#!/usr/bin/env python3
"""Run one of the orders lake's named Athena queries and print its rows as CSV.

`make query ENV=<env> REPORT=<report>` calls this with the catalog unit's workgroup
ARN. The named query is looked up by name in that workgroup and started in its
database (the workgroup enforces the result location, its encryption and the
bytes-scanned cutoff); the script waits for it, then prints the result set as CSV
(header row, ``\\n`` line ends) on stdout.

Exit codes: 0 rows printed; 1 the query failed, was cancelled (the cutoff cancels
queries that scan too much), did not finish in time (it is then stopped), or an AWS
call failed; 2 bad arguments. Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

PROG = "run_named_query"
WORKGROUP_ARN = re.compile(
    r"^arn:aws[a-z-]*:athena:(?P<region>[a-z0-9-]+):[0-9]{12}:workgroup/(?P<name>[A-Za-z0-9._-]+)$"
)
DONE_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")


class QueryError(Exception):
    """The query could not be run or did not succeed; the message says why."""


@dataclass(frozen=True)
class Workgroup:
    name: str
    region: str

    @classmethod
    def from_arn(cls, arn: str) -> Workgroup:
        match = WORKGROUP_ARN.match(arn)
        if match is None:
            raise ValueError(f"not an Athena workgroup ARN: {arn!r}")
        return cls(name=match["name"], region=match["region"])


def find_named_query(athena: Any, workgroup: str, name: str) -> dict[str, Any]:
    """The named query called ``name`` in ``workgroup``."""
    found: dict[str, dict[str, Any]] = {}
    for page in athena.get_paginator("list_named_queries").paginate(WorkGroup=workgroup):
        for query_id in page["NamedQueryIds"]:
            query = athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]
            found[query["Name"]] = query
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise QueryError(f"no named query {name!r} in workgroup {workgroup!r} (it has: {known})")
    return found[name]


def start(athena: Any, query: dict[str, Any], workgroup: str) -> str:
    """Start the named query in its database; the workgroup decides where results go."""
    started = athena.start_query_execution(
        QueryString=query["QueryString"],
        QueryExecutionContext={"Database": query["Database"]},
        WorkGroup=workgroup,
    )
    return str(started["QueryExecutionId"])


@dataclass(frozen=True)
class Waiting:
    """How long to wait for a query, how often to look, and the clock to do it with."""

    timeout: float = 600.0
    poll_interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def wait(athena: Any, execution_id: str, waiting: Waiting) -> None:
    """Return once the query succeeded; stop it when it runs past the timeout."""
    deadline = waiting.clock() + waiting.timeout
    while True:
        status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"][
            "Status"
        ]
        state = status["State"]
        if state == "SUCCEEDED":
            return
        if state in DONE_STATES:
            reason = " ".join(str(status.get("StateChangeReason", "no reason given")).split())
            raise QueryError(f"query {execution_id} {state}: {reason}")
        if waiting.clock() >= deadline:
            athena.stop_query_execution(QueryExecutionId=execution_id)
            raise QueryError(
                f"query {execution_id} still {state} after {waiting.timeout:g}s; stopped it "
                "(raise QUERY_TIMEOUT to wait longer)"
            )
        waiting.sleep(waiting.poll_interval)


def result_rows(athena: Any, execution_id: str) -> Iterator[list[str]]:
    """The header, then every row; a null value becomes an empty field."""
    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id)
    for number, page in enumerate(pages):
        rows = [
            [datum.get("VarCharValue", "") for datum in row["Data"]]
            for row in page["ResultSet"]["Rows"]
        ]
        if number == 0:
            header = [
                column["Name"] for column in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
            ]
            yield header
            # Athena repeats the column names as the first row of a SELECT's results.
            if rows and rows[0] == header:
                rows = rows[1:]
        yield from rows


def run(athena: Any, workgroup: str, name: str, out: TextIO, waiting: Waiting) -> str:
    """Run the named query and write its rows to ``out`` as CSV; return the execution id."""
    query = find_named_query(athena, workgroup, name)
    execution_id = start(athena, query, workgroup)
    wait(athena, execution_id, waiting)
    csv.writer(out, lineterminator="\n").writerows(result_rows(athena, execution_id))
    return execution_id


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--workgroup-arn", required=True, help="the catalog unit's workgroup_arn")
    parser.add_argument("--name", required=True, help="the named query (a report name)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds to wait before stopping the query"
    )
    parser.add_argument("--poll-interval", type=float, default=1.0, help="seconds between checks")
    args = parser.parse_args(argv)
    try:
        args.workgroup = Workgroup.from_arn(args.workgroup_arn)
    except ValueError as error:
        parser.error(str(error))
    if args.timeout <= 0 or args.poll_interval <= 0:
        parser.error("--timeout and --poll-interval must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        athena = boto3.client("athena", region_name=args.workgroup.region)
        waiting = Waiting(timeout=args.timeout, poll_interval=args.poll_interval)
        run(athena, args.workgroup.name, args.name, sys.stdout, waiting)
    except QueryError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"{PROG}: AWS call failed: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
