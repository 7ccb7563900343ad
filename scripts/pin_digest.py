#!/usr/bin/env python3
"""Pin an environment's Lambda image to the digest ECR stores.

`make push` calls this after `docker push`: the digest written to
``live/<env>/image-digest.txt`` is the one ECR reports for the pushed tag, never
the local image ID (a local build and the registry can disagree, and only the
registry's digest is what Lambda pulls). `make promote` and `make deploy
ENV=prod` use the other modes to prove a digest is present in a repository.

Modes (exactly one):
  --tag TAG        look up the digest of TAG and write the pin file
  --digest DIGEST  verify DIGEST is in the repository and write the pin file
  --check          verify the digest already pinned is in the repository

Exit codes: 0 ok, 1 the registry does not have what was asked (or AWS failed),
2 bad arguments (including an unknown environment or a malformed digest).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

ENVIRONMENTS = ("dev", "prod")
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
PIN_FILE_NAME = "image-digest.txt"
DEFAULT_LIVE_DIR = Path(__file__).resolve().parent.parent / "live"
# Lambda accepts a single-platform image manifest only; an index (what buildx
# produces with provenance attestations, or a multi-platform build) is rejected
# at deploy time with an unhelpful error, so refuse to pin one.
INDEX_MEDIA_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)


class PinError(Exception):
    """The registry does not hold what was asked for; the message says what."""


def pin_path(live_dir: Path, env: str) -> Path:
    return live_dir / env / PIN_FILE_NAME


def read_pin(path: Path) -> str:
    if not path.is_file():
        raise PinError(f"{path} does not exist: nothing is pinned for this environment")
    digest = path.read_text(encoding="ascii").strip()
    if not DIGEST_RE.match(digest):
        raise PinError(f"{path} does not hold a sha256 digest: {digest!r}")
    return digest


def write_pin(path: Path, digest: str) -> None:
    if not DIGEST_RE.match(digest):
        raise PinError(f"refusing to pin {digest!r}: not of the form sha256:<64 hex>")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so an interrupted run never leaves a half-written pin
    # that terragrunt would read.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".image-digest.")
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
            handle.write(digest + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_image(ecr: Any, repository: str, image_id: dict[str, str]) -> dict[str, Any]:
    what = ", ".join(f"{k}={v}" for k, v in image_id.items())
    try:
        response = ecr.describe_images(repositoryName=repository, imageIds=[image_id])
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ImageNotFoundException":
            raise PinError(f"no image with {what} in ECR repository {repository!r}") from None
        if code == "RepositoryNotFoundException":
            raise PinError(f"ECR repository {repository!r} does not exist") from None
        raise PinError(
            f"ECR describe-images failed for {what} in {repository!r}: {error}"
        ) from None
    details = response.get("imageDetails", [])
    if not details:
        raise PinError(f"no image with {what} in ECR repository {repository!r}")
    detail: dict[str, Any] = details[0]
    media_type = detail.get("imageManifestMediaType")
    if media_type in INDEX_MEDIA_TYPES:
        raise PinError(
            f"the image with {what} is a manifest list/index ({media_type}); Lambda needs a "
            "single-platform manifest: build with --platform linux/arm64 --provenance=false"
        )
    return detail


def registry_digest(ecr: Any, repository: str, image_id: dict[str, str]) -> str:
    digest = str(describe_image(ecr, repository, image_id).get("imageDigest", ""))
    if not DIGEST_RE.match(digest):
        raise PinError(f"ECR returned an unexpected digest {digest!r} for {image_id}")
    return digest


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", required=True, choices=ENVIRONMENTS)
    parser.add_argument("--repository", required=True, help="ECR repository name")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tag", help="pin the digest ECR stores for this tag")
    mode.add_argument("--digest", help="pin this digest after checking ECR has it")
    mode.add_argument("--check", action="store_true", help="check the current pin is in ECR")
    parser.add_argument("--region", help="AWS region (default: the AWS CLI/SDK configuration)")
    parser.add_argument("--endpoint-url", help="ECR endpoint, e.g. a local emulator")
    parser.add_argument(
        "--live-dir", type=Path, default=DEFAULT_LIVE_DIR, help="Terragrunt live/ directory"
    )
    args = parser.parse_args(argv)
    if args.digest is not None and not DIGEST_RE.match(args.digest):
        parser.error(f"--digest {args.digest!r} is not of the form sha256:<64 hex>")
    return args


def run(args: argparse.Namespace) -> str:
    path = pin_path(args.live_dir, args.env)
    ecr = boto3.client("ecr", region_name=args.region, endpoint_url=args.endpoint_url)
    if args.tag is not None:
        digest = registry_digest(ecr, args.repository, {"imageTag": args.tag})
        write_pin(path, digest)
        return f"pinned {args.env} to {digest} ({args.repository}:{args.tag}) in {path}"
    if args.digest is not None:
        digest = registry_digest(ecr, args.repository, {"imageDigest": args.digest})
        write_pin(path, digest)
        return f"pinned {args.env} to {digest} (present in {args.repository}) in {path}"
    digest = read_pin(path)
    registry_digest(ecr, args.repository, {"imageDigest": digest})
    return f"{args.env} pin {digest} is present in {args.repository}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        message = run(args)
    except PinError as error:
        print(f"pin_digest: {error}", file=sys.stderr)
        return 1
    except BotoCoreError as error:
        print(f"pin_digest: AWS call failed: {error}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
