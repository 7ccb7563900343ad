"""scripts/ecr_image.py: push, promote and verify against moto's ECR.

ECR is moto (in process). The tools this machine cannot run are a recording
stand-in for the script's command runner: `docker push` and `skopeo copy` put
the manifest into moto's ECR the way a registry would (a copy by digest keeps
the digest), `terragrunt output` answers each environment's repository URL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import boto3
import ecr_image
import pytest
from ecr_image import Flow, Repository, StepError
from moto import mock_aws
from pin_digest import PinError

ACCOUNT = "123456789012"
PASSWORD = f"{ACCOUNT}-auth-token"  # what moto's GetAuthorizationToken hands out
TAG = "feedc0ffee12"
LOCAL_IMAGE = f"orders-reports:{TAG}"
REGIONS = {"dev": "eu-west-1", "prod": "eu-central-1"}


def manifest(seed: str) -> str:
    """A single-platform schema-2 manifest, as buildx --provenance=false pushes it."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7,
                "digest": "sha256:" + "c" * 64,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 9,
                    "digest": "sha256:" + seed * 64,
                }
            ],
        }
    )


class Tools:
    """The runner: records every call and plays terragrunt, git, docker and skopeo."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.calls: list[tuple[str, str | None]] = []
        self.local_images = {LOCAL_IMAGE}
        self.app_status = ""
        self.copy_works = True

    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        stdin: str | None = None,
        capture: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        args = list(argv)
        self.calls.append((" ".join(args), stdin))
        out, status = "", 0
        if args[0] == "terragrunt":
            assert cwd is not None
            assert args[1:] == ["output", "-raw", "repository_url"]
            assert cwd.name == "ecr-repository"
            out = self.urls[cwd.parent.name]
        elif args[0] == "git":
            out = self.app_status
        elif args[1:3] == ["image", "inspect"]:
            status = 0 if args[3] in self.local_images else 1
        elif args[:2] == ["docker", "push"]:
            url, tag = args[2].rsplit(":", 1)
            self.ecr(url).put_image(
                repositoryName=Repository.parse(url).name, imageManifest=manifest("a"), imageTag=tag
            )
        elif args[:2] == ["skopeo", "copy"] and self.copy_works:
            assert "--preserve-digests" in args
            source, digest = args[-2].removeprefix("docker://").split("@")
            target, tag = args[-1].removeprefix("docker://").rsplit(":", 1)
            image = self.ecr(source).batch_get_image(
                repositoryName=Repository.parse(source).name, imageIds=[{"imageDigest": digest}]
            )["images"][0]
            self.ecr(target).put_image(
                repositoryName=Repository.parse(target).name,
                imageManifest=image["imageManifest"],
                imageTag=tag,
            )
        return subprocess.CompletedProcess(args, status, out if capture else None, None)

    @staticmethod
    def ecr(url: str) -> Any:
        return boto3.client("ecr", region_name=Repository.parse(url).region)

    def commands(self) -> list[str]:
        return [call for call, _ in self.calls]

    def index(self, prefix: str) -> int:
        return next(n for n, call in enumerate(self.commands()) if call.startswith(prefix))


class Env:
    def __init__(self, tmp_path: Path) -> None:
        self.live = tmp_path / "live"
        self.ecr: dict[str, Any] = {}
        urls = {}
        for env, region in REGIONS.items():
            (self.live / env / "ecr-repository").mkdir(parents=True)
            self.ecr[env] = boto3.client("ecr", region_name=region)
            name = f"orders-pipeline/{env}"
            urls[env] = self.ecr[env].create_repository(repositoryName=name)["repository"][
                "repositoryUri"
            ]
        self.urls = urls
        self.tools = Tools(urls)
        self.flow = Flow(self.live, run=self.tools)

    def pin(self, env: str) -> str:
        return (self.live / env / "image-digest.txt").read_text()

    def digest(self, env: str, **image_id: str) -> str:
        found = self.ecr[env].describe_images(
            repositoryName=f"orders-pipeline/{env}", imageIds=[image_id]
        )
        return str(found["imageDetails"][0]["imageDigest"])


@pytest.fixture
def env(fake_aws: str, tmp_path: Path) -> Iterator[Env]:
    with mock_aws():
        yield Env(tmp_path)


def push(env: Env, **kwargs: Any) -> str:
    return ecr_image.push(env.flow, "dev", TAG, LOCAL_IMAGE, allow_dirty=False, **kwargs)


# --- repository URLs --------------------------------------------------------------


def test_repository_url_is_split_into_registry_name_and_region() -> None:
    url = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders-pipeline/dev\n"
    assert Repository.parse(url) == Repository(
        url="111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders-pipeline/dev",
        registry="111111111111.dkr.ecr.eu-west-1.amazonaws.com",
        name="orders-pipeline/dev",
        region="eu-west-1",
    )


@pytest.mark.parametrize(
    "url", ["", "orders-pipeline/dev", "111.dkr.ecr.eu-west-1.amazonaws.com/x", "ghcr.io/a/b"]
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(StepError, match="is not an ECR repository URL"):
        Repository.parse(url)


# --- push -------------------------------------------------------------------------


def test_push_pins_the_digest_ecr_stores_and_a_rerun_only_repins(env: Env) -> None:
    message = push(env)

    digest = env.digest("dev", imageTag=TAG)
    assert env.pin("dev") == digest + "\n"
    remote = f"{env.urls['dev']}:{TAG}"
    assert message == f"pinned dev to {digest} ({remote}) in {env.live}/dev/image-digest.txt"
    registry = env.urls["dev"].split("/")[0]
    assert env.tools.calls == [
        ("git status --porcelain -- app", None),
        ("terragrunt output -raw repository_url", None),
        (f"docker login --username AWS --password-stdin {registry}", PASSWORD),
        (f"docker image inspect {LOCAL_IMAGE}", None),
        (f"docker tag {LOCAL_IMAGE} {remote}", None),
        (f"docker push {remote}", None),
    ]

    env.tools.calls.clear()
    assert push(env) == message
    assert "docker push" not in " ".join(env.tools.commands())
    assert env.pin("dev") == digest + "\n"


def test_push_says_when_ecr_already_holds_the_tag(env: Env, capsys: Any) -> None:
    push(env)
    capsys.readouterr()
    push(env)
    assert capsys.readouterr().out == (
        f"orders-pipeline/dev:{TAG} is already in ECR (tags are immutable); pinning its digest\n"
    )


def test_push_needs_the_image_from_make_build(env: Env) -> None:
    env.tools.local_images.clear()
    with pytest.raises(StepError) as refused:
        push(env)
    assert str(refused.value) == f"no local image {LOCAL_IMAGE}; run make build first"
    assert not any(call.startswith(("docker tag", "docker push")) for call in env.tools.commands())
    assert not (env.live / "dev" / "image-digest.txt").exists()


def test_push_refuses_uncommitted_app_changes_unless_allowed(env: Env) -> None:
    env.tools.app_status = " M app/src/orders_reports/engine.py\n"
    with pytest.raises(StepError, match=r"^app/ has uncommitted changes; commit them first"):
        push(env)
    assert env.tools.commands() == ["git status --porcelain -- app"]

    env.tools.calls.clear()
    ecr_image.push(env.flow, "dev", TAG, LOCAL_IMAGE, allow_dirty=True)
    assert not any(call.startswith("git") for call in env.tools.commands())
    assert env.pin("dev") == env.digest("dev", imageTag=TAG) + "\n"


def test_push_to_prod_is_refused(env: Env) -> None:
    with pytest.raises(StepError) as refused:
        ecr_image.push(env.flow, "prod", TAG, LOCAL_IMAGE, allow_dirty=True)
    assert str(refused.value) == (
        "prod gets images only by promotion (build once): run make promote FROM=dev TO=prod"
    )
    assert env.tools.calls == []


def test_an_unapplied_repository_unit_is_named(env: Env) -> None:
    def no_output(argv: Sequence[str], **_: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(list(argv), 1, "", None)

    env.flow.run = no_output
    with pytest.raises(StepError) as refused:
        env.flow.repository("dev")
    assert str(refused.value) == (
        f"cannot read output 'repository_url' of {env.live}/dev/ecr-repository; "
        "apply it first (make deploy ENV=dev)"
    )


# --- promote ----------------------------------------------------------------------


def test_promote_copies_by_digest_and_pins_the_same_digest(env: Env) -> None:
    push(env)
    dev_pin = env.pin("dev")
    digest = dev_pin.strip()
    env.tools.calls.clear()

    message = ecr_image.promote(env.flow, "dev", "prod")

    assert env.pin("prod") == dev_pin
    assert env.digest("prod", imageTag=TAG) == digest
    prod_pin = env.live / "prod" / "image-digest.txt"
    assert message == (
        f"prod is pinned to {digest}; review and commit {prod_pin}, then run make deploy ENV=prod"
    )
    login = "skopeo login --username AWS --password-stdin "
    assert env.tools.calls == [
        ("terragrunt output -raw repository_url", None),
        ("terragrunt output -raw repository_url", None),
        (login + env.urls["dev"].split("/")[0], PASSWORD),
        (login + env.urls["prod"].split("/")[0], PASSWORD),
        (
            f"skopeo copy --preserve-digests docker://{env.urls['dev']}@{digest} "
            f"docker://{env.urls['prod']}:{TAG}",
            None,
        ),
    ]


def test_promote_again_copies_nothing(env: Env, capsys: Any) -> None:
    push(env)
    ecr_image.promote(env.flow, "dev", "prod")
    capsys.readouterr()
    ecr_image.promote(env.flow, "dev", "prod")
    assert (
        capsys.readouterr().out == f"{env.pin('dev').strip()} is already in orders-pipeline/prod\n"
    )
    assert sum(call.startswith("skopeo copy") for call in env.tools.commands()) == 1


def test_an_untagged_source_image_gets_a_digest_tag_in_the_target(env: Env) -> None:
    env.ecr["dev"].put_image(repositoryName="orders-pipeline/dev", imageManifest=manifest("b"))
    (digest,) = [
        image["imageDigest"]
        for image in env.ecr["dev"].list_images(repositoryName="orders-pipeline/dev")["imageIds"]
    ]
    (env.live / "dev" / "image-digest.txt").write_text(digest + "\n")

    ecr_image.promote(env.flow, "dev", "prod")

    assert env.digest("prod", imageTag=f"digest-{digest[7:19]}") == digest
    assert env.pin("prod") == digest + "\n"


def test_promote_pins_only_what_the_target_repository_holds(env: Env) -> None:
    push(env)
    env.tools.copy_works = False  # a copy that reports success but left nothing behind
    digest = env.pin("dev").strip()
    with pytest.raises(PinError) as refused:
        ecr_image.promote(env.flow, "dev", "prod")
    assert str(refused.value) == (
        f"no image with imageDigest={digest} in ECR repository 'orders-pipeline/prod'"
    )
    assert not (env.live / "prod" / "image-digest.txt").exists()


def test_promote_refuses_a_pin_its_source_repository_lacks(env: Env) -> None:
    missing = "sha256:" + "9" * 64
    (env.live / "dev" / "image-digest.txt").write_text(missing + "\n")
    with pytest.raises(StepError) as refused:
        ecr_image.promote(env.flow, "dev", "prod")
    assert (
        str(refused.value) == f"dev is pinned to {missing}, which orders-pipeline/dev does not hold"
    )
    assert not (env.live / "prod" / "image-digest.txt").exists()


# --- verify and the command line ----------------------------------------------------


def test_verify_accepts_a_pin_the_repository_holds(env: Env) -> None:
    push(env)
    digest = env.pin("dev").strip()
    assert (
        ecr_image.verify(env.flow, "dev") == f"dev pin {digest} is present in orders-pipeline/dev"
    )


def test_verify_through_main_fails_on_a_pin_prod_lacks(env: Env, capsys: Any) -> None:
    missing = "sha256:" + "9" * 64
    (env.live / "prod" / "image-digest.txt").write_text(missing + "\n")
    assert ecr_image.main(["verify", "--env", "prod"], flow=env.flow) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"ecr_image verify: no image with imageDigest={missing} "
        "in ECR repository 'orders-pipeline/prod'\n"
    )


def test_main_names_a_missing_tool(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "dev" / "ecr-repository").mkdir(parents=True)
    (tmp_path / "dev" / "image-digest.txt").write_text("sha256:" + "a" * 64 + "\n")
    absent = str(tmp_path / "no-terragrunt")
    argv = ["--live-dir", str(tmp_path), "--terragrunt", absent, "verify", "--env", "dev"]
    assert ecr_image.main(argv) == 1
    assert capsys.readouterr().err == f"ecr_image verify: {absent!r} not found on PATH\n"


def test_the_runner_passes_stdin_and_captures_stdout(tmp_path: Path) -> None:
    done = ecr_image.run_command(
        [sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
        cwd=tmp_path,
        stdin="secret",
        capture=True,
    )
    assert (done.returncode, done.stdout) == (0, "SECRET\n")
    with pytest.raises(StepError, match=r" -c raise SystemExit\(3\)' failed with exit status 3$"):
        ecr_image.checked(ecr_image.run_command([sys.executable, "-c", "raise SystemExit(3)"]))
