"""Shared test helpers: locating external tools and running terraform offline.

A test that needs a tool the machine lacks is skipped with the reason; with
``REQUIRE_TOOLS=1`` (set by ``.ci/run``) the same situation fails instead, so a
green CI run can never hide a skipped check.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from terraform_stack import terraform_cli_env  # demo/ is on pytest's pythonpath

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = REPO_ROOT / "assessment_assets" / "sample_orders.csv"
MODULES_DIR = REPO_ROOT / "modules"
LIVE_DIR = REPO_ROOT / "live"


def tools_required() -> bool:
    return os.environ.get("REQUIRE_TOOLS", "") not in ("", "0", "false")


def missing_tool(reason: str) -> None:
    """Skip the current test, or fail it when tools are required (CI)."""
    if tools_required():
        pytest.fail(f"REQUIRE_TOOLS is set but {reason}", pytrace=False)
    pytest.skip(reason)


def require_tool(name: str) -> str:
    """Return the path of an executable, looking in the venv first."""
    venv_bin = Path(sys.executable).parent / name
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which(name)
    if found is None:
        missing_tool(f"'{name}' is not installed")
        raise AssertionError("unreachable")
    return found


def terraform_cli_config(tmp_dir: Path) -> dict[str, str]:
    """Environment for running terraform without network access to the registry.

    When ``TF_PROVIDER_MIRROR`` names a filesystem mirror, terraform installs
    providers only from there; otherwise it uses whatever the user's own CLI
    configuration says. One definition, the demo's, serves ``make demo`` and the tests.
    """
    return terraform_cli_env(tmp_dir)
