"""Lakes the query tests run on, each with the reports the queries must return."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from edge_cases import (
    EDGE_CSV,
    EDGE_REPORTS,
    HEADER,
    LOSSES_CSV,
    LOSSES_REGION_REPORT,
    MULTI_FILE_REPORTS,
    MULTI_FILE_UPLOADS,
)
from lake_files import Upload, latest_uploads, write_lake
from reference_model import curated_rows, reports

EVENT_TIME = datetime.fromisoformat("2026-11-30T12:00:00+00:00")


@dataclass(frozen=True)
class Lake:
    files: list[Path]
    expected: dict[str, bytes]


def reference_reports(uploads: Iterable[Upload]) -> dict[str, bytes]:
    """The reports of the latest uploads' lines taken together."""
    return reports(itertools.chain.from_iterable(u.rows for u in latest_uploads(uploads)))


def one_file_lake(root: Path, csv_text: str, key: str = "incoming/orders.csv") -> Lake:
    upload = Upload(key, curated_rows(csv_text), EVENT_TIME, version="1")
    return Lake(write_lake(root, [upload]), reference_reports([upload]))


def multi_file_uploads() -> list[Upload]:
    return [
        Upload(
            key,
            curated_rows(HEADER + "\r\n".join(lines)),
            datetime.fromisoformat(at),
            bucket,
            version,
        )
        for bucket, key, version, at, lines in MULTI_FILE_UPLOADS
    ]


def trap_lakes(root: Path) -> dict[str, Lake]:
    """The hand-written lakes, with their hand-computed reports where spelled out."""
    edge = one_file_lake(root / "edge", EDGE_CSV)
    assert edge.expected == EDGE_REPORTS
    losses = one_file_lake(root / "losses", LOSSES_CSV)
    assert losses.expected["most_profitable_region"] == LOSSES_REGION_REPORT
    uploads = multi_file_uploads()
    multi = Lake(write_lake(root / "multi", uploads), reference_reports(uploads))
    assert multi.expected == MULTI_FILE_REPORTS
    return {"edge": edge, "losses": losses, "multi": multi}
