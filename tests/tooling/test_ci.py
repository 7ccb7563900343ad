"""CI entry point, GitHub Actions workflows and the pre-commit configuration."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from support import MODULES_DIR, REPO_ROOT, require_tool

CI_RUN = REPO_ROOT / ".ci" / "run"
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
PRECOMMIT = REPO_ROOT / ".pre-commit-config.yaml"
EXACT_VERSION = re.compile(r"@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


def load_workflow(name: str) -> dict[Any, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(loaded, dict)
    # YAML 1.1 reads the key `on` as True.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def run_lines(workflow: dict[Any, Any], job: str) -> list[str]:
    return [
        line.strip() for step in steps(workflow, job) for line in step.get("run", "").splitlines()
    ]


# --- .ci/run ------------------------------------------------------------------


def test_ci_run_is_an_executable_bash_script() -> None:
    git = require_tool("git")
    mode = subprocess.run(
        [git, "ls-files", "-s", ".ci/run"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    assert mode == "100755", "the executable bit must be committed"
    assert os.access(CI_RUN, os.X_OK)
    assert CI_RUN.read_text().startswith("#!/usr/bin/env bash\n")
    subprocess.run([require_tool("bash"), "-n", str(CI_RUN)], check=True)


def test_ci_run_requires_every_tool_and_ends_with_make_test() -> None:
    commands = [
        line.strip()
        for line in CI_RUN.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "set -euo pipefail" in commands
    assert "export REQUIRE_TOOLS=1" in commands
    assert commands.index("export REQUIRE_TOOLS=1") < commands.index("make test")
    # pytest's summary must be the closing line of the run: nothing after make test.
    assert commands[-1] == "make test"


# --- GitHub Actions -------------------------------------------------------------


def test_actionlint_accepts_the_workflows() -> None:
    actionlint = require_tool("actionlint")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    done = subprocess.run(
        [actionlint, "-no-color", *files], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "deploy.yml").read_text()
    broken.write_text(text.replace("${{ inputs.environment }}", "${{ inputs.enviroment }}"))
    done = subprocess.run(
        [require_tool("actionlint"), "-no-color", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "enviroment" in done.stdout


def test_every_action_is_pinned_to_an_exact_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            if "uses:" in line:
                # A SHA pin may carry the tag it stands for as a comment.
                ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
                assert EXACT_VERSION.search(ref), f"{path.name}: {ref} is not an exact version"


def test_ci_workflow_runs_tests_and_lint_on_pull_requests() -> None:
    ci = load_workflow("ci.yml")
    assert "pull_request" in ci["on"]
    assert ci["on"]["push"]["branches"] == ["main"]
    assert ci["permissions"] == {"contents": "read"}
    assert "make test" in run_lines(ci, "test")
    assert "make lint" in run_lines(ci, "lint")
    assert ci["jobs"]["test"]["env"]["REQUIRE_TOOLS"] == "1"
    for job in ("test", "lint"):
        uses = {step.get("uses", "").split("@")[0]: step for step in steps(ci, job)}
        assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
        terraform = uses["hashicorp/setup-terraform"]["with"]
        assert terraform["terraform_version"] == "${{ steps.versions.outputs.terraform }}"
        assert terraform["terraform_wrapper"] is False
        assert any(".terraform-version" in line for line in run_lines(ci, job))


def test_deploy_workflow_uses_oidc_and_an_environment_per_target() -> None:
    deploy = load_workflow("deploy.yml")
    inputs = deploy["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == ["dev", "prod"]
    assert inputs["action"]["options"] == ["plan", "apply"]
    assert deploy["permissions"] == {"id-token": "write", "contents": "read"}
    job = deploy["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["env"]["NON_INTERACTIVE"] == "1"
    credentials = next(
        step for step in job["steps"] if "configure-aws-credentials" in step.get("uses", "")
    )
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials["with"])
    lines = run_lines(deploy, "deploy")
    assert 'make plan ENV="$ENVIRONMENT"' in lines
    assert 'make deploy ENV="$ENVIRONMENT"' in lines
    assert any(".terragrunt-version" in line for line in lines)
    assert any("sha256sum --check" in line for line in lines)


def test_terragrunt_job_checks_live_with_the_pinned_tools() -> None:
    ci = load_workflow("ci.yml")
    job = ci["jobs"]["terragrunt"]
    assert job["env"]["TG_STRICT_MODE"] == "true"
    assert job["env"]["TG_EXPERIMENT"] == "optional-dependency-outputs"
    assert job["defaults"]["run"]["working-directory"] == "live"
    mise = next(step for step in steps(ci, "terragrunt") if "mise-action" in step.get("uses", ""))
    assert re.fullmatch(r"jdx/mise-action@[0-9a-f]{40}", mise["uses"])
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", str(mise["with"]["version"]))
    # The versions come from mise.toml, not from the workflow.
    assert not {"tool_versions", "mise_toml"} & set(mise["with"])
    assert mise["with"]["install_args"] == "terraform terragrunt"
    lines = run_lines(ci, "terragrunt")
    for command in (
        "terragrunt hcl format --check --diff",
        "terragrunt hcl validate",
        "terragrunt hcl validate --inputs --strict",
        "terragrunt run --all --no-dependency-outputs -- validate",
        "terragrunt render --all --json --write --no-dependency-outputs",
    ):
        assert command in lines
    validate = next(
        step for step in steps(ci, "terragrunt") if "-- validate" in step.get("run", "")
    )
    assert validate["env"] == {"TF_CLI_ARGS_init": "-backend=false"}
    # No cloud credentials: nothing in the job may assume a role or read secrets.
    text = (WORKFLOWS / "ci.yml").read_text()
    assert "configure-aws-credentials" not in text
    assert "secrets." not in text


def pinned_constraint(name: str) -> str:
    match = re.search(
        rf'^{name}\s*=\s*"([^"]+)"', (REPO_ROOT / "live" / "root.hcl").read_text(), re.M
    )
    assert match, f"live/root.hcl sets no {name}"
    return match.group(1)


def satisfies(version: str, constraint: str) -> bool:
    """Terraform-style version constraints: comma-separated `~>`, `>=` and `<` clauses."""
    have = tuple(int(part) for part in version.split("."))
    for clause in constraint.split(","):
        match = re.fullmatch(r"\s*(~>|>=|<)\s*([\d.]+)\s*", clause)
        assert match, f"unsupported constraint {clause!r}"
        operator, want = match.group(1), tuple(int(part) for part in match.group(2).split("."))
        if (have >= want) if operator == "<" else (have < want):
            return False
        if operator == "~>" and have[: len(want) - 1] != want[:-1]:
            return False
    return True


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.11.4", "~> 1.11.4", True),
        ("1.11.9", "~> 1.11.4", True),
        ("1.12.0", "~> 1.11.4", False),
        ("1.11.3", "~> 1.11.4", False),
        ("1.1.6", "~> 1.0", True),
        ("2.0.0", "~> 1.0", False),
        ("1.0.5", ">= 1.0.6, < 2.0", False),
        ("1.1.6", ">= 1.0.6, < 2.0", True),
    ],
)
def test_satisfies(version: str, constraint: str, expected: bool) -> None:
    assert satisfies(version, constraint) is expected


def test_tool_pins_agree_and_live_root_admits_them() -> None:
    terraform = (REPO_ROOT / ".terraform-version").read_text()
    terragrunt = (REPO_ROOT / ".terragrunt-version").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", terraform)
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", terragrunt)
    mise = tomllib.loads((REPO_ROOT / "mise.toml").read_text())["tools"]
    assert mise == {"terraform": terraform.strip(), "terragrunt": terragrunt.strip()}
    assert satisfies(terraform.strip(), pinned_constraint("terraform_version_constraint"))
    assert satisfies(terragrunt.strip(), pinned_constraint("terragrunt_version_constraint"))


# --- pre-commit -------------------------------------------------------------------


def precommit_hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load(PRECOMMIT.read_text())
    hooks: list[dict[str, Any]] = []
    for repo in config["repos"]:
        assert repo["repo"] == "local", "remote hook repositories cannot be cloned here"
        hooks.extend(repo["hooks"])
    return hooks


def dev_pins() -> dict[str, str]:
    pins = {}
    for lock in ("dev.txt", "checkov.txt"):
        for line in (REPO_ROOT / "requirements" / lock).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s;]+)", line)
            if match:
                pins[match.group(1).lower()] = match.group(3)
    return pins


def test_precommit_config_is_valid() -> None:
    precommit = require_tool("pre-commit")
    done = subprocess.run(
        [precommit, "validate-config", str(PRECOMMIT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_precommit_hooks_cover_the_review_checks() -> None:
    ids = {hook["id"] for hook in precommit_hooks()}
    expected = {
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-yaml",
        "check-json",
        "check-added-large-files",
        "detect-private-key",
        "check-merge-conflict",
        "ruff-check",
        "ruff-format",
        "mypy",
        "terraform-fmt",
        "terraform-validate",
        "checkov",
        "hadolint",
    }
    assert expected <= ids
    config = yaml.safe_load(PRECOMMIT.read_text())
    assert re.search(config["exclude"], "assessment_assets/sample_orders.csv")


def test_precommit_dependencies_are_pinned_like_the_dev_lock() -> None:
    pins = dev_pins()
    for hook in precommit_hooks():
        for requirement in hook.get("additional_dependencies", []):
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", requirement)
            assert match, f"{hook['id']}: {requirement} is not pinned with =="
            name, version = match.group(1).lower(), match.group(3)
            assert pins.get(name) == version, f"{hook['id']}: {requirement} vs requirements/*.txt"
        if hook["language"] == "system":
            # System hooks may only call terraform or this repository's scripts.
            program = shlex.split(hook["entry"])[0]
            assert program == "terraform" or (REPO_ROOT / program).is_file(), program


@pytest.mark.terraform
def test_terraform_validate_script_checks_the_modules_it_is_given(
    terraform_env: dict[str, str],
) -> None:
    require_tool("terraform")
    modules = sorted(p for p in MODULES_DIR.iterdir() if list(p.glob("*.tf")))
    assert modules
    module = modules[0].relative_to(REPO_ROOT)
    script = str(REPO_ROOT / "scripts" / "terraform_validate.sh")
    done = subprocess.run(
        [script, f"{module}/main.tf", "README.md"],
        env=terraform_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{module}: valid"]
