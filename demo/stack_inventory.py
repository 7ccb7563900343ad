"""What the stack left on the emulator: an inventory before and after, and the difference."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INVENTORY_SERVICES = ("s3", "sqs", "lambda", "ecr", "logs", "cloudwatch", "iam", "glue", "athena")


def inventory(clients: Mapping[str, Any]) -> dict[str, list[str]]:
    """Names of everything the stack can create, per kind, to check a destroy.

    ``clients`` maps service names (s3, sqs, lambda, ecr, logs, cloudwatch, iam, glue,
    athena) to boto3 clients on the emulator. Athena's saved queries are not listed:
    moto cannot delete them (the stack forgets them before its destroy).
    """
    s3, sqs, lam = clients["s3"], clients["sqs"], clients["lambda"]
    ecr, logs, cloudwatch, iam = (
        clients["ecr"],
        clients["logs"],
        clients["cloudwatch"],
        clients["iam"],
    )
    return {
        "buckets": sorted(b["Name"] for b in s3.list_buckets().get("Buckets", [])),
        "queues": sorted(sqs.list_queues().get("QueueUrls", [])),
        "functions": sorted(f["FunctionName"] for f in lam.list_functions()["Functions"]),
        "event_source_mappings": sorted(
            m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]
        ),
        "repositories": sorted(
            r["repositoryName"] for r in ecr.describe_repositories()["repositories"]
        ),
        "log_groups": sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
        "alarms": sorted(a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]),
        "roles": sorted(r["RoleName"] for r in iam.list_roles()["Roles"]),
        "policies": sorted(p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]),
        "glue_databases": sorted(
            d["Name"] for d in clients["glue"].get_databases()["DatabaseList"]
        ),
        "workgroups": sorted(w["Name"] for w in clients["athena"].list_work_groups()["WorkGroups"]),
    }


def leftovers(
    before: Mapping[str, list[str]], after: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """What ``after`` has that ``before`` had not, per kind (empty: nothing left behind)."""
    extra = {kind: sorted(set(after[kind]) - set(before.get(kind, []))) for kind in after}
    return {kind: names for kind, names in extra.items() if names}
