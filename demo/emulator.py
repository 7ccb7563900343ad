"""The local AWS emulator (moto_server): its process, ports, clients and process groups.

Used by ``demo/run_demo.py`` (``make demo``), ``demo/soak.py`` and the tests. They must
leave nothing behind: the emulator runs in its own process group that is killed on every
exit path (:func:`stop_process_group`, :func:`die_with_parent`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent

REGION = "us-east-1"
# moto accepts any credentials; these names make it obvious they are not real.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def moto_server_command() -> list[str] | None:
    """The venv's moto_server (moto[server] pinned in requirements/dev.txt)."""
    venv_bin = Path(sys.executable).parent / "moto_server"
    if venv_bin.exists():
        return [str(venv_bin)]
    found = shutil.which("moto_server")
    return [found] if found else None


def emulator_client_env(endpoint_url: str) -> dict[str, str]:
    """Variables that point boto3 (>= 1.28 honours AWS_ENDPOINT_URL) at the emulator."""
    return {
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def aws_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client on the emulator: explicit endpoint, region and dummy credentials."""
    import boto3  # noqa: PLC0415 - terraform-only callers never need it

    # The stubs type clients by literal service name; this one is chosen at run time.
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


# Variables that would make boto3 or terraform reach for a real account.
REAL_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """Child-side: on Linux, get SIGTERM if the parent dies (even by SIGKILL).

    Linux ties this to the thread that started the child, so start such children
    from a thread that lives as long as they should (the main thread).
    """
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415 - only on Linux, only in the child

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop_process_group(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """SIGTERM to the child's process group, SIGKILL after ``grace_seconds``; then reaped."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


class MotoServer:
    """``moto_server`` on a free loopback port, in its own process group.

    ``stop()`` is idempotent and kills the whole group, so it is safe to call it
    from ``finally``, a signal handler and ``atexit`` alike.
    """

    def __init__(self, command: list[str], log_path: Path, host: str = "127.0.0.1") -> None:
        self.command = command
        self.log_path = log_path
        self.host = host
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("moto_server is not started")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        # Another process may grab the free port between the probe and moto's
        # bind; a server that dies at once is retried on a new port.
        for _attempt in range(3):
            self.port = _free_port(self.host)
            self._log = self.log_path.open("ab")
            env = {k: v for k, v in os.environ.items() if k not in REAL_AWS_VARIABLES}
            self.process = subprocess.Popen(
                [*self.command, "-H", self.host, "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets PDEATHSIG
            )
            if self._wait_ready(timeout):
                return
            self.stop()
        raise RuntimeError(f"moto_server did not start; see {self.log_path}:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers: that is all we wait for
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        return False

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace_seconds=5.0)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
