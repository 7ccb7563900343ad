"""What app/Dockerfile says about the image: its Python, its handler, its task root.

tests/image runs the function as the image would without building it, so these facts
are read from the Dockerfile itself rather than restated here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from support import REPO_ROOT

APP = REPO_ROOT / "app"
DOCKERFILE = APP / "Dockerfile"
APP_LOCK = APP / "requirements.lock"
TASK_ROOT = "${LAMBDA_TASK_ROOT}"


def _instructions(name: str) -> list[str]:
    """The arguments of each ``name`` instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if len(words) == 2 and words[0].upper() == name:
            found.append(words[1])
    return found


def python_minor() -> str:
    """``3.12`` for ``FROM ... public.ecr.aws/lambda/python:3.12.<release>``."""
    (base,) = _instructions("FROM")
    match = re.search(r"public\.ecr\.aws/lambda/python:(\d+\.\d+)\b", base)
    assert match, f"the base image is not the Lambda Python image: {base}"
    return match[1]


def handler() -> str:
    """The handler the image runs: the single element of its exec-form CMD."""
    (cmd,) = _instructions("CMD")
    (name,) = json.loads(cmd)
    return str(name)


def lay_out_task_root(task_root: Path) -> None:
    """Copy what the Dockerfile copies into the task root, to the same relative places."""
    copies = [args.split() for args in _instructions("COPY") if TASK_ROOT in args]
    assert copies, "app/Dockerfile copies nothing into the task root"
    for source, destination in copies:
        target = task_root / destination.removeprefix(TASK_ROOT).strip("/")
        shutil.copytree(APP / source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
