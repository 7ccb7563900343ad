"""How the benchmarks run the CLI: in the image's runtime when it is there.

The Lambda image holds numpy, pyarrow, boto3 and Powertools on Python 3.12, and no
pandas. The dev environment has pandas (the naive baseline needs it), and pyarrow
imports pandas whenever it can (any ``pa.array`` call does): that alone adds about
38 MB and a third of a second to a run the function never pays. ``make setup`` builds
``.venv/lambda-runtime`` with exactly the image's libraries on the image's Python, so
the CLI is measured there, running the package from ``app/src``; without it, the dev
environment's ``orders-reports`` is measured and the runner says so.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_RUNTIME_PYTHON = REPO_ROOT / ".venv" / "lambda-runtime" / "bin" / "python"


def in_image_runtime() -> bool:
    return LAMBDA_RUNTIME_PYTHON.exists()


def python_command() -> list[str]:
    """The interpreter to run the package (or a script importing it) with."""
    if in_image_runtime():
        return ["env", f"PYTHONPATH={REPO_ROOT / 'app' / 'src'}", str(LAMBDA_RUNTIME_PYTHON)]
    return [sys.executable]


def cli_command() -> list[str]:
    """``orders-reports`` itself, ready for ``run INPUT --out DIR``."""
    if in_image_runtime():
        return [*python_command(), "-m", "orders_reports"]
    exe = Path(sys.executable).parent / "orders-reports"
    found = str(exe) if exe.exists() else shutil.which("orders-reports")
    if found is None:
        raise SystemExit(
            "orders-reports is not installed in this environment (run `make setup`); "
            "the CLI is what this benchmark measures"
        )
    return [found]
