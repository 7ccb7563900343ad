"""The rules of live_tree.py hold on the real tree, and each one reports a broken copy."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import live_tree
import pytest
from live_tree import ALL_CHECKS, LiveTree

from support import LIVE_DIR, MODULES_DIR, REPO_ROOT

TREE = LiveTree(REPO_ROOT)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda check: check.__name__)
def test_the_live_tree_honours(check: Callable[[LiveTree], list[str]]) -> None:
    assert check(TREE) == []


@pytest.fixture
def copy(tmp_path: Path) -> LiveTree:
    """live/ and the modules' interfaces, which is all the checks read."""
    shutil.copytree(LIVE_DIR, tmp_path / "live", ignore=shutil.ignore_patterns(".terragrunt*"))
    for path in [*MODULES_DIR.glob("*/variables.tf"), *MODULES_DIR.glob("*/outputs.tf")]:
        (tmp_path / "modules" / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, tmp_path / "modules" / path.parent.name / path.name)
    return LiveTree(tmp_path)


def edit(tree: LiveTree, files: str, pattern: str, new: str, within: str = "") -> None:
    """Replace pattern's first match in the first file of the glob that has it (and within)."""
    texts = {path: path.read_text() for path in sorted(tree.live.glob(files))}
    path = next(p for p, text in texts.items() if within in text and re.search(pattern, text, re.M))
    path.write_text(re.sub(pattern, new, texts[path], count=1, flags=re.MULTILINE))


@pytest.mark.parametrize(
    ("pattern", "new", "lacks"),
    [
        (r"use_lockfile = true", "use_lockfile = false", "use_lockfile = true"),
        (r'backend = "s3"', 'backend = "local"', "an s3 remote_state backend"),
        (r"encrypt +=", 'dynamodb_table = "locks"\n encrypt =', "no dynamodb_table"),
        (r"^\s*Repository\s*=.*\n", "", "the default tags"),
        (r'"terragrunt"(\n\s*Repository)', r'"terraform"\1', "ManagedBy = terragrunt"),
        (r"^\s*allowed_account_ids\s*=.*\n", "", "region and allowed_account_ids"),
    ],
)
def test_root_defects_are_reported(copy: LiveTree, pattern: str, new: str, lacks: str) -> None:
    edit(copy, "root.hcl", pattern, new)
    (problem,) = live_tree.check_root(copy)
    assert problem.startswith(f"root.hcl lacks {lacks}")


def test_mock_defects_are_reported(copy: LiveTree) -> None:
    edit(copy, "_envcommon/*.hcl", r'\["validate", "plan"\]', '["validate", "plan", "apply"]')
    problems = live_tree.check_mocks(copy)
    assert len(problems) == len(copy.envs)
    assert all(p.endswith("must mock for ['validate', 'plan'] only") for p in problems)
    edit(copy, "_envcommon/*.hcl", r'\["validate", "plan", "apply"\]', '["validate", "plan"]')
    unit = next(unit for unit in copy.units if unit.merged("dependency"))
    name, block = sorted(unit.merged("dependency").items())[0]
    target_path = f"{unit.env}/{block['config_path'].rpartition('/')[2]}"
    target = next(other for other in copy.units if other.path == target_path)
    with (copy.live / unit.path / "terragrunt.hcl").open("a") as file:
        file.write(f"\ninputs = {{\n  extra = dependency.{name}.outputs.nothing\n}}\n")
    assert live_tree.check_mocks(copy) == [f"{unit}: {target.module} has no output nothing"]
    edit(copy, "_envcommon/*.hcl", r"mock_outputs = \{", "mock_outputz = {")
    assert any(p.endswith("has no mock") for p in live_tree.check_mocks(copy))
    edit(copy, "_envcommon/*.hcl", r"(config_path\s*=.*/)([\w-]+\")", r"\1gone-\2")
    assert any(p.endswith(f"names no unit of {unit.env}") for p in live_tree.check_mocks(copy))


def test_environments_out_of_step_are_reported(copy: LiveTree) -> None:
    prod = [unit for unit in copy.units if unit.env == "prod"]
    shutil.rmtree(copy.live / next(u.path for u in prod if "locals.env" not in str(u.files[0])))
    edit(copy, "prod/env.hcl", r"^locals \{\n", 'locals {\n  unused_setting = "x"\n')
    problems = live_tree.check_parity(copy)
    assert problems == [
        "prod's units or their shared files differ from dev's",
        "prod/env.hcl: unused_setting is set only here, unread by its units",
    ]


def test_unprotected_prod_is_reported(copy: LiveTree) -> None:
    unit = next(u for u in copy.units if u.env == "prod" and u.files[0].get("prevent_destroy"))
    edit(copy, f"{unit}/terragrunt.hcl", r"prevent_destroy = true", "")
    edit(copy, "prod/env.hcl", r"(force_destroy\s*=\s*)false", r"\1true")
    with (copy.live / unit.path / "terragrunt.hcl").open("a") as file:
        file.write("\ninputs = {\n  force_destroy = true\n}\n")
    assert live_tree.check_prod_protection(copy) == [
        "prod/env.hcl: force_destroy must be false",
        f"{unit}: keeps data ({unit.module}): prevent_destroy must be true",
        f"{unit}: input force_destroy must come from env.hcl",
    ]


def test_image_pin_defects_are_reported(copy: LiveTree) -> None:
    pin, refused = copy.live / "dev" / "image-digest.txt", "must hold one real sha256 digest"
    pin.write_text("sha256:" + "ab" * 32 + "\n")
    assert live_tree.check_image_pins(copy) == []
    for bad in ("latest\n", "sha256:" + "0" * 64 + "\n", "sha256:" + "AB" * 32 + "\n"):
        pin.write_text(bad)
        assert live_tree.check_image_pins(copy) == [f"dev/image-digest.txt {refused}"]
    pin.unlink()
    wanted = "image_uri must be <repository_url>@<digest in image-digest.txt>"
    for pattern, new in ((r"file\(", "tostring("), (r"@\$\{local\.\w+\}", ":latest")):
        edit(copy, "_envcommon/*.hcl", pattern, new, within="image_uri")
        problems = live_tree.check_image_pins(copy)
        assert len(problems) == len(copy.envs)
        assert all(wanted in problem for problem in problems)
