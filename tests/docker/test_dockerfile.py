"""app/Dockerfile: lint-clean, pinned, and its CMD imports from what the image copies.

No Docker engine is needed: the image layout is rebuilt from the COPY lines in a
temporary task root, and the handler is imported from there in a fresh interpreter.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO_ROOT, require_tool

APP = REPO_ROOT / "app"
DOCKERFILE = APP / "Dockerfile"
TASK_ROOT = "${LAMBDA_TASK_ROOT}"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with comments dropped and continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip()) for text in logical]


def of(kind: str) -> list[str]:
    return [args for name, args in instructions() if name == kind]


def test_hadolint_is_clean() -> None:
    hadolint = require_tool("hadolint")
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_base_is_the_lambda_python_image_pinned_for_arm64() -> None:
    (base,) = of("FROM")
    assert base.startswith("--platform=linux/arm64 public.ecr.aws/lambda/python:3.12")
    image = base.split()[-1]
    exact_tag = re.fullmatch(r"public\.ecr\.aws/lambda/python:3\.12\.\d{4}(\.\d{2}){3}", image)
    digest = re.fullmatch(r"public\.ecr\.aws/lambda/python(:[\w.-]+)?@sha256:[0-9a-f]{64}", image)
    assert exact_tag or digest, f"{image} is not pinned to a release tag or digest"


def test_dependencies_come_from_the_hashed_lock() -> None:
    (install,) = [run for run in of("RUN") if "pip install" in run]
    assert "--require-hashes" in install
    assert "-r /tmp/requirements.lock" in install
    assert "requirements.lock /tmp/requirements.lock" in of("COPY")
    lock = (APP / "requirements.lock").read_text()
    wanted = [
        line.strip()
        for line in (APP / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "pyarrow" in wanted
    for package in wanted:
        pin = re.search(rf"^{package}==\S+ \\\n\s+--hash=sha256:[0-9a-f]{{64}}", lock, re.M)
        assert pin, f"{package} is not pinned with a hash in app/requirements.lock"


def test_dockerignore_lets_through_exactly_what_copy_needs() -> None:
    patterns = [
        line.strip()
        for line in (APP / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    sources = {copy.split()[0].rstrip("/") for copy in of("COPY")}
    assert allowed == sources
    assert any(fnmatch.fnmatch("src/orders_reports/__pycache__", p) for p in patterns)


def _copied_package(task_root: Path) -> None:
    """Lay out the task root as the Dockerfile's COPY of the package would."""
    copies = [c.split() for c in of("COPY") if c.split()[-1].startswith(TASK_ROOT)]
    assert copies, "no COPY into the Lambda task root"
    for source, destination in copies:
        target = task_root / destination.removeprefix(TASK_ROOT).strip("/")
        shutil.copytree(APP / source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def test_cmd_handler_imports_from_the_copied_package(tmp_path: Path) -> None:
    (cmd,) = of("CMD")
    (handler_path,) = json.loads(cmd)
    module, _, attribute = handler_path.rpartition(".")
    assert (module, attribute) == ("orders_reports.handler", "lambda_handler")

    task_root = tmp_path / "task"
    _copied_package(task_root)
    assert (task_root / "orders_reports" / "handler.py").is_file()
    probe = (
        "import importlib, sys\n"
        f"module = importlib.import_module({module!r})\n"
        f"assert callable(getattr(module, {attribute!r}))\n"
        "print(module.__file__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(task_root), "OUTPUT_BUCKET": "any-bucket"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    # Imported from the image layout, not from the developer's editable install.
    assert Path(done.stdout.strip()).is_relative_to(task_root)


@pytest.mark.parametrize("missing", ["handler.py", "__init__.py"])
def test_the_layout_check_catches_a_missing_module(tmp_path: Path, missing: str) -> None:
    # Guards the test above: without the module in the task root, the import must fail.
    task_root = tmp_path / "task"
    _copied_package(task_root)
    (task_root / "orders_reports" / missing).unlink()
    if missing == "__init__.py":
        (task_root / "orders_reports" / "handler.py").unlink()
    env = {**os.environ, "PYTHONPATH": str(task_root), "OUTPUT_BUCKET": "any-bucket"}
    probe = (
        "import orders_reports.handler as h, pathlib, sys\n"
        f"sys.exit(0 if pathlib.Path(h.__file__).is_relative_to({str(task_root)!r}) else 3)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, env=env, check=False)
    assert done.returncode != 0
