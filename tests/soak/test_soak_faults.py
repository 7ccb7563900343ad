"""The soak's fault injector (demo/soak_faults.py), on an in-process S3 emulator.

Each kind of fault must reach the caller the way S3's own would (a ClientError with
S3's code and status, a refused connection, a body that breaks half way), be
recorded exactly once, and spare what it must spare: other buckets, later deliveries,
calls outside a batch.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError, EndpointConnectionError, ResponseStreamingError
from moto import mock_aws
from soak_faults import BODY_CUT_OFF, FaultInjector, FaultPlan

INPUT, OUTPUT = "soak-input", "soak-output"
BODY = bytes(range(256)) * 4  # 1024 bytes
MIB5 = 5 * 1024 * 1024  # S3's smallest part


class Recorder(list[dict[str, Any]]):
    def __call__(self, event: dict[str, Any]) -> None:
        self.append(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self if e["event"] == kind]


@pytest.fixture
def session() -> Iterator[boto3.session.Session]:
    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        s3 = session.client("s3")
        for bucket in (INPUT, OUTPUT):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=INPUT, Key="in.csv", Body=BODY)
        yield session


def injected(
    session: boto3.session.Session, tmp_path: Path, **plan: Any
) -> tuple[Any, FaultInjector, Recorder]:
    """An S3 client of ``session`` with the hooks of a fresh injector, and its records."""
    fields: dict[str, Any] = {
        "seed": 7,
        "output_bucket": OUTPUT,
        "transient_share": 0.0,
        "transient_max_receive": 1,
        "write_window_file": str(tmp_path / "window.json"),
        **plan,
    }
    record = Recorder()
    injector = FaultInjector(FaultPlan(**fields), record)
    events = session.events
    for name, handler in injector.hooks():
        events.register(name, handler)
    client = session.client("s3")  # the client copies the session's handlers
    for name, handler in injector.hooks():
        events.unregister(name, handler)
    return client, injector, record


def test_an_injected_s3_error_reaches_the_caller_as_s3_would_send_it(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(
        session, tmp_path, transient_share=1.0, transient_kinds=("SlowDown",)
    )
    injector.begin_batch([1, 1])
    with pytest.raises(ClientError) as read:
        s3.get_object(Bucket=INPUT, Key="in.csv")
    with pytest.raises(ClientError) as write:
        s3.put_object(Bucket=OUTPUT, Key="out.csv", Body=b"x")
    for error in (read.value, write.value):
        assert error.response["Error"]["Code"] == "SlowDown"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert [(e["kind"], e["op"], e["bucket"], e["key"], e["code"]) for e in record] == [
        ("transient", "GetObject", INPUT, "in.csv", "SlowDown"),
        ("transient", "PutObject", OUTPUT, "out.csv", "SlowDown"),
    ]
    # Short-circuited before it was sent: nothing was written.
    assert "Contents" not in session.client("s3").list_objects_v2(Bucket=OUTPUT)


def test_a_refused_connection_raises_what_botocore_raises(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(
        session, tmp_path, transient_share=1.0, transient_kinds=("EndpointConnectionError",)
    )
    injector.begin_batch([1])
    with pytest.raises(EndpointConnectionError):
        s3.get_object(Bucket=INPUT, Key="in.csv")
    assert [e["code"] for e in record.of("fault")] == ["EndpointConnectionError"]


def test_a_body_cut_off_half_way_fails_the_read_and_counts_once(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(
        session, tmp_path, transient_share=1.0, transient_kinds=(BODY_CUT_OFF,)
    )
    injector.begin_batch([1])
    body = s3.get_object(Bucket=INPUT, Key="in.csv")["Body"]
    assert body.read(300) == BODY[:300]
    assert body.read(300) == BODY[300:512]  # the cut is at half of the object
    with pytest.raises(ResponseStreamingError):
        body.read(300)
    assert [e["code"] for e in record.of("fault")] == [BODY_CUT_OFF]
    # Only GetObject has a body to cut: a write with only that kind allowed goes through.
    s3.put_object(Bucket=OUTPUT, Key="out.csv", Body=b"x")
    assert len(record.of("fault")) == 1


@pytest.mark.parametrize("receives", [[2], [1, 2], [3, 1]])
def test_a_batch_with_a_redelivered_message_gets_no_transient_fault(
    session: boto3.session.Session, tmp_path: Path, receives: list[int]
) -> None:
    s3, injector, record = injected(session, tmp_path, transient_share=1.0)
    injector.begin_batch(receives)
    assert s3.get_object(Bucket=INPUT, Key="in.csv")["Body"].read() == BODY
    s3.put_object(Bucket=OUTPUT, Key="out.csv", Body=b"x")
    assert record.of("fault") == []


def test_outside_a_batch_nothing_is_injected(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(session, tmp_path, transient_share=1.0)
    injector.begin_batch([1])
    injector.end_batch()
    assert s3.get_object(Bucket=INPUT, Key="in.csv")["Body"].read() == BODY
    assert record.of("fault") == []


def test_the_write_window_refuses_every_write_to_the_output_bucket_only(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(session, tmp_path)
    (tmp_path / "window.json").write_text(
        json.dumps({"from": time.time() - 1, "until": time.time() + 600})
    )
    injector.begin_batch([4])  # the window spares no delivery
    assert s3.get_object(Bucket=INPUT, Key="in.csv")["Body"].read() == BODY
    s3.put_object(Bucket=INPUT, Key="elsewhere.csv", Body=b"x")
    with pytest.raises(ClientError) as single:
        s3.put_object(Bucket=OUTPUT, Key="out.csv", Body=b"x")
    with pytest.raises(ClientError) as delete:
        s3.delete_object(Bucket=OUTPUT, Key="old.json")
    multipart = TransferConfig(
        multipart_threshold=MIB5, multipart_chunksize=MIB5, use_threads=False
    )
    with pytest.raises(ClientError) as streamed:
        s3.upload_fileobj(io.BytesIO(b"\0" * (MIB5 + 1024)), OUTPUT, "big.csv", Config=multipart)
    for error in (single.value, delete.value, streamed.value):
        assert error.response["Error"]["Code"] == "AccessDenied"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert [(e["kind"], e["op"], e["key"]) for e in record.of("fault")] == [
        ("write_refused", "PutObject", "out.csv"),
        ("write_refused", "DeleteObject", "old.json"),
        ("write_refused", "CreateMultipartUpload", "big.csv"),
    ]


def test_a_write_window_in_the_past_refuses_nothing(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(session, tmp_path)
    (tmp_path / "window.json").write_text(
        json.dumps({"from": time.time() - 60, "until": time.time() - 30})
    )
    injector.begin_batch([1])
    s3.put_object(Bucket=OUTPUT, Key="out.csv", Body=b"x")
    assert record.of("fault") == []
    assert [(e["op"], e["key"]) for e in record.of("write")] == [("PutObject", "out.csv")]


def test_successful_writes_are_recorded_with_their_keys(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(session, tmp_path)
    injector.begin_batch([1])
    multipart = TransferConfig(
        multipart_threshold=MIB5, multipart_chunksize=MIB5, use_threads=False
    )
    s3.upload_fileobj(io.BytesIO(b"\0" * (MIB5 + 1024)), OUTPUT, "big.csv", Config=multipart)
    s3.put_object(Bucket=OUTPUT, Key="m.json", Body=b"{}")
    assert [(e["op"], e["key"]) for e in record.of("write")] == [
        ("CreateMultipartUpload", "big.csv"),
        ("UploadPart", "big.csv"),
        ("UploadPart", "big.csv"),
        ("CompleteMultipartUpload", "big.csv"),
        ("PutObject", "m.json"),
    ]


def test_the_chosen_write_waits_to_be_killed_then_carries_on(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    s3, injector, record = injected(session, tmp_path, await_kill_at_write=2, kill_wait_seconds=0)
    injector.begin_batch([2])  # a redelivery's writes do not count
    s3.put_object(Bucket=OUTPUT, Key="a.csv", Body=b"x")
    injector.begin_batch([1])
    s3.put_object(Bucket=OUTPUT, Key="b.csv", Body=b"x")
    s3.put_object(Bucket=OUTPUT, Key="c.csv", Body=b"x")
    s3.put_object(Bucket=OUTPUT, Key="d.csv", Body=b"x")
    assert [(e["event"], e.get("key")) for e in record if e["event"] != "write"] == [
        ("awaiting_kill", "c.csv"),
        ("kill_not_delivered", None),
    ]
    assert [e["key"] for e in record.of("write")] == ["a.csv", "b.csv", "c.csv", "d.csv"]


def test_the_same_seed_injects_the_same_faults(
    session: boto3.session.Session, tmp_path: Path
) -> None:
    runs = []
    for _ in range(2):
        s3, injector, record = injected(session, tmp_path, transient_share=0.3)
        injector.begin_batch([1])
        for i in range(60):
            with contextlib.suppress(ClientError, EndpointConnectionError):
                s3.put_object(Bucket=OUTPUT, Key=f"k{i}", Body=b"x")
        runs.append([(e["key"], e["code"]) for e in record.of("fault")])
    assert runs[0] == runs[1]
    assert 0 < len(runs[0]) < 60
