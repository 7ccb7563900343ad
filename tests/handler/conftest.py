"""Fixtures for the Lambda handler on moto: the two buckets and the configured handler."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from handler_events import INPUT_BUCKET, OUTPUT_BUCKET, REGION
from moto import mock_aws


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        for bucket in (INPUT_BUCKET, OUTPUT_BUCKET):
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        client.put_bucket_versioning(
            Bucket=INPUT_BUCKET, VersioningConfiguration={"Status": "Enabled"}
        )
        yield client


@pytest.fixture
def handler(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The handler module configured for the moto buckets, with a client made inside moto."""
    monkeypatch.setenv("OUTPUT_BUCKET", OUTPUT_BUCKET)
    module = importlib.import_module("orders_reports.handler")
    monkeypatch.setattr(module, "SETTINGS", module.Settings.from_env())
    module.s3_client.cache_clear()
    yield module
    module.s3_client.cache_clear()
