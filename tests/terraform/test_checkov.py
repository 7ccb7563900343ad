"""checkov on every module in modules/ must report zero failed checks.

Scanned per module directory so a failure names its module, and each module's
owner can run exactly their part (`checkov -d modules/<name>`). A check that
does not apply is skipped inline in the module with its reason; the skips are
part of the reviewed code, not of this test.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support import MODULES_DIR, require_tool

MODULE_DIRS = (
    sorted(p for p in MODULES_DIR.iterdir() if p.is_dir() and any(p.glob("*.tf")))
    if MODULES_DIR.is_dir()
    else []
)


def test_modules_exist_to_scan() -> None:
    # An empty parameter list would only skip the scan below; an absent
    # modules/ must fail loudly instead.
    names = {p.name for p in MODULE_DIRS}
    assert {"s3-bucket", "ecr-repository"} <= names, names


def _reports(raw: str) -> list[dict[str, Any]]:
    data = json.loads(raw)
    # One framework gives an object, several give a list.
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_checkov_reports_no_failed_check(module_dir: Path) -> None:
    checkov = require_tool("checkov")
    completed = subprocess.run(
        [
            checkov,
            "--directory",
            str(module_dir),
            "--framework",
            "terraform",
            "--compact",
            "--quiet",
            "--skip-download",  # offline: no Prisma Cloud guidelines/severities
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.stdout.strip(), f"checkov printed nothing:\n{completed.stderr}"
    failed: list[str] = []
    passed = 0
    for report in _reports(completed.stdout):
        summary = report.get("summary", {})
        passed += int(summary.get("passed", 0))
        for check in report.get("results", {}).get("failed_checks", []):
            failed.append(
                f"{check['check_id']} {check['check_name']} "
                f"[{check['resource']}] {check['file_path']}:{check['file_line_range']}"
            )
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)
    # A scan that parsed nothing also has no failures; it must not pass.
    assert passed > 0, f"checkov passed no check in {module_dir}:\n{completed.stdout[:2000]}"
    assert completed.returncode == 0, completed.stdout + completed.stderr
