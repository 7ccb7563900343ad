"""Fixtures for running the function as the image does: its Python, its client, moto.

The Python side is ``.venv/lambda-runtime`` (made by ``make setup`` through
scripts/lambda_runtime_venv.sh); S3 and SQS are a moto_server on a loopback port,
stopped on every exit path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import image_layout
import pytest
from emulator import MotoServer, moto_server_command
from moto_pipeline import Pipeline

from support import REPO_ROOT, missing_tool

RUNTIME_VENV = REPO_ROOT / ".venv" / "lambda-runtime"


@pytest.fixture(scope="session")
def runtime_python() -> Path:
    """The interpreter of the Lambda runtime virtualenv."""
    python = RUNTIME_VENV / "bin" / "python"
    if not (RUNTIME_VENV / ".installed").exists() or not python.exists():
        missing_tool(f"{RUNTIME_VENV.relative_to(REPO_ROOT)} is missing; run make setup")
    return python


@pytest.fixture(scope="session")
def task_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app laid out as the Dockerfile copies it into ${LAMBDA_TASK_ROOT}."""
    root = tmp_path_factory.mktemp("lambda") / "task"
    image_layout.lay_out_task_root(root)
    return root


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    command = moto_server_command()
    if command is None:
        missing_tool("moto[server] is not installed in this interpreter")
        raise AssertionError("unreachable")
    server = MotoServer(command, tmp_path_factory.mktemp("moto") / "moto_server.log")
    try:
        server.start()
        yield server.endpoint_url
    finally:
        server.stop()


@pytest.fixture
def pipeline(moto_endpoint: str) -> Pipeline:
    return Pipeline.create(moto_endpoint)
