"""Output keys of the Lambda: a pure function of the object version and the event time."""

from __future__ import annotations

import pytest

from orders_reports.layout import (
    ingest_date,
    normalise_prefix,
    output_keys,
    parse_event_time,
    source_id,
)
from orders_reports.sources import Provenance, SourceObject

SOURCE = SourceObject("in-bucket", "drops/2026/Orders Nov.csv", version_id="v1", etag="e1")
WHEN = parse_event_time("2026-11-26T23:59:59.999Z")
EVENT = Provenance(SOURCE, WHEN)


def test_keys_are_literal_for_a_fixed_event() -> None:
    """Golden keys: idempotent redelivery depends on them never changing with the hash
    seed, the Python version or a library. A change here orphans every earlier output."""
    assert output_keys("reports/", "curated/orders/", EVENT) == {
        "most_profitable_region": (
            "reports/most_profitable_region/ingest_date=2026-11-26/Orders_Nov-b7aa830e2e7099d3.csv"
        ),
        "most_common_ship_mode_by_category": (
            "reports/most_common_ship_mode_by_category/ingest_date=2026-11-26/"
            "Orders_Nov-b7aa830e2e7099d3.csv"
        ),
        "orders_by_category_subcategory": (
            "reports/orders_by_category_subcategory/ingest_date=2026-11-26/"
            "Orders_Nov-b7aa830e2e7099d3.csv"
        ),
        "rejected_rows": (
            "reports/rejected_rows/ingest_date=2026-11-26/Orders_Nov-b7aa830e2e7099d3.csv"
        ),
        "curated": "curated/orders/ingest_date=2026-11-26/Orders_Nov-b7aa830e2e7099d3.parquet",
        "manifest": "reports/_manifests/ingest_date=2026-11-26/Orders_Nov-b7aa830e2e7099d3.json",
        "refusal": "reports/_refused/ingest_date=2026-11-26/Orders_Nov-b7aa830e2e7099d3.json",
    }
    unversioned = Provenance(SourceObject("in-bucket", "a b.csv", etag='"9f2c"'), WHEN)
    assert output_keys("out", "lake", unversioned)["curated"] == (
        "lake/ingest_date=2026-11-26/a_b-5cc38f20bced1007.parquet"
    )


def test_keys_do_not_depend_on_the_process() -> None:
    """Same keys from a fresh interpreter with another hash seed."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "from orders_reports.layout import output_keys, parse_event_time;"
        "from orders_reports.sources import Provenance, SourceObject;"
        "s = SourceObject('in-bucket', 'drops/2026/Orders Nov.csv', 'v1', 'e1');"
        "print(output_keys('reports/', 'curated/orders/',"
        " Provenance(s, parse_event_time('2026-11-26T23:59:59.999Z')))['manifest'])"
    )
    for seed in ("0", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        assert done.stdout.strip() == output_keys("reports/", "curated/orders/", EVENT)["manifest"]


def test_the_same_object_version_always_gets_the_same_keys() -> None:
    same = SourceObject("in-bucket", "drops/2026/Orders Nov.csv", version_id="v1", etag="e1")
    assert output_keys("reports/", "c/", Provenance(same, WHEN)) == output_keys(
        "reports/", "c/", EVENT
    )


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
    assert ingest_date(parse_event_time(event_time)) == date


@pytest.mark.parametrize(
    ("prefix", "normalised"),
    [("reports/", "reports/"), ("reports", "reports/"), ("/a/b//", "a/b/"), ("", ""), ("/", "")],
)
def test_prefix_normalisation(prefix: str, normalised: str) -> None:
    assert normalise_prefix(prefix) == normalised
    assert output_keys(prefix, "c/", EVENT)["manifest"].startswith(f"{normalised}_manifests/")
