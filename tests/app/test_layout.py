"""Output keys of the Lambda: a pure function of the object version and the event time."""

from __future__ import annotations

import pytest

from orders_reports.layout import (
    SourceObject,
    ingest_date,
    normalise_prefix,
    output_keys,
    source_id,
)

SOURCE = SourceObject("in-bucket", "drops/2026/Orders Nov.csv", version_id="v1", etag="e1")
WHEN = "2026-11-26T23:59:59.999Z"


def test_keys_are_hive_partitioned_one_folder_per_report() -> None:
    keys = output_keys("reports/", SOURCE, WHEN)
    ident = source_id(SOURCE)
    assert ident.startswith("Orders_Nov-")
    assert keys.reports == {
        "most_profitable_region": (
            f"reports/most_profitable_region/ingest_date=2026-11-26/{ident}.csv"
        ),
        "most_common_ship_mode_by_category": (
            f"reports/most_common_ship_mode_by_category/ingest_date=2026-11-26/{ident}.csv"
        ),
        "orders_by_category_subcategory": (
            f"reports/orders_by_category_subcategory/ingest_date=2026-11-26/{ident}.csv"
        ),
    }
    assert keys.rejected_rows == f"reports/rejected_rows/ingest_date=2026-11-26/{ident}.csv"
    assert keys.manifest == f"reports/_manifests/ingest_date=2026-11-26/{ident}.json"
    assert keys.refusal == f"reports/_refused/ingest_date=2026-11-26/{ident}.json"


def test_the_same_object_version_always_gets_the_same_keys() -> None:
    same = SourceObject("in-bucket", "drops/2026/Orders Nov.csv", version_id="v1", etag="e1")
    assert output_keys("reports/", same, WHEN) == output_keys("reports/", SOURCE, WHEN)


@pytest.mark.parametrize(
    "other",
    [
        SourceObject("in-bucket", "drops/2026/Orders Nov.csv", version_id="v2", etag="e1"),
        SourceObject("in-bucket", "drops/2025/Orders Nov.csv", version_id="v1", etag="e1"),
        SourceObject("other", "drops/2026/Orders Nov.csv", version_id="v1", etag="e1"),
        SourceObject("in-bucket", "drops/2026/Orders_Nov.csv", version_id="v1", etag="e1"),
    ],
)
def test_different_objects_or_versions_get_different_ids(other: SourceObject) -> None:
    assert source_id(other) != source_id(SOURCE)


def test_without_a_version_the_etag_identifies_the_content() -> None:
    first = SourceObject("b", "k.csv", etag="aaa")
    assert source_id(first) == source_id(SourceObject("b", "k.csv", etag="aaa"))
    assert source_id(first) != source_id(SourceObject("b", "k.csv", etag="bbb"))


@pytest.mark.parametrize(
    ("key", "stem"),
    [
        ("a/b/orders.CSV", "orders"),
        ("weird name (1)+é.csv", "weird_name_1_"),
        ("../..", "object"),
        ("x" * 300 + ".csv", "x" * 80),
    ],
)
def test_source_ids_are_safe_readable_and_bounded(key: str, stem: str) -> None:
    ident = source_id(SourceObject("b", key, etag="e"))
    readable, digest = ident.rsplit("-", 1)
    assert readable == stem.strip("_")
    assert len(digest) == 16
    assert all(c.isalnum() or c in "._-" for c in ident)


@pytest.mark.parametrize(
    ("event_time", "date"),
    [
        ("2026-11-26T00:00:00.000Z", "2026-11-26"),
        ("2026-11-26T23:59:59.999Z", "2026-11-26"),
        ("2026-11-26T23:30:00+00:00", "2026-11-26"),
        ("2026-11-27T01:00:00+02:00", "2026-11-26"),
    ],
)
def test_ingest_date_is_the_utc_date_of_the_event(event_time: str, date: str) -> None:
    assert ingest_date(event_time) == date


@pytest.mark.parametrize(
    ("prefix", "normalised"),
    [("reports/", "reports/"), ("reports", "reports/"), ("/a/b//", "a/b/"), ("", ""), ("/", "")],
)
def test_prefix_normalisation(prefix: str, normalised: str) -> None:
    assert normalise_prefix(prefix) == normalised
    assert output_keys(prefix, SOURCE, WHEN).manifest.startswith(f"{normalised}_manifests/")
