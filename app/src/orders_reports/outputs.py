"""What a run leaves behind, and in which order: one plan for the CLI and the Lambda.

A plan is a list of steps over output names (a report, ``rejected_rows``, ``curated``,
``manifest``, ``refusal``); the caller maps names to places (files in a folder, S3
keys) and :mod:`orders_reports.storage` carries the steps out. The order is the
contract that makes a manifest trustworthy:

1. the old manifest (and an old refusal record) goes first, so a run that fails half
   way leaves no manifest rather than one that describes other files;
2. the reports, rejected rows (or the removal of a stale rejects file) and the curated
   file;
3. the new manifest, last: its presence means everything it names is in place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from orders_reports.curated import CURATED
from orders_reports.rejects import REJECTED_ROWS

if TYPE_CHECKING:
    from orders_reports.engine import RunResult
    from orders_reports.sources import Provenance

MANIFEST = "manifest"
REFUSAL = "refusal"


@dataclass(frozen=True)
class Delete:
    """Remove the output if it exists (an earlier run's)."""

    name: str


@dataclass(frozen=True)
class Put:
    """Write these bytes as the output."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Keep:
    """Make the stream the engine wrote under this name the output."""

    name: str


Step = Delete | Put | Keep


def _json(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def _describe(provenance: Provenance) -> dict[str, Any]:
    source = provenance.source
    return {
        "source": source.uri,
        "version_id": source.version_id,
        "etag": source.etag,
        "event_time": provenance.event_time.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }


def manifest(result: RunResult, provenance: Provenance, places: Mapping[str, str]) -> bytes:
    """manifest.json: the source, the counts and where each output is."""
    reports = {name: places[name] for name in result.reports}
    if REJECTED_ROWS in result.outputs:
        reports[REJECTED_ROWS] = places[REJECTED_ROWS]
    return _json(
        {
            **_describe(provenance),
            "rows_total": result.rows_total,
            "rows_valid": result.rows_valid,
            "rows_rejected": result.rows_rejected,
            "reports": reports,
            "curated": places[CURATED],
        }
    )


def refusal(reason: str, provenance: Provenance) -> bytes:
    """The record of a refused input: its source and why."""
    return _json({**_describe(provenance), "reason": reason})


def _only_placed(steps: list[Step], places: Mapping[str, str]) -> list[Step]:
    return [step for step in steps if step.name in places]


def run_plan(result: RunResult, provenance: Provenance, places: Mapping[str, str]) -> list[Step]:
    """The steps that publish a successful run; names without a place are skipped."""
    steps: list[Step] = [Delete(MANIFEST), Delete(REFUSAL)]
    steps += [Put(name, data) for name, data in result.reports.items()]
    steps.append(Keep(REJECTED_ROWS) if REJECTED_ROWS in result.outputs else Delete(REJECTED_ROWS))
    steps.append(Keep(CURATED))
    steps.append(Put(MANIFEST, manifest(result, provenance, places)))
    return _only_placed(steps, places)


def refusal_plan(reason: str, provenance: Provenance, places: Mapping[str, str]) -> list[Step]:
    """The steps that record a refused input (no reports, no curated file)."""
    return _only_placed([Delete(MANIFEST), Put(REFUSAL, refusal(reason, provenance))], places)
