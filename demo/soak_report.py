"""The soak's figures: what the consumers' event logs say happened, and the verdict line.

    soak: N files, F faults injected, L lost, D duplicated, R redeliveries, p50 Xs p95 Ys

N counts every dropped file (poison ones included); F every injected fault (each
failed S3 call, each refused write, each SIGKILL); L the ordinary files without a
complete output set; D the files with more than one set plus the objects no input
explains; R the deliveries of a message after its first; the percentiles are the
ordinary files' times from the end of their upload to the first write of their
manifest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from soak_checks import Verdict


@dataclass
class Activity:
    """What the consumers' event logs say happened."""

    faults: dict[str, int]  # "<kind> <operation> <code>" -> count
    redeliveries: int
    receives: dict[str, list[int]]  # message id -> the receive count of each delivery
    deliveries: dict[str, int]  # input key -> deliveries of its message
    first_write: dict[str, float]  # output key -> when it was first written
    slowest_batch: float
    undelivered_kills: int

    @classmethod
    def from_events(cls, events: list[dict[str, Any]]) -> Activity:
        faults: dict[str, int] = defaultdict(int)
        receives: dict[str, list[int]] = defaultdict(list)
        deliveries: dict[str, int] = defaultdict(int)
        first_write: dict[str, float] = {}
        slowest = 0.0
        undelivered = 0
        for event in sorted(events, key=lambda e: e["t"]):
            kind = event["event"]
            if kind == "fault":
                faults[f"{event['kind']} {event['op']} {event['code']}"] += 1
            elif kind == "batch":
                for message in event["messages"]:
                    receives[message["id"]].append(int(message["receives"]))
                    for key in message["keys"]:
                        deliveries[key] += 1
            elif kind == "write":
                first_write.setdefault(event["key"], event["t"])
            elif kind == "batch_done":
                slowest = max(slowest, float(event["seconds"]))
            elif kind == "kill_not_delivered":
                undelivered += 1
        redeliveries = sum(1 for counts in receives.values() for n in counts if n > 1)
        return cls(
            faults=dict(faults),
            redeliveries=redeliveries,
            receives=dict(receives),
            deliveries=dict(deliveries),
            first_write=first_write,
            slowest_batch=slowest,
            undelivered_kills=undelivered,
        )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; 0.0 when there is no value."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def activity_problems(
    activity: Activity, kills: list[dict[str, Any]], visibility_timeout: int
) -> list[str]:
    """Where the run departed from what the event source mapping guarantees."""
    problems = []
    if activity.slowest_batch >= visibility_timeout:
        # Lambda would have timed the batch out first; here two consumers overlapped.
        problems.append(
            f"a batch took {activity.slowest_batch:.1f}s, not less than the "
            f"visibility timeout ({visibility_timeout}s)"
        )
    if activity.undelivered_kills:
        problems.append(f"{activity.undelivered_kills} kill(s) announced but never delivered")
    for kill in kills:
        lost = [m for m in kill["batch"] if max(activity.receives.get(m, [1])) < 2]
        if lost:
            problems.append(f"messages of a killed batch never delivered again: {lost}")
    return problems


def summarise(
    verdict: Verdict,
    activity: Activity,
    *,
    kills: list[dict[str, Any]],
    dropped: Mapping[str, float],
    files: int,
    problems: list[str],
) -> tuple[dict[str, Any], str]:
    """The figures (for --report) and the verdict line."""
    latency = {
        key: activity.first_write[manifest] - dropped[key]
        for key, manifest in verdict.manifest_keys.items()
        if manifest in activity.first_write and key in dropped
    }
    latencies = list(latency.values())
    once = [t for key, t in latency.items() if activity.deliveries.get(key) == 1]
    again = [t for key, t in latency.items() if activity.deliveries.get(key, 0) > 1]
    by_kind = {**activity.faults, "kill SIGKILL mid-batch": len(kills)}
    faults = sum(by_kind.values())
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    figures = {
        "files": files,
        "faults": faults,
        "faults_by_kind": by_kind,
        "lost": len(verdict.lost),
        "duplicated": len(verdict.duplicated),
        "redeliveries": activity.redeliveries,
        "latency_p50": p50,
        "latency_p95": p95,
        # Files done at their first delivery, and files that needed more than one.
        "delivered_once": {
            "files": len(once),
            "p50": percentile(once, 0.5),
            "p95": percentile(once, 0.95),
        },
        "delivered_again": {
            "files": len(again),
            "p50": percentile(again, 0.5),
            "p95": percentile(again, 0.95),
        },
        "lost_files": verdict.lost,
        "duplicates": verdict.duplicated,
        "problems": [*verdict.failures, *problems],
        "compared_outputs": verdict.compared_outputs,
        "incomplete_multipart_uploads": verdict.incomplete_uploads,
        "slowest_batch_seconds": activity.slowest_batch,
        "kills": kills,
    }
    line = (
        f"soak: {files} files, {faults} faults injected, {len(verdict.lost)} lost, "
        f"{len(verdict.duplicated)} duplicated, {activity.redeliveries} redeliveries, "
        f"p50 {p50:.1f}s p95 {p95:.1f}s"
    )
    return figures, line
