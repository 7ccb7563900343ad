#!/usr/bin/env python3
"""Push, promote and verify the Lambda image in an environment's ECR repository.

`make push`, `make promote` and `make deploy ENV=prod` run this after their
fail-fast checks (tools on PATH, AWS credentials). Each environment's repository
URL is its ecr-repository unit's `repository_url` output, read with
`terragrunt output`; the digest written to live/<env>/image-digest.txt is the
one ECR reports (scripts/pin_digest.py).

  push     push orders-reports:<tag> (from `make build`) to dev's repository,
           unless ECR already holds the tag (tags are immutable), and pin it
  promote  copy FROM's pinned image by digest into TO's repository
           (skopeo --preserve-digests: the same bytes) and pin TO to it
  verify   check that ENV's pinned digest is in ENV's repository

Exit codes: 0 ok, 1 a step failed (one line on stderr says which), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import base64
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pin_digest import ENVIRONMENTS, PinError, pin_path, read_pin, registry_digest, write_pin

REPO_ROOT = Path(__file__).resolve().parent.parent
# ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/NAME, the form of an ECR repositoryUri.
REPOSITORY_URL = re.compile(
    r"(?P<registry>\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)"
    r"/(?P<name>[a-z0-9][a-z0-9._/-]*)"
)
# dev is where images are built; every other environment only receives promotions.
BUILD_ENV = "dev"


class StepError(Exception):
    """A step of the flow failed; the message says which and what to do."""


class Runner(Protocol):
    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        stdin: str | None = None,
        capture: bool = False,
    ) -> subprocess.CompletedProcess[str]: ...


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    stdin: str | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a tool; its output reaches the terminal unless captured."""
    try:
        return subprocess.run(
            list(argv),
            cwd=cwd,
            input=stdin,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            check=False,
        )
    except FileNotFoundError:
        raise StepError(f"{argv[0]!r} not found on PATH") from None


def checked(result: subprocess.CompletedProcess[str]) -> str:
    if result.returncode != 0:
        command = " ".join(str(arg) for arg in result.args[:3])
        raise StepError(f"'{command}' failed with exit status {result.returncode}")
    return result.stdout or ""


@dataclass(frozen=True)
class Repository:
    url: str
    registry: str
    name: str
    region: str

    @classmethod
    def parse(cls, url: str) -> Repository:
        match = REPOSITORY_URL.fullmatch(url.strip())
        if match is None:
            raise StepError(f"{url.strip()!r} is not an ECR repository URL")
        return cls(match.group(0), match["registry"], match["name"], match["region"])


EcrFactory = Callable[[str], Any]


def ecr_client(region: str) -> Any:
    # boto3 reads AWS_ENDPOINT_URL itself, so a local emulator needs no option here.
    return boto3.client("ecr", region_name=region)


@dataclass
class Flow:
    """What the subcommands share: where live/ is and how to reach the tools."""

    live_dir: Path
    terragrunt: str = "terragrunt"
    run: Runner = run_command
    ecr: EcrFactory = ecr_client

    def repository(self, env: str) -> Repository:
        unit = self.live_dir / env / "ecr-repository"
        result = self.run(
            [self.terragrunt, "output", "-raw", "repository_url"], cwd=unit, capture=True
        )
        if result.returncode != 0 or not result.stdout.strip():
            raise StepError(
                f"cannot read output 'repository_url' of {unit}; "
                f"apply it first (make deploy ENV={env})"
            )
        return Repository.parse(result.stdout)

    def login(self, tool: str, repository: Repository) -> None:
        data = self.ecr(repository.region).get_authorization_token()["authorizationData"]
        password = base64.b64decode(data[0]["authorizationToken"]).decode().split(":", 1)[1]
        argv = [tool, "login", "--username", "AWS", "--password-stdin", repository.registry]
        checked(self.run(argv, stdin=password))

    def image(self, repository: Repository, image_id: dict[str, str]) -> dict[str, Any] | None:
        """The image's ECR details, or None when the repository does not hold it."""
        try:
            found = self.ecr(repository.region).describe_images(
                repositoryName=repository.name, imageIds=[image_id]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ImageNotFoundException":
                return None
            raise
        details: list[dict[str, Any]] = found.get("imageDetails", [])
        return details[0] if details else None

    def pin(self, env: str, repository: Repository, image_id: dict[str, str]) -> str:
        digest = registry_digest(self.ecr(repository.region), repository.name, image_id)
        write_pin(pin_path(self.live_dir, env), digest)
        return digest


def push(flow: Flow, env: str, tag: str, local_image: str, *, allow_dirty: bool) -> str:
    if env != BUILD_ENV:
        raise StepError(
            f"{env} gets images only by promotion (build once): "
            f"run make promote FROM={BUILD_ENV} TO={env}"
        )
    if not allow_dirty:
        status = checked(
            flow.run(["git", "status", "--porcelain", "--", "app"], cwd=REPO_ROOT, capture=True)
        )
        if status.strip():
            raise StepError(
                "app/ has uncommitted changes; commit them first (the image tag is the commit "
                "SHA and ECR tags are immutable) or pass ALLOW_DIRTY=1"
            )
    repository = flow.repository(env)
    flow.login("docker", repository)
    remote = f"{repository.url}:{tag}"
    if flow.image(repository, {"imageTag": tag}) is not None:
        print(f"{repository.name}:{tag} is already in ECR (tags are immutable); pinning its digest")
    else:
        if flow.run(["docker", "image", "inspect", local_image], capture=True).returncode != 0:
            raise StepError(f"no local image {local_image}; run make build first")
        checked(flow.run(["docker", "tag", local_image, remote]))
        checked(flow.run(["docker", "push", remote]))
    digest = flow.pin(env, repository, {"imageTag": tag})
    return f"pinned {env} to {digest} ({remote}) in {pin_path(flow.live_dir, env)}"


def promote(flow: Flow, source: str, target: str) -> str:
    if source == target:
        raise StepError(f"FROM and TO are both {source!r}")
    digest = read_pin(pin_path(flow.live_dir, source))
    src, dst = flow.repository(source), flow.repository(target)
    for repository in {src.registry: src, dst.registry: dst}.values():
        flow.login("skopeo", repository)
    if flow.image(dst, {"imageDigest": digest}) is not None:
        print(f"{digest} is already in {dst.name}")
    else:
        details = flow.image(src, {"imageDigest": digest})
        if details is None:
            raise StepError(f"{source} is pinned to {digest}, which {src.name} does not hold")
        # Keep the commit tag the image had in FROM, so both repositories name it alike.
        tags = details.get("imageTags") or [f"digest-{digest[7:19]}"]
        copy = ["skopeo", "copy", "--preserve-digests"]
        checked(flow.run([*copy, f"docker://{src.url}@{digest}", f"docker://{dst.url}:{tags[0]}"]))
    flow.pin(target, dst, {"imageDigest": digest})
    pin = pin_path(flow.live_dir, target)
    return (
        f"{target} is pinned to {digest}; review and commit {pin}, "
        f"then run make deploy ENV={target}"
    )


def verify(flow: Flow, env: str) -> str:
    digest = read_pin(pin_path(flow.live_dir, env))
    repository = flow.repository(env)
    registry_digest(flow.ecr(repository.region), repository.name, {"imageDigest": digest})
    return f"{env} pin {digest} is present in {repository.name}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--live-dir", type=Path, default=REPO_ROOT / "live")
    parser.add_argument("--terragrunt", default="terragrunt", help="Terragrunt executable")
    commands = parser.add_subparsers(dest="command", required=True)
    push_args = commands.add_parser("push", help="push the image built by make build and pin it")
    push_args.add_argument("--env", required=True, choices=ENVIRONMENTS)
    push_args.add_argument("--tag", required=True, help="image tag (the commit SHA)")
    push_args.add_argument("--local-image", required=True, help="local image, NAME:TAG")
    push_args.add_argument("--allow-dirty", action="store_true", help="allow uncommitted app/")
    promote_args = commands.add_parser("promote", help="copy FROM's pinned image into TO")
    promote_args.add_argument("--from", dest="source", required=True, choices=ENVIRONMENTS)
    promote_args.add_argument("--to", dest="target", required=True, choices=ENVIRONMENTS)
    verify_args = commands.add_parser("verify", help="check ENV's pin is in its repository")
    verify_args.add_argument("--env", required=True, choices=ENVIRONMENTS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, flow: Flow | None = None) -> int:
    args = parse_args(argv)
    flow = flow or Flow(args.live_dir, args.terragrunt)
    try:
        if args.command == "push":
            message = push(flow, args.env, args.tag, args.local_image, allow_dirty=args.allow_dirty)
        elif args.command == "promote":
            message = promote(flow, args.source, args.target)
        else:
            message = verify(flow, args.env)
    except (StepError, PinError) as error:
        print(f"ecr_image {args.command}: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"ecr_image {args.command}: AWS call failed: {error}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
