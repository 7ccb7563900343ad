"""`make push`, `make promote` and `make deploy` run for real against moto_server.

The AWS CLI and the pin script talk to moto_server (AWS_ENDPOINT_URL); the tools
this machine cannot run are replaced by small stand-ins on PATH that log their
calls: `docker` (no engine here; its push puts the manifest into moto's ECR),
`skopeo` (its copy moves the manifest between moto repositories, which keeps the
digest as a registry copy by digest does) and `terragrunt` (answers the
repository URL output, records applies). So the recipes' own shell logic (URL
splitting, region, login, skip-if-present, pinning, ordering) really runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from support import REPO_ROOT, require_tool

REGION = "eu-west-1"
TAG = "feedc0ffee12"

DOCKER = """\
import json, os, sys
import boto3

args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("docker " + " ".join(args) + "\\n")
if args[:1] == ["login"]:
    if not sys.stdin.read().strip():
        sys.exit("docker login: empty password")
elif args[:1] == ["push"]:
    url, tag = args[1].rsplit(":", 1)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": 7, "digest": "sha256:" + "c" * 64},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 9, "digest": "sha256:" + tag[0] * 64}],
    }
    boto3.client("ecr").put_image(repositoryName=url.split("/", 1)[1],
                                  imageManifest=json.dumps(manifest), imageTag=tag)
"""

SKOPEO = """\
import os, sys
import boto3

args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("skopeo " + " ".join(args) + "\\n")
if args[:1] == ["login"]:
    if not sys.stdin.read().strip():
        sys.exit("skopeo login: empty password")
elif args[:1] == ["copy"]:
    if "--preserve-digests" not in args:
        sys.exit("skopeo copy without --preserve-digests")
    source, digest = args[-2].removeprefix("docker://").split("@")
    target, tag = args[-1].removeprefix("docker://").rsplit(":", 1)
    ecr = boto3.client("ecr")
    image = ecr.batch_get_image(repositoryName=source.split("/", 1)[1],
                                imageIds=[{"imageDigest": digest}])["images"][0]
    ecr.put_image(repositoryName=target.split("/", 1)[1],
                  imageManifest=image["imageManifest"], imageTag=tag)
"""

TERRAGRUNT = """\
echo "terragrunt $PWD $*" >>"$FAKE_LOG"
if [[ "$*" == "output -raw repository_url" ]]; then
  env_name=$(basename "$(dirname "$PWD")")
  var="FAKE_REPO_URL_${env_name}"
  printf '%s' "${!var}"
elif [[ "$*" == run\\ --all* ]]; then
  echo "pin-at-apply $(cat image-digest.txt 2>/dev/null)" >>"$FAKE_LOG"
fi
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Flow:
    def __init__(self, tmp_path: Path, endpoint: str) -> None:
        self.live = tmp_path / "live"
        self.log = tmp_path / "calls.log"
        self.log.touch()
        self.ecr: Any = boto3.client("ecr", region_name=REGION, endpoint_url=endpoint)
        self.url = {}
        for env in ("dev", "prod"):
            (self.live / env / "ecr-repository").mkdir(parents=True)
            repo = self.ecr.create_repository(repositoryName=f"orders/{env}")["repository"]
            self.url[env] = repo["repositoryUri"]
        assert self.url["dev"].split("/")[0] == f"123456789012.dkr.ecr.{REGION}.amazonaws.com"

        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        for name, body, interpreter in (
            ("docker", DOCKER, sys.executable),
            ("skopeo", SKOPEO, sys.executable),
            ("terragrunt", TERRAGRUNT, require_tool("bash")),
            ("terraform", "", require_tool("bash")),
        ):
            script = bin_dir / name
            script.write_text(f"#!{interpreter}\n{body}")
            script.chmod(0o755)
        aws_dir = str(Path(require_tool("aws")).parent)
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MAKE", "MFLAGS", "AWS_", "DOCKER_"))
        }
        self.env.update(
            PATH=os.pathsep.join([str(bin_dir), aws_dir, os.environ["PATH"]]),
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGION,
            AWS_ENDPOINT_URL=endpoint,
            FAKE_LOG=str(self.log),
            FAKE_REPO_URL_dev=self.url["dev"],
            FAKE_REPO_URL_prod=self.url["prod"],
        )

    def make(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [require_tool("make"), "--no-print-directory", "-o", ".venv/.installed"]
        return subprocess.run(
            [*command, *args, f"LIVE={self.live}", f"IMAGE_TAG={TAG}", "ALLOW_DIRTY=1"],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()

    def pin(self, env: str) -> str:
        return (self.live / env / "image-digest.txt").read_text()

    def digest(self, env: str, **image_id: str) -> str:
        details = self.ecr.describe_images(repositoryName=f"orders/{env}", imageIds=[image_id])
        return str(details["imageDetails"][0]["imageDigest"])


@pytest.fixture
def flow(tmp_path: Path, fake_aws: str) -> Iterator[Flow]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        # moto keeps its state per process, across server instances: start clean.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
        yield Flow(tmp_path, endpoint)
    finally:
        server.stop()


def position(calls: list[str], *fragments: str) -> int:
    for number, call in enumerate(calls):
        if all(fragment in call for fragment in fragments):
            return number
    raise AssertionError(f"no call with {fragments} in:\n" + "\n".join(calls))


def test_push_pins_the_registry_digest_and_is_rerunnable(flow: Flow) -> None:
    done = flow.make("push", "ENV=dev")
    assert done.returncode == 0, done.stderr
    digest = flow.digest("dev", imageTag=TAG)
    assert flow.pin("dev") == digest + "\n"
    registry = flow.url["dev"].split("/")[0]
    calls = flow.calls()
    login = position(calls, "docker login --username AWS --password-stdin " + registry)
    push = position(calls, f"docker push {flow.url['dev']}:{TAG}")
    assert login < push

    # The tag is immutable in ECR: a second push of the same commit only re-pins.
    again = flow.make("push", "ENV=dev")
    assert again.returncode == 0, again.stderr
    assert "is already in ECR" in again.stdout
    assert sum("docker push" in call for call in flow.calls()) == 1
    assert flow.pin("dev") == digest + "\n"


def test_deploy_dev_creates_the_repository_first_and_applies_with_the_new_pin(
    flow: Flow,
) -> None:
    done = flow.make("deploy", "ENV=dev", "NON_INTERACTIVE=1")
    assert done.returncode == 0, done.stderr
    digest = flow.digest("dev", imageTag=TAG)
    calls = flow.calls()
    ecr_apply = position(
        calls,
        f"{flow.live}/dev/ecr-repository run --backend-bootstrap --non-interactive"
        " -- apply -auto-approve",
    )
    build = position(calls, "docker buildx build --platform linux/arm64 --provenance=false")
    push = position(calls, "docker push")
    apply_all = position(calls, f"{flow.live}/dev run --all --non-interactive -- apply")
    assert ecr_apply < build < push < apply_all
    assert calls[apply_all + 1] == f"pin-at-apply {digest}"


def test_promote_copies_the_same_digest_and_deploy_prod_uses_it(flow: Flow) -> None:
    assert flow.make("push", "ENV=dev").returncode == 0
    dev_pin = flow.pin("dev")

    done = flow.make("promote", "FROM=dev", "TO=prod")
    assert done.returncode == 0, done.stderr
    assert flow.pin("prod") == dev_pin
    assert flow.digest("prod", imageTag=TAG) + "\n" == dev_pin
    calls = flow.calls()
    ecr_apply = position(calls, f"{flow.live}/prod/ecr-repository run --backend-bootstrap -- apply")
    copy = position(
        calls, f"skopeo copy --preserve-digests docker://{flow.url['dev']}@{dev_pin.strip()}"
    )
    assert ecr_apply < copy
    assert calls[copy].endswith(f"docker://{flow.url['prod']}:{TAG}")

    again = flow.make("promote", "FROM=dev", "TO=prod")
    assert again.returncode == 0, again.stderr
    assert "is already in orders/prod" in again.stdout
    assert sum("skopeo copy" in call for call in flow.calls()) == 1

    deploy = flow.make("deploy", "ENV=prod", "NON_INTERACTIVE=1")
    assert deploy.returncode == 0, deploy.stderr
    calls = flow.calls()
    assert not any(call.startswith("docker") for call in calls[copy + 1 :])
    apply_all = position(calls, f"{flow.live}/prod run --all --non-interactive -- apply")
    assert calls[apply_all + 1] == f"pin-at-apply {dev_pin.strip()}"


def test_deploy_prod_refuses_a_pin_missing_from_its_repository(flow: Flow) -> None:
    (flow.live / "prod" / "image-digest.txt").write_text("sha256:" + "9" * 64 + "\n")
    done = flow.make("deploy", "ENV=prod", "NON_INTERACTIVE=1")
    assert done.returncode != 0
    assert "no image with imageDigest=sha256:9999" in done.stderr
    assert not any("run --all" in call for call in flow.calls())
