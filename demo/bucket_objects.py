"""Objects in the stack's buckets: an input to upload, keys to list, the reports to expect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orders_reports.reports import REPORT_NAMES

__all__ = ["REPORT_NAMES", "list_keys", "upload"]


def upload(s3: Any, path: Path, bucket: str, key: str) -> dict[str, Any]:
    with path.open("rb") as body:
        return dict(s3.put_object(Bucket=bucket, Key=key, Body=body))


def list_keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(keys)
