"""Running the command line (``orders-reports run``) the way a user does, for the lake tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lake_sql import REPORT_NAMES

from support import require_tool

CLI_TIMEOUT_SECONDS = 300


def run_cli(input_csv: Path, out_dir: Path) -> dict[str, bytes]:
    """``orders-reports run INPUT --out OUT``; the three report files it wrote, by name."""
    completed = subprocess.run(
        [require_tool("orders-reports"), "run", str(input_csv), "--out", str(out_dir)],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {name: (out_dir / f"{name}.csv").read_bytes() for name in REPORT_NAMES}
