"""The function as Lambda runs it: ``python -m awslambdaric <handler>`` in the task root.

The process gets a fresh environment, as an execution environment would: Lambda's
own variables, the function's configuration, and nothing of the developer's shell
(no PYTHONPATH, no AWS profile, a HOME without ~/.aws). Its working directory is the
task root, which ``python -m`` puts first on sys.path, as in the image.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import image_layout
from emulator import REGION  # demo/ is on pytest's pythonpath

FUNCTION_NAME = "orders-processor"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION_NAME}"
MEMORY_SIZE = "2048"
# Set on some processors for older OpenBLAS builds; carried over, never changed.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def lambda_environment(
    runtime_api: str, *, venv: Path, task_root: Path, home: Path
) -> dict[str, str]:
    """The variables Lambda's Python runtime sets for a function."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_python{image_layout.python_minor()}",
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": MEMORY_SIZE,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{FUNCTION_NAME}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/26/[$LATEST]0123456789abcdef",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "LAMBDA_TASK_ROOT": str(task_root),
            "_HANDLER": image_layout.handler(),
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
        }
    )
    return env


class FunctionProcess:
    """The runtime interface client with the handler, in its own process group.

    ``stop()`` kills the whole group and is safe to call more than once, so the
    fixture calls it on every exit path.
    """

    def __init__(
        self, python: Path, env: Mapping[str, str], task_root: Path, log_path: Path
    ) -> None:
        self.command = [str(python), "-m", "awslambdaric", image_layout.handler()]
        self.env = dict(env)
        self.task_root = task_root
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.task_root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
                return

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_events(self) -> list[dict[str, Any]]:
        """The structured (JSON) lines the function logged."""
        events = []
        for line in self.output().splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
        return events


@contextlib.contextmanager
def running(function: FunctionProcess) -> Iterator[FunctionProcess]:
    try:
        function.start()
        yield function
    finally:
        function.stop()
