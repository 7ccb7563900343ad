"""`make demo`'s script on its failure paths: a clear refusal, and nothing left running.

The success path (apply, process, report, destroy) is what test_pipeline_e2e.py
checks step by step with the same code.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from support import REPO_ROOT, require_tool, terraform_cli_config

pytestmark = pytest.mark.e2e

RUN_DEMO = REPO_ROOT / "demo" / "run_demo.py"


def test_without_terraform_it_says_so_and_fails() -> None:
    env = {**os.environ, "PATH": "/nonexistent"}  # the interpreter is called by path
    result = subprocess.run(
        [sys.executable, str(RUN_DEMO)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "terraform is not installed" in result.stderr
    assert "https://developer.hashicorp.com/terraform/install" in result.stderr
    assert "moto_server listening" not in result.stdout  # no fallback, nothing started


def _processes_using(directory: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if directory in " ".join(process.cmdline()) or process.cwd().startswith(directory):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _as_a_foreground_job() -> None:
    """Child-side: the signal dispositions of a command typed at a terminal.

    A disposition of SIG_IGN is inherited across exec, and Python installs its
    KeyboardInterrupt handler only when SIGINT is not ignored at start. A shell
    without job control starts background commands with SIGINT ignored, so a test
    run launched that way (``make test &``, a CI runner, ...) would hand the demo an
    ignored SIGINT and the Ctrl-C below would do nothing. Ctrl-C reaches a
    foreground job, whose SIGINT is at its default: set it so, whatever pytest got.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop_leftovers(demo: subprocess.Popen[str], work_dir: str | None) -> None:
    """After a failure: stop the demo and what it started, so the failure leaves nothing."""
    if demo.poll() is None:
        demo.terminate()  # the demo's own clean-up stops terraform and moto_server
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
    if work_dir:
        for process in _processes_using(work_dir):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_during_apply_it_leaves_no_process_behind(
    tmp_path: Path, signum: int, exit_code: int
) -> None:
    require_tool("terraform")
    demo = subprocess.Popen(
        [sys.executable, "-u", str(RUN_DEMO)],
        env=terraform_cli_config(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_as_a_foreground_job,  # noqa: PLW1509 - only resets a signal disposition
    )
    output: list[str] = []
    moto_pid = work_dir = None
    try:
        assert demo.stdout is not None
        for line in demo.stdout:
            output.append(line)
            if match := re.search(r"moto_server listening on \S+ \(pid (\d+)\)", line):
                moto_pid = int(match.group(1))
            if match := re.search(r"terraform work dir (\S+)", line):
                work_dir = match.group(1)
            if "terraform apply (" in line:
                break
        assert moto_pid, "".join(output)
        assert work_dir, "".join(output)
        time.sleep(3)  # terraform and its provider plugin are now running
        assert _processes_using(work_dir)
        demo.send_signal(signum)
        rest, _ = demo.communicate(timeout=60)
        survivors = _processes_using(work_dir)
    except BaseException:
        _stop_leftovers(demo, work_dir)
        raise
    assert demo.returncode == exit_code, "".join(output) + rest
    assert not psutil.pid_exists(moto_pid)
    assert survivors == []
    assert not Path(work_dir).exists()
