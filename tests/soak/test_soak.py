"""`make soak` itself: the pipeline under load and faults on moto_server, end to end.

One full run (about three minutes, most of it terraform apply on the emulator) must
end with its verdict line at the figures the pipeline promises, having exercised
every kind of fault, and leave no process behind; an interrupted run must stop
everything it started. What the checks and the faults do is pinned, fast, by
test_soak_checks.py and test_soak_faults.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from support import REPO_ROOT, require_tool, terraform_cli_config

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SOAK = REPO_ROOT / "demo" / "soak.py"
VERDICT = re.compile(
    r"soak: (?P<files>\d+) files, (?P<faults>\d+) faults injected, (?P<lost>\d+) lost, "
    r"(?P<duplicated>\d+) duplicated, (?P<redeliveries>\d+) redeliveries, "
    r"p50 (?P<p50>\d+\.\d)s p95 (?P<p95>\d+\.\d)s"
)


def _processes_using(directory: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if directory in " ".join(process.cmdline()) or process.cwd().startswith(directory):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
    return alive


def _as_a_foreground_job() -> None:
    # See tests/e2e/test_demo_script.py: Ctrl-C reaches a foreground job, whose SIGINT
    # is at its default whatever the test run itself inherited.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    require_tool("terraform")
    require_tool("moto_server")
    return subprocess.Popen(
        [sys.executable, "-u", str(SOAK), *args],
        env=terraform_cli_config(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_as_a_foreground_job,  # noqa: PLW1509 - only resets a signal disposition
    )


def _stop(soak: subprocess.Popen[str]) -> None:
    if soak.poll() is None:
        soak.terminate()
        try:
            soak.wait(timeout=60)
        except subprocess.TimeoutExpired:
            soak.kill()
            soak.wait()


def test_under_load_and_faults_nothing_is_lost_or_duplicated(tmp_path: Path) -> None:
    report_path, work_dir = tmp_path / "report.json", tmp_path / "work"
    # Its own work dir, kept: on a failure the logs of terraform, moto_server and every
    # consumer are there (the interrupted runs below check a temporary one is removed).
    soak = _start(tmp_path, "--report", str(report_path), "--work-dir", str(work_dir))
    try:
        # A bound against a hang, not a performance figure (about 3 minutes here).
        output, _ = soak.communicate(timeout=900)
    finally:
        _stop(soak)
    lines = output.splitlines()
    assert soak.returncode == 0, f"{output}\nlogs: {work_dir}"
    verdict = VERDICT.fullmatch(lines[-1])
    assert verdict, output
    figures = {k: float(v) for k, v in verdict.groupdict().items()}
    assert figures["files"] >= 200
    assert figures["faults"] >= 20
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
    assert figures["redeliveries"] > 0
    assert 0 < figures["p50"] <= figures["p95"]

    report = json.loads(report_path.read_text())
    assert report["files"] == figures["files"]
    assert report["faults"] == figures["faults"]
    assert report["problems"] == []
    by_kind = report["faults_by_kind"]
    assert by_kind["kill SIGKILL mid-batch"] >= 1
    # Every kind of fault happened, on reads and on writes.
    kinds = {name.split()[0] for name, count in by_kind.items() if count}
    assert kinds == {"kill", "transient", "write_refused"}
    transient_ops = {name.split()[1] for name, n in by_kind.items() if n and "transient" in name}
    assert {"GetObject", "PutObject"} <= transient_ops
    assert sum(by_kind.values()) == report["faults"]
    # Every ordinary file's outputs were compared (three reports each, at least).
    assert report["compared_outputs"] >= 3 * report["inputs"]["ordinary"]

    # Nothing left behind: the emulator, the input generator, every consumer.
    assert _alive(report["pids"] + report["consumer_pids"]) == []
    assert report["work_dir"] == str(work_dir)
    assert _processes_using(str(work_dir)) == []


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_it_stops_everything_it_started(
    tmp_path: Path, signum: int, exit_code: int
) -> None:
    report_path = tmp_path / "report.json"
    soak = _start(tmp_path, "--report", str(report_path))
    output: list[str] = []
    work_dir = None
    try:
        assert soak.stdout is not None
        for line in soak.stdout:
            output.append(line)
            if match := re.search(r"work dir (\S+)", line):
                work_dir = match.group(1)
            if "terraform apply" in line:
                break
        assert work_dir, "".join(output)
        time.sleep(3)  # terraform, its provider and the input generator are running
        assert len(_processes_using(work_dir)) >= 2
        soak.send_signal(signum)
        rest, _ = soak.communicate(timeout=120)
        survivors = _processes_using(work_dir)
    finally:
        _stop(soak)
    assert soak.returncode == exit_code, "".join(output) + rest
    assert not VERDICT.search(rest)
    assert survivors == []
    report = json.loads(report_path.read_text())
    assert report["work_dir"] == work_dir
    assert len(report["pids"]) == 2  # moto_server and the input generator
    assert _alive(report["pids"]) == []
    assert not Path(work_dir).exists()
