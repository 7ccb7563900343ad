"""scripts/pin_digest.py against moto's ECR: the pin is the digest ECR stores."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from support import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "pin_digest.py"
REPOSITORY = "orders-pipeline-dev"
TAG = "0123456789ab"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}\n\Z")


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pin_digest", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pin_digest = load_script()


def manifest(layer_seed: str, media_type: str | None = None) -> str:
    """A schema-2 image manifest as buildx --provenance=false pushes it."""
    body: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": media_type or "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1234,
            "digest": "sha256:" + "c" * 64,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": 4321,
                "digest": "sha256:" + layer_seed * 64,
            }
        ],
    }
    return json.dumps(body)


@pytest.fixture
def ecr(fake_aws: str) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ecr", region_name=fake_aws)
        client.create_repository(repositoryName=REPOSITORY)
        yield client


def put(ecr: Any, tag: str, seed: str = "a", media_type: str | None = None) -> str:
    ecr.put_image(repositoryName=REPOSITORY, imageManifest=manifest(seed, media_type), imageTag=tag)
    details = ecr.describe_images(repositoryName=REPOSITORY, imageIds=[{"imageTag": tag}])
    return str(details["imageDetails"][0]["imageDigest"])


def run(live: Path, *args: str) -> int:
    return int(pin_digest.main(["--live-dir", str(live), *args]))


def test_tag_pins_the_digest_ecr_reports(ecr: Any, tmp_path: Path) -> None:
    put(ecr, "older", seed="b")
    expected = put(ecr, TAG)

    assert run(tmp_path, "--env", "dev", "--repository", REPOSITORY, "--tag", TAG) == 0

    content = (tmp_path / "dev" / "image-digest.txt").read_text()
    assert content == expected + "\n"
    assert DIGEST_RE.match(content)
    assert not (tmp_path / "prod").exists()
    # No temporary files are left beside the pin.
    assert [p.name for p in (tmp_path / "dev").iterdir()] == ["image-digest.txt"]


def test_unknown_tag_fails_clearly_and_keeps_the_old_pin(
    ecr: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin = tmp_path / "dev" / "image-digest.txt"
    pin.parent.mkdir()
    old = "sha256:" + "1" * 64 + "\n"
    pin.write_text(old)
    put(ecr, TAG)

    assert run(tmp_path, "--env", "dev", "--repository", REPOSITORY, "--tag", "nope") == 1

    err = capsys.readouterr().err
    assert "no image with imageTag=nope" in err
    assert REPOSITORY in err
    assert pin.read_text() == old


def test_unknown_tag_writes_no_file(ecr: Any, tmp_path: Path) -> None:
    assert run(tmp_path, "--env", "dev", "--repository", REPOSITORY, "--tag", TAG) == 1
    assert not (tmp_path / "dev").exists()


def test_missing_repository_is_named(
    ecr: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "--env", "dev", "--repository", "absent", "--tag", TAG) == 1
    assert "ECR repository 'absent' does not exist" in capsys.readouterr().err
    assert not (tmp_path / "dev").exists()


@pytest.mark.parametrize("env", ["staging", "", "Dev"])
def test_unknown_environment_is_refused(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, "--env", env, "--repository", REPOSITORY, "--tag", TAG)
    assert exit_info.value.code == 2
    assert "--env" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_digest_mode_pins_only_a_digest_the_repository_has(ecr: Any, tmp_path: Path) -> None:
    digest = put(ecr, TAG)
    absent = "sha256:" + "f" * 64

    assert run(tmp_path, "--env", "prod", "--repository", REPOSITORY, "--digest", absent) == 1
    assert not (tmp_path / "prod").exists()

    assert run(tmp_path, "--env", "prod", "--repository", REPOSITORY, "--digest", digest) == 0
    assert (tmp_path / "prod" / "image-digest.txt").read_text() == digest + "\n"


@pytest.mark.parametrize("digest", ["sha256:abc", "latest", "sha256:" + "A" * 64])
def test_malformed_digest_argument_is_refused(digest: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, "--env", "prod", "--repository", REPOSITORY, "--digest", digest)
    assert exit_info.value.code == 2


def test_check_mode_verifies_the_current_pin(
    ecr: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--env", "prod", "--repository", REPOSITORY, "--check")
    assert run(tmp_path, *args) == 1
    assert "nothing is pinned" in capsys.readouterr().err

    pin = tmp_path / "prod" / "image-digest.txt"
    pin.parent.mkdir()
    pin.write_text("sha256:" + "e" * 64 + "\n")
    assert run(tmp_path, *args) == 1
    assert "no image with imageDigest=sha256:eeee" in capsys.readouterr().err

    pin.write_text(put(ecr, TAG) + "\n")
    before = pin.read_text()
    assert run(tmp_path, *args) == 0
    assert pin.read_text() == before


def test_an_image_index_is_not_pinned(
    ecr: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(ecr, TAG, media_type="application/vnd.oci.image.index.v1+json")
    assert run(tmp_path, "--env", "dev", "--repository", REPOSITORY, "--tag", TAG) == 1
    assert "--provenance=false" in capsys.readouterr().err
    assert not (tmp_path / "dev").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_line_against_moto_server(fake_aws: str, tmp_path: Path) -> None:
    """The way `make push` calls it: a separate process and an endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("ecr", region_name=fake_aws, endpoint_url=endpoint)
        client.create_repository(repositoryName=REPOSITORY)
        client.put_image(repositoryName=REPOSITORY, imageManifest=manifest("d"), imageTag=TAG)
        expected = client.describe_images(repositoryName=REPOSITORY, imageIds=[{"imageTag": TAG}])[
            "imageDetails"
        ][0]["imageDigest"]

        command = [sys.executable, str(SCRIPT), "--live-dir", str(tmp_path), "--env", "dev"]
        command += ["--repository", REPOSITORY, "--region", fake_aws, "--endpoint-url", endpoint]
        done = subprocess.run(
            [*command, "--tag", TAG], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "dev" / "image-digest.txt").read_text() == expected + "\n"
        assert expected in done.stdout

        missing = subprocess.run(
            [*command, "--tag", "missing"], capture_output=True, text=True, timeout=60, check=False
        )
        assert missing.returncode == 1
        assert missing.stderr.startswith("pin_digest: no image with imageTag=missing")
    finally:
        server.stop()
