""".venv/lambda-runtime is the image's Python with the image's libraries, nothing stale.

The runtime tests are only as good as this environment: the image's Python minor,
every library at the version of app/requirements.lock (requirements/lambda-runtime.txt
is the same resolution with this machine's wheels, plus awslambdaric), and no copy of
the app, so the code under test is always the task root laid out from the work tree.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import image_layout
from lock_files import canonical, read_lock

from support import REPO_ROOT, require_tool

RUNTIME_LOCK = REPO_ROOT / "requirements" / "lambda-runtime.txt"
SCRIPT = REPO_ROOT / "scripts" / "lambda_runtime_venv.sh"
CLIENT = "awslambdaric"
# pip comes with every virtualenv; it is not part of what the function runs.
VENV_TOOLING = {"pip", "setuptools", "wheel"}


def test_the_runtime_lock_has_the_image_versions_plus_the_client_only() -> None:
    image = read_lock(image_layout.APP_LOCK)
    runtime = read_lock(RUNTIME_LOCK)
    differing = {
        name: (pin.version, runtime[name].version if name in runtime else None)
        for name, pin in image.items()
        if name not in runtime or runtime[name].version != pin.version
    }
    assert differing == {}, "re-lock with scripts/lambda_runtime_venv.sh --lock"
    # Whatever else is pinned is there for the client alone.
    extra = set(runtime) - set(image)
    assert CLIENT in extra
    for name in extra - {CLIENT}:
        assert runtime[name].required_by <= extra, (name, runtime[name].required_by)


def test_the_runtime_venv_is_the_image_python_with_exactly_the_lock(runtime_python: Path) -> None:
    probe = (
        "import importlib.metadata as md, importlib.util, json, sys\n"
        "print(json.dumps({\n"
        "  'implementation': sys.implementation.name,\n"
        "  'minor': '%d.%d' % sys.version_info[:2],\n"
        "  'installed': {d.metadata['Name']: d.version for d in md.distributions()},\n"
        "  'app_importable': importlib.util.find_spec('orders_reports') is not None,\n"
        "}))\n"
    )
    done = subprocess.run(
        [str(runtime_python), "-I", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=runtime_python.parent,
    )
    found = json.loads(done.stdout)
    assert (found["implementation"], found["minor"]) == ("cpython", image_layout.python_minor())
    installed = {
        canonical(name): version
        for name, version in found["installed"].items()
        if canonical(name) not in VENV_TOOLING
    }
    locked = {name: pin.version for name, pin in read_lock(RUNTIME_LOCK).items()}
    assert installed == locked, "stale .venv/lambda-runtime: run make setup"
    assert found["app_importable"] is False


def test_the_script_refuses_an_interpreter_that_is_not_the_image_python(tmp_path: Path) -> None:
    # Fails the script's version probe, as a CPython of another minor version does.
    impostor = tmp_path / "python3"
    impostor.write_text("#!/bin/sh\nexit 1\n")
    impostor.chmod(0o755)
    env = {**os.environ, "LAMBDA_PYTHON": str(impostor)}

    done = subprocess.run(
        [str(SCRIPT), str(tmp_path / "venv")], capture_output=True, text=True, env=env, check=False
    )

    assert done.returncode == 1
    minor = image_layout.python_minor()
    assert f"LAMBDA_PYTHON={impostor} is not CPython {minor}" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_make_setup_builds_the_runtime_venv_when_its_lock_changes() -> None:
    make = require_tool("make")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    # -W: as if the lock had just changed; -o: the dev venv is not what is checked here.
    lock = str(RUNTIME_LOCK.relative_to(REPO_ROOT))
    done = subprocess.run(
        [make, "--no-print-directory", "-n", "-o", ".venv/.installed", "-W", lock, "setup"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "scripts/lambda_runtime_venv.sh .venv/lambda-runtime" in done.stdout.splitlines()
