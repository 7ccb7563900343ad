"""Dependency lock files: committed for the live units, never for modules or the demo.

A live unit's lock fixes the provider builds a deployment uses, so it belongs
in git; a module's or the demo's lock would only record the hashes of the
machine that ran the tests. .gitignore says so, and git must read it that way.
"""

from __future__ import annotations

import subprocess

import pytest

from support import REPO_ROOT, require_tool

LOCK = ".terraform.lock.hcl"


def _ignored(git: str, path: str) -> bool:
    completed = subprocess.run(
        [git, "check-ignore", "--quiet", "--no-index", path],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode == 0


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        (f"live/dev/processor/{LOCK}", False),
        (f"live/prod/input-bucket/{LOCK}", False),
        (f"modules/orders-processor/{LOCK}", True),
        (f"modules/s3-bucket/{LOCK}", True),
        (f"demo/terraform/{LOCK}", True),
        (LOCK, True),
    ],
)
def test_only_live_units_keep_their_lock_file(path: str, ignored: bool) -> None:
    git = require_tool("git")
    assert _ignored(git, path) is ignored, path
