"""app/requirements.lock installs in the image: a wheel for every pin, hashes matching.

The image's ``pip install --require-hashes --only-binary=:all:`` runs on linux/arm64
under the image's CPython; ``pip download`` with that platform and Python does the
same resolution here, from PyPI, without an arm64 machine or a Docker engine. The
lock is resolved for manylinux_2_28 (``make lock``); the base image, Amazon Linux
2023, has a newer glibc, so those wheels load there.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import image_layout
import pytest
from lock_files import Pin, canonical, read_lock
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import parse_wheel_filename

IMAGE_PLATFORM = "manylinux_2_28_aarch64"
# The pin whose wheel the negative test tampers with: a compiled, platform-specific one.
TAMPERED = "pyarrow"


def pip_download(lock: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--no-input",
        "--only-binary",
        ":all:",
        "--platform",
        IMAGE_PLATFORM,
        "--python-version",
        image_layout.python_minor(),
        "--implementation",
        "cp",
        "--require-hashes",
        "--no-deps",
        "-r",
        str(lock),
        "-d",
        str(dest),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def image_tags() -> set[Tag]:
    """The wheel tags the image's interpreter accepts (its platform and older manylinux)."""
    major, minor = (int(part) for part in image_layout.python_minor().split("."))
    platforms = [f"manylinux_2_{glibc}_aarch64" for glibc in range(28, 16, -1)]
    platforms.append("manylinux2014_aarch64")
    interpreter = f"cp{major}{minor}"
    return set(cpython_tags((major, minor), platforms=platforms)) | set(
        compatible_tags((major, minor), interpreter, platforms)
    )


@pytest.fixture(scope="module")
def image_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Canonical name -> the wheel pip chose for the image (the download must succeed)."""
    dest = tmp_path_factory.mktemp("image-wheels")
    done = pip_download(image_layout.APP_LOCK, dest)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = {}
    for wheel in dest.iterdir():
        name, _version, _build, _tags = parse_wheel_filename(wheel.name)
        wheels[canonical(name)] = wheel
    return wheels


def test_every_pin_has_a_wheel_for_the_image_whose_hash_is_locked(
    image_wheels: dict[str, Path],
) -> None:
    pins = read_lock(image_layout.APP_LOCK)
    assert set(image_wheels) == set(pins)
    accepted = image_tags()
    for name, wheel in image_wheels.items():
        _name, version, _build, tags = parse_wheel_filename(wheel.name)
        assert str(version) == pins[name].version, wheel.name
        assert tags & accepted, f"{wheel.name} does not install on CPython/aarch64"
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() in pins[name].hashes, wheel.name


def test_a_lock_with_a_wrong_hash_fails_the_same_check(
    image_wheels: dict[str, Path], tmp_path: Path
) -> None:
    pins: dict[str, Pin] = read_lock(image_layout.APP_LOCK)
    real = hashlib.sha256(image_wheels[TAMPERED].read_bytes()).hexdigest()
    assert real in pins[TAMPERED].hashes
    altered = real[:-1] + ("0" if real[-1] != "0" else "1")
    tampered = tmp_path / "requirements.lock"
    tampered.write_text(image_layout.APP_LOCK.read_text().replace(real, altered))
    assert tampered.read_text().count(altered) == 1

    done = pip_download(tampered, tmp_path / "wheels")

    assert done.returncode != 0
    assert "DO NOT MATCH THE HASHES" in done.stderr, done.stderr[-3000:]
    assert TAMPERED in done.stderr
    assert real in done.stderr  # pip names the hash the file really has
