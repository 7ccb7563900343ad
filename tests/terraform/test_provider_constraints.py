"""Every AWS provider constraint admits what the tests run against, and nothing else.

A module that admits a provider major version it was never tested with fails
for its user at plan time, or worse, plans something else. The tested version
is the one terraform selects here (from the provider mirror in CI); each
module's ``versions.tf`` (and the demo's) must admit it, must not admit the
next major version nor an older minor one, and each module's README must state
the same range.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from tfhelpers import run_terraform

from support import MODULES_DIR, REPO_ROOT

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
MODULE_DIRS = sorted(p for p in MODULES_DIR.iterdir() if (p / "versions.tf").is_file())
CONFIG_DIRS = [
    *MODULE_DIRS,
    REPO_ROOT / "demo" / "terraform",
    REPO_ROOT / "tests" / "lake" / "terraform",
]

_AWS_CONSTRAINT = re.compile(r'\baws\s*=\s*\{[^}]*?\bversion\s*=\s*"([^"]+)"', re.DOTALL)
_TERM = re.compile(r"(>=|<=|!=|~>|>|<|=)?\s*(\d+(?:\.\d+){0,2})")

Version = tuple[int, int, int]


def _version(text: str) -> Version:
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def admits(constraint: str, version: str) -> bool:
    """Terraform's meaning of a version constraint such as ``>= 5.100, < 6.0``."""
    candidate = _version(version)
    for term in constraint.split(","):
        match = _TERM.fullmatch(term.strip())
        assert match, f"unsupported constraint term {term!r} in {constraint!r}"
        operator, bound_text = match.group(1) or "=", match.group(2)
        bound = _version(bound_text)
        if operator == "~>":
            # ~> 5.1 allows 5.x from 5.1; ~> 5.1.2 allows 5.1.x from 5.1.2.
            major, minor, _ = bound
            upper = (major + 1, 0, 0) if bound_text.count(".") < 2 else (major, minor + 1, 0)
            ok = bound <= candidate < upper
        else:
            ok = {
                "=": candidate == bound,
                "!=": candidate != bound,
                ">": candidate > bound,
                ">=": candidate >= bound,
                "<": candidate < bound,
                "<=": candidate <= bound,
            }[operator]
        if not ok:
            return False
    return True


def aws_constraint(config_dir: Path) -> str:
    found = _AWS_CONSTRAINT.findall((config_dir / "versions.tf").read_text())
    assert len(found) == 1, f"{config_dir}/versions.tf: expected one aws version constraint"
    return str(found[0])


def test_constraint_reading_follows_terraform() -> None:
    assert admits(">= 5.100, < 6.0", "5.100.0")
    assert admits(">= 5.100, < 6.0", "5.101.3")
    assert not admits(">= 5.100, < 6.0", "6.0.0")
    assert not admits(">= 5.100, < 6.0", "5.99.1")
    assert admits("~> 5.100", "5.200.0")
    assert not admits("~> 5.100", "6.0.0")
    assert admits("~> 5.100.0", "5.100.9")
    assert not admits("~> 5.100.0", "5.101.0")
    assert admits(">= 5.80, < 7.0", "6.0.0")


@pytest.fixture(scope="module")
def tested_aws_version(
    terraform_bin: str, terraform_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The AWS provider version terraform installs for the module tests."""
    work = tmp_path_factory.mktemp("provider-selection")
    module = work / "module"
    shutil.copytree(MODULES_DIR / "s3-bucket", module, ignore=shutil.ignore_patterns(".*"))
    env = {**terraform_env, "TF_DATA_DIR": str(work / "tf-data")}
    run_terraform(
        ["init", "-backend=false", "-input=false", "-no-color"], module, terraform_bin, env
    )
    selections = json.loads(run_terraform(["version", "-json"], module, terraform_bin, env))
    return str(selections["provider_selections"][AWS_PROVIDER])


@pytest.mark.terraform
@pytest.mark.parametrize(
    "config_dir", CONFIG_DIRS, ids=lambda p: p.relative_to(REPO_ROOT).as_posix()
)
def test_constraint_admits_only_the_tested_release_line(
    config_dir: Path, tested_aws_version: str
) -> None:
    constraint = aws_constraint(config_dir)
    major, minor, _ = _version(tested_aws_version)
    assert admits(constraint, tested_aws_version), (constraint, tested_aws_version)
    assert not admits(constraint, f"{major + 1}.0.0"), f"{constraint} admits an untested major"
    if minor > 0:
        older = f"{major}.{minor - 1}.0"
        assert not admits(constraint, older), f"{constraint} admits the untested {older}"


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_readme_states_the_declared_range(module_dir: Path) -> None:
    readme = (module_dir / "README.md").read_text()
    requirements = readme.partition("## Requirements")[2].partition("\n## ")[0]
    rows = [line for line in requirements.splitlines() if line.startswith("| aws ")]
    assert len(rows) == 1, f"{module_dir.name}/README.md: no single aws row under Requirements"
    assert f"`{aws_constraint(module_dir)}`" in rows[0], rows[0]
