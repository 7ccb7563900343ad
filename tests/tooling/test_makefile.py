"""The Makefile: help, argument checks, dry runs of the AWS targets, fail-fast checks.

The AWS targets cannot run for real here, so `make -n` shows what they would run
and in which order; the checks that stop a target early run for real with a PATH
that lacks the tool (or a Docker client whose engine is unreachable).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import ecr_image  # scripts/, put on sys.path by conftest.py
import pytest

from support import REPO_ROOT, require_tool

MAKEFILE = REPO_ROOT / "Makefile"
AWS_ENV_GOALS = ("push", "deploy", "plan", "destroy", "drop", "reports")


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without an enclosing make's flags (make test runs us)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT"}
    }
    env.update(extra)
    return env


def make(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess[str]:
    binary = require_tool("make")
    # -o: never (re)build the venv from inside a test; the suite already runs in it.
    return subprocess.run(
        [binary, "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def dry_run(*args: str) -> list[str]:
    done = make("-n", *args)
    assert done.returncode == 0, done.stderr
    # Normalise whitespace: empty flag variables leave double spaces behind.
    return [" ".join(line.split()) for line in done.stdout.splitlines()]


def index_of(lines: list[str], *fragments: str) -> int:
    for number, line in enumerate(lines):
        if all(fragment in line for fragment in fragments):
            return number
    raise AssertionError(f"no line with {fragments} in:\n" + "\n".join(lines))


def makefile_targets() -> set[str]:
    rule = re.compile(r"^([a-zA-Z][a-zA-Z0-9_-]*)\s*:(?!=)")
    return {m.group(1) for line in MAKEFILE.read_text().splitlines() if (m := rule.match(line))}


# --- help -------------------------------------------------------------------


def test_help_lists_every_target_with_a_description() -> None:
    done = make("help")
    assert done.returncode == 0, done.stderr
    described = {}
    for line in done.stdout.splitlines():
        name, _, description = line.strip().partition(" ")
        described[name] = description.strip()
    targets = makefile_targets()
    assert {"setup", "test", "lint", "demo", "bench", "build", "push", "deploy"} <= targets
    assert {"plan", "destroy", "drop", "reports", "promote", "help", "lock"} <= targets
    assert set(described) == targets
    assert all(described[name] for name in targets), described


def test_help_is_the_default_goal() -> None:
    assert make().stdout == make("help").stdout


def test_every_target_is_phony() -> None:
    phony: set[str] = set()
    for line in MAKEFILE.read_text().splitlines():
        if line.startswith(".PHONY:"):
            phony.update(line.split(":", 1)[1].split())
    assert phony == makefile_targets()


def test_local_targets_run_the_agreed_commands() -> None:
    assert dry_run("lint")[-1].endswith(".venv/bin/pre-commit run --all-files")
    assert dry_run("demo")[-1].endswith(".venv/bin/python demo/run_demo.py")
    assert dry_run("bench", "BENCH_ARGS=--rows 1000")[-2:] == [
        ".venv/bin/python bench/run.py --rows 1000",
        ".venv/bin/python bench/shapes.py",
    ]
    assert dry_run("soak", "SOAK_ARGS=--seed 7")[-1].endswith(
        ".venv/bin/python demo/soak.py --seed 7"
    )
    assert dry_run("test")[-1].endswith(".venv/bin/pytest")


# --- argument checks (parse time, so they stop dry runs too) ----------------


@pytest.mark.parametrize("goal", AWS_ENV_GOALS)
@pytest.mark.parametrize("env", ["staging", "", "dev prod"])
def test_unknown_environment_is_refused(goal: str, env: str) -> None:
    done = make("-n", goal, f"ENV={env}")
    assert done.returncode != 0
    assert f"ENV must be one of: dev prod (got '{env}')" in done.stderr
    assert done.stdout == ""


def test_destroy_prod_needs_confirm_prod() -> None:
    for confirm in ([], ["CONFIRM=yes"]):
        done = make("-n", "destroy", "ENV=prod", *confirm)
        assert done.returncode != 0
        assert "refusing to destroy prod; run again with CONFIRM=prod" in done.stderr
        assert "terragrunt" not in done.stdout
    lines = dry_run("destroy", "ENV=prod", "CONFIRM=prod")
    assert lines[-1] == "cd live/prod && terragrunt run --all -- destroy"


def test_destroy_dev_needs_no_confirmation() -> None:
    assert dry_run("destroy", "ENV=dev")[-1] == "cd live/dev && terragrunt run --all -- destroy"


def test_prod_never_receives_a_push() -> None:
    done = make("-n", "push", "ENV=prod")
    assert done.returncode != 0
    assert "prod gets images only by promotion" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["FROM=dev", "TO=dev"], "FROM and TO are both 'dev'"),
        (["FROM=dev", "TO=qa"], "FROM and TO must each be one of: dev prod"),
    ],
)
def test_promote_arguments_are_checked(args: list[str], message: str) -> None:
    done = make("-n", "promote", *args)
    assert done.returncode != 0
    assert message in done.stderr


# --- dry runs of the AWS targets --------------------------------------------


ECR_IMAGE = ".venv/bin/python scripts/ecr_image.py --live-dir live --terragrunt terragrunt"


def test_deploy_dev_bootstraps_in_order() -> None:
    lines = dry_run("deploy", "ENV=dev", "IMAGE_TAG=abc123")
    credentials = index_of(lines, "aws sts get-caller-identity")
    engine = index_of(lines, "docker info")
    ecr = index_of(lines, "cd live/dev/ecr-repository && terragrunt run", "-- apply")
    build = index_of(lines, "docker buildx build --platform linux/arm64 --provenance=false --load")
    push = index_of(lines, f"{ECR_IMAGE} push --env dev --tag abc123")
    apply_all = index_of(lines, "cd live/dev && terragrunt run --all -- apply")
    assert max(credentials, engine) < ecr < build < push < apply_all
    assert apply_all == len(lines) - 1
    assert not any("--non-interactive" in line or "-auto-approve" in line for line in lines)


def test_deploy_non_interactive_only_when_asked() -> None:
    lines = dry_run("deploy", "ENV=dev", "NON_INTERACTIVE=1")
    assert lines[-1] == "cd live/dev && terragrunt run --all --non-interactive -- apply"
    ecr = lines[index_of(lines, "cd live/dev/ecr-repository")]
    assert ecr.endswith(
        "terragrunt run --backend-bootstrap --non-interactive -- apply -auto-approve"
    )


def test_deploy_prod_runs_the_promoted_digest_without_building() -> None:
    lines = dry_run("deploy", "ENV=prod")
    builds = ("docker buildx", "docker info", "print-directory build", "ecr_image.py push")
    assert not any(fragment in line for line in lines for fragment in builds)
    pin_required = index_of(lines, "live/prod/image-digest.txt", "make promote FROM=dev TO=prod")
    ecr = index_of(lines, "cd live/prod/ecr-repository && terragrunt run", "-- apply")
    present = lines.index(f"{ECR_IMAGE} verify --env prod")
    apply_all = index_of(lines, "cd live/prod && terragrunt run --all -- apply")
    assert pin_required < ecr < present < apply_all


def test_push_checks_tools_and_credentials_then_runs_the_script() -> None:
    lines = dry_run("push", "ENV=dev", "IMAGE_TAG=abc123")
    checks = [index_of(lines, f"command -v {tool}") for tool in ("aws", "terragrunt", "docker")]
    credentials = index_of(lines, "aws sts get-caller-identity")
    assert max(checks) < credentials == len(lines) - 2
    assert (
        lines[-1] == f"{ECR_IMAGE} push --env dev --tag abc123 --local-image orders-reports:abc123"
    )
    allowed = dry_run("push", "ENV=dev", "IMAGE_TAG=abc123", "ALLOW_DIRTY=1")
    assert allowed[-1] == lines[-1] + " --allow-dirty"


def test_the_script_accepts_what_the_recipes_pass() -> None:
    def parsed(*goal: str) -> dict[str, object]:
        words = shlex.split(dry_run(*goal)[-1])
        assert words[:2] == [".venv/bin/python", "scripts/ecr_image.py"]
        return vars(ecr_image.parse_args(words[2:]))

    common = {"live_dir": Path("live"), "terragrunt": "terragrunt"}
    assert parsed("push", "ENV=dev", "IMAGE_TAG=abc123", "ALLOW_DIRTY=1") == {
        **common,
        "command": "push",
        "env": "dev",
        "tag": "abc123",
        "local_image": "orders-reports:abc123",
        "allow_dirty": True,
    }
    promote = {**common, "command": "promote", "source": "dev", "target": "prod"}
    assert parsed("promote", "FROM=dev", "TO=prod") == promote
    verify_line = next(line for line in dry_run("deploy", "ENV=prod") if "ecr_image.py" in line)
    verify = vars(ecr_image.parse_args(shlex.split(verify_line)[2:]))
    assert verify == {**common, "command": "verify", "env": "prod"}


@pytest.mark.parametrize("target", ["push", "promote"])
def test_image_recipes_stay_a_few_lines(target: str) -> None:
    recipe: list[str] = []
    lines = MAKEFILE.read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"{target}:"))
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    assert 1 <= len(recipe) <= 8, recipe


def test_plan() -> None:
    lines = dry_run("plan", "ENV=prod")
    assert index_of(lines, "aws sts get-caller-identity") < len(lines) - 1
    assert lines[-1] == "cd live/prod && terragrunt run --all -- plan"


def test_drop_uploads_under_incoming_of_the_input_bucket() -> None:
    lines = dry_run("drop", "ENV=dev", "FILE=assessment_assets/sample_orders.csv")
    bucket = index_of(lines, "cd live/dev/input-bucket && terragrunt output -raw bucket_name")
    copy = index_of(
        lines,
        'aws s3 cp "assessment_assets/sample_orders.csv" "s3://$bucket/incoming/sample_orders.csv"',
    )
    assert bucket <= copy


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("assessment_assets/absent.csv", "FILE='assessment_assets/absent.csv' does not exist"),
        ("pyproject.toml", "FILE='pyproject.toml' must end with .csv"),
    ],
)
def test_drop_checks_the_file_before_anything_else(file: str, message: str) -> None:
    done = make("drop", "ENV=dev", f"FILE={file}")
    assert done.returncode != 0
    assert message in done.stderr


def test_reports_lists_and_downloads() -> None:
    lines = dry_run("reports", "ENV=dev", "DOWNLOAD=out/dev")
    bucket = index_of(lines, "cd live/dev/output-bucket && terragrunt output -raw bucket_name")
    listing = index_of(lines, 'aws s3 ls --recursive "s3://$bucket/reports/"')
    download = index_of(lines, 'aws s3 cp --recursive "s3://$bucket/reports/" "out/dev"')
    assert bucket <= listing <= download


def test_promote_copies_by_digest_then_pins() -> None:
    lines = dry_run("promote", "FROM=dev", "TO=prod")
    from_pin = index_of(lines, "live/dev/image-digest.txt", "run make deploy ENV=dev first")
    skopeo = index_of(lines, "command -v skopeo")
    credentials = index_of(lines, "aws sts get-caller-identity")
    ecr = index_of(lines, "cd live/prod/ecr-repository && terragrunt run", "-- apply")
    assert from_pin < skopeo < credentials < ecr == len(lines) - 2
    assert lines[-1] == f"{ECR_IMAGE} promote --from dev --to prod"


# --- fail-fast checks, for real ---------------------------------------------


def fake_path(tmp_path: Path, scripts: dict[str, str]) -> str:
    """A PATH holding bash plus the given stand-in commands and nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to(require_tool("bash"))
    for name, body in scripts.items():
        script = bin_dir / name
        script.write_text("#!" + require_tool("bash") + "\n" + body)
        script.chmod(0o755)
    return str(bin_dir)


def own_lines(stderr: str) -> list[str]:
    """stderr without make's own closing 'make: *** [...] Error N' line."""
    return [line for line in stderr.splitlines() if not line.startswith("make: ***")]


def test_build_without_a_docker_engine_stops_with_one_line(tmp_path: Path) -> None:
    require_tool("docker")
    # Point the client at a socket nobody listens on, so an engine on a
    # developer's machine does not change the outcome.
    env = clean_env(DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock", DOCKER_CONTEXT="")
    env.pop("DOCKER_CONTEXT")
    done = make("build", env=env)
    assert done.returncode != 0
    assert own_lines(done.stderr) == [
        "make build: no Docker engine reachable (docker info failed); "
        "start Docker (Docker Desktop, colima or dockerd) and retry"
    ]
    assert done.stdout == ""


def test_build_without_docker_says_so(tmp_path: Path) -> None:
    env = clean_env(PATH=fake_path(tmp_path, {}))
    done = make("build", env=env)
    assert done.returncode != 0
    assert own_lines(done.stderr) == [
        "make build: 'docker' not found on PATH; install Docker with the buildx plugin"
    ]


def test_missing_terragrunt_stops_plan(tmp_path: Path) -> None:
    env = clean_env(PATH=fake_path(tmp_path, {"aws": "exit 0\n"}))
    done = make("plan", "ENV=dev", env=env)
    assert done.returncode != 0
    (line,) = own_lines(done.stderr)
    assert line.startswith("make plan: 'terragrunt' not found on PATH; install Terragrunt")


def test_missing_credentials_stop_before_terragrunt_runs(tmp_path: Path) -> None:
    ran = tmp_path / "terragrunt-ran"
    fakes = {
        # The AWS CLI's answer without credentials: exit status 255.
        "aws": 'echo "Unable to locate credentials" >&2\nexit 255\n',
        "terragrunt": f'touch "{ran}"\n',
        "terraform": "exit 0\n",
    }
    env = clean_env(PATH=fake_path(tmp_path, fakes))
    for goal in ("plan", "destroy", "reports"):
        done = make(goal, "ENV=dev", env=env)
        assert done.returncode != 0
        assert own_lines(done.stderr) == [
            f"make {goal}: no usable AWS credentials (aws sts get-caller-identity failed); "
            "set AWS_PROFILE or run aws sso login"
        ]
    assert not ran.exists()


def test_promote_without_a_source_pin_fails_first(tmp_path: Path) -> None:
    live = tmp_path / "live"
    (live / "dev").mkdir(parents=True)
    done = make("promote", "FROM=dev", "TO=prod", f"LIVE={live}")
    assert done.returncode != 0
    assert own_lines(done.stderr) == [
        f"make promote: {live}/dev/image-digest.txt is missing or not a sha256 digest; "
        "nothing to promote: run make deploy ENV=dev first"
    ]


def test_deploy_prod_without_a_promoted_pin_fails(tmp_path: Path) -> None:
    live = tmp_path / "live"
    (live / "prod").mkdir(parents=True)
    (live / "prod" / "image-digest.txt").write_text("latest\n")
    fakes = {"aws": "exit 0\n", "terragrunt": "exit 0\n", "terraform": "exit 0\n"}
    env = clean_env(PATH=fake_path(tmp_path, fakes))
    done = make("deploy", "ENV=prod", f"LIVE={live}", env=env)
    assert done.returncode != 0
    assert "prod never builds: run make promote FROM=dev TO=prod first" in done.stderr
