"""The soak's object-by-object checks (demo/soak_checks.py) must catch every way to fail.

An output bucket is laid out here the way the function writes it, from the command
line's own output for each input, on an in-process S3 emulator; each test then breaks
it one way and expects exactly that verdict.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from moto import mock_aws
from soak_checks import Checker, Verdict
from soak_inputs import InputFile, reference

from support import SAMPLE_CSV

INPUT, OUTPUT, PREFIX = "soak-input", "soak-output", "reports/"
PARTITION = "ingest_date=2026-12-01"


@dataclass
class World:
    s3: Any
    tmp: Path
    inputs: list[InputFile] = field(default_factory=list)
    dead_letters: list[str] = field(default_factory=list)

    def add(self, name: str, kind: str, content: bytes) -> InputFile:
        path = self.tmp / f"{name}.csv"
        path.write_bytes(content)
        key = f"incoming/{name}.csv"
        if kind == "poison":
            item = InputFile(key, kind, str(path), len(content))
        else:
            status, refusal = reference(path, self.tmp / "cli" / name)
            item = InputFile(
                key, kind, str(path), len(content), status, refusal, str(self.tmp / "cli" / name)
            )
        self.inputs.append(item)
        return item

    def put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=OUTPUT, Key=key, Body=data)

    def publish(self, item: InputFile, partition: str = PARTITION) -> dict[str, str]:
        """Write what the function writes for ``item``; returns output name -> key."""
        stem = Path(item.key).stem + "-0123456789abcdef"
        if item.kind == "refused":
            record = {"source": f"s3://{INPUT}/{item.key}", "reason": item.cli_refusal}
            key = f"{PREFIX}_refused/{partition}/{stem}.json"
            self.put(key, json.dumps(record).encode())
            return {"_refused": key}
        assert item.reference is not None
        cli = json.loads((Path(item.reference) / "manifest.json").read_text())
        keys = {}
        for name, file_name in cli["reports"].items():
            keys[name] = f"{PREFIX}{name}/{partition}/{stem}.csv"
            self.put(keys[name], (Path(item.reference) / file_name).read_bytes())
        # The function's curated file: the CLI's rows (its provenance columns differ,
        # which the checks ignore).
        curated = f"curated/orders/{partition}/{stem}.parquet"
        self.put(curated, (Path(item.reference) / cli["curated"]).read_bytes())
        manifest = {
            **{k: v for k, v in cli.items() if k not in ("reports", "curated")},
            "source": f"s3://{INPUT}/{item.key}",
            "reports": {name: f"s3://{OUTPUT}/{key}" for name, key in keys.items()},
            "curated": f"s3://{OUTPUT}/{curated}",
        }
        keys["curated"] = curated
        keys["_manifests"] = f"{PREFIX}_manifests/{partition}/{stem}.json"
        self.put(keys["_manifests"], json.dumps(manifest).encode())
        return keys

    def check(self, left_in_queue: int = 0) -> Verdict:
        checker = Checker(self.s3, INPUT, OUTPUT, PREFIX)
        return checker.run(self.inputs, self.dead_letters, left_in_queue)


def _with_rejects() -> bytes:
    header, first, *rest = SAMPLE_CSV.read_text().splitlines()
    broken = first.split(",")
    broken[14] = "0"  # no quantity
    return "\n".join([header, ",".join(broken), *rest]).encode()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with mock_aws():
        s3 = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for bucket in (INPUT, OUTPUT):
            s3.create_bucket(Bucket=bucket)
        yield World(s3, tmp_path)


@pytest.fixture
def complete(world: World) -> World:
    """One file of each kind, each with exactly what it must have."""
    world.publish(world.add("ordinary", "ordinary", _with_rejects()))
    world.publish(world.add("refused", "refused", b""))
    world.add("poison", "poison", SAMPLE_CSV.read_bytes())
    world.dead_letters.append("incoming/poison.csv")
    return world


def test_everything_in_place_passes_and_every_output_is_compared(complete: World) -> None:
    verdict = complete.check()
    assert (verdict.lost, verdict.duplicated, verdict.failures) == ([], [], [])
    assert verdict.ok
    assert verdict.compared_outputs == 5  # three reports, rejected_rows and the curated file
    assert verdict.manifest_keys == {
        "incoming/ordinary.csv": f"{PREFIX}_manifests/{PARTITION}/ordinary-0123456789abcdef.json"
    }


def test_a_missing_output_makes_the_file_lost(complete: World) -> None:
    key = f"{PREFIX}most_profitable_region/{PARTITION}/ordinary-0123456789abcdef.csv"
    complete.s3.delete_object(Bucket=OUTPUT, Key=key)
    verdict = complete.check()
    assert verdict.lost == ["incoming/ordinary.csv"]
    assert verdict.failures == [f"incoming/ordinary.csv: manifest names missing ['{key}']"]


def test_no_manifest_makes_the_file_lost_and_its_reports_unexplained(complete: World) -> None:
    key = f"{PREFIX}_manifests/{PARTITION}/ordinary-0123456789abcdef.json"
    complete.s3.delete_object(Bucket=OUTPUT, Key=key)
    verdict = complete.check()
    assert verdict.lost == ["incoming/ordinary.csv"]
    assert len(verdict.duplicated) == 5  # three reports, rejected_rows, the curated file
    assert all(d.startswith("object no input explains: ") for d in verdict.duplicated)


def test_an_output_differing_from_the_command_line_fails(complete: World) -> None:
    key = f"{PREFIX}orders_by_category_subcategory/{PARTITION}/ordinary-0123456789abcdef.csv"
    body = complete.s3.get_object(Bucket=OUTPUT, Key=key)["Body"].read()
    complete.put(key, body.replace(b"\n", b"\r\n"))
    verdict = complete.check()
    assert verdict.failures == [
        "incoming/ordinary.csv: reports.orders_by_category_subcategory differs from "
        "orders_by_category_subcategory.csv"
    ]
    assert (verdict.lost, verdict.duplicated) == ([], [])


def test_counts_differing_from_the_command_line_fail(complete: World) -> None:
    key = f"{PREFIX}_manifests/{PARTITION}/ordinary-0123456789abcdef.json"
    manifest = json.loads(complete.s3.get_object(Bucket=OUTPUT, Key=key)["Body"].read())
    manifest["rows_rejected"] += 1
    complete.put(key, json.dumps(manifest).encode())
    (failure,) = complete.check().failures
    assert failure.startswith("incoming/ordinary.csv: counts ")


def test_a_second_output_set_is_a_duplicate(complete: World) -> None:
    complete.publish(complete.inputs[0], partition="ingest_date=2026-12-02")
    verdict = complete.check()
    assert len(verdict.duplicated) == 1
    assert verdict.duplicated[0].startswith("incoming/ordinary.csv: 2 manifests: ")
    assert verdict.lost == []


def test_an_object_no_input_explains_is_a_duplicate(complete: World) -> None:
    complete.put(f"{PREFIX}most_profitable_region/{PARTITION}/stray-0123456789abcdef.csv", b"")
    assert complete.check().duplicated == [
        f"object no input explains: {PREFIX}most_profitable_region/{PARTITION}/"
        "stray-0123456789abcdef.csv"
    ]


def test_a_refusal_must_give_the_command_lines_reason(complete: World) -> None:
    key = f"{PREFIX}_refused/{PARTITION}/refused-0123456789abcdef.json"
    complete.put(
        key, json.dumps({"source": f"s3://{INPUT}/incoming/refused.csv", "reason": "?"}).encode()
    )
    assert complete.check().failures == [
        "incoming/refused.csv: refused for '?', the command line said 'the file is empty'"
    ]


def test_a_refused_file_needs_exactly_one_refusal_record(complete: World) -> None:
    complete.publish(complete.inputs[1], partition="ingest_date=2026-12-02")
    (duplicate,) = complete.check().duplicated
    assert duplicate.startswith("incoming/refused.csv: 2 refusal records: ")
    for key in complete.s3.list_objects_v2(Bucket=OUTPUT, Prefix=f"{PREFIX}_refused/")["Contents"]:
        complete.s3.delete_object(Bucket=OUTPUT, Key=key["Key"])
    assert complete.check().failures == ["incoming/refused.csv: 0 refusal records: []"]


def test_poison_must_be_parked_and_leave_nothing(complete: World) -> None:
    complete.dead_letters.clear()
    complete.publish(complete.add("poison-2", "refused", b""))
    complete.inputs[-1] = InputFile("incoming/poison-2.csv", "poison", "", 0)
    verdict = complete.check()
    assert verdict.failures == [
        "incoming/poison.csv: poison, not in the dead-letter queue",
        "incoming/poison-2.csv: poison, not in the dead-letter queue",
    ]
    (duplicate,) = verdict.duplicated
    assert duplicate.startswith("incoming/poison-2.csv: poison, yet has records ")


def test_an_ordinary_file_in_the_dead_letter_queue_fails(complete: World) -> None:
    complete.dead_letters.append("incoming/ordinary.csv")
    assert complete.check().failures == ["incoming/ordinary.csv: in the dead-letter queue"]


def test_messages_left_in_the_queue_fail(complete: World) -> None:
    assert complete.check(left_in_queue=3).failures == ["3 message(s) still in the queue"]


def _orders_table(order_ids: list[str], source_key: str) -> bytes:
    table = pa.table(
        {
            "order_id": order_ids,
            "source_bucket": [None if source_key.startswith("/") else INPUT] * len(order_ids),
            "source_key": [source_key] * len(order_ids),
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


@pytest.mark.parametrize(("in_bucket", "ok"), [(["A", "B"], True), (["A", "C"], False)])
def test_a_parquet_output_is_compared_by_rows_without_provenance(
    world: World, in_bucket: list[str], ok: bool
) -> None:
    item = world.add("curated", "ordinary", SAMPLE_CSV.read_bytes())
    assert item.reference is not None
    reference_dir = Path(item.reference)
    (reference_dir / "orders.parquet").write_bytes(_orders_table(["A", "B"], "/tmp/x.csv"))
    cli_manifest = json.loads((reference_dir / "manifest.json").read_text())
    (reference_dir / "manifest.json").write_text(
        json.dumps({**cli_manifest, "curated": "orders.parquet"})
    )
    keys = world.publish(item)
    curated = f"curated/orders/{PARTITION}/curated-0123456789abcdef.parquet"
    world.put(curated, _orders_table(in_bucket, item.key))
    manifest = json.loads(world.s3.get_object(Bucket=OUTPUT, Key=keys["_manifests"])["Body"].read())
    manifest["curated"] = f"s3://{OUTPUT}/{curated}"
    world.put(keys["_manifests"], json.dumps(manifest).encode())
    verdict = world.check()
    assert verdict.compared_outputs == 4
    assert verdict.failures == (
        [] if ok else ["incoming/curated.csv: curated differs from orders.parquet"]
    )
    assert (verdict.lost, verdict.duplicated) == ([], [])
