"""The files root.hcl generates, rendered with a unit's settings (which root.hcl's locals
copy by name), are valid Terraform beside its module: real terraform runs `init
-backend=false` (offline, provider mirror) and `validate`. CI renders with Terragrunt too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from live_tree import LiveTree, Unit, blocks

from support import REPO_ROOT, require_tool

TREE = LiveTree(REPO_ROOT)
# Units of one module differ only in quoted values, which validate does not read.
UNITS = sorted({u.module: u for u in TREE.units if u.env == "dev"}.values(), key=str)
INIT = ["init", "-backend=false", "-input=false", "-no-color"]


def render(unit: Unit) -> dict[str, str]:
    """File name -> contents, as Terragrunt generates them for the unit."""
    root, settings = TREE.read("root.hcl"), TREE.read(f"{unit.env}/env.hcl")
    values = {**blocks(TREE.read("project.hcl"), "locals"), **blocks(settings, "locals")}
    values["path_relative_to_include()"] = unit.path
    state = blocks(root, "remote_state")
    config = "".join(f"    {key} = {json.dumps(value)}\n" for key, value in state["config"].items())
    files = {g["path"]: g["contents"] for g in blocks(root, "generate").values()}
    files[state["generate"]["path"]] = (
        f'terraform {{\n  backend "{state["backend"]}" {{\n{config}  }}\n}}\n'
    )
    fill = re.compile(r"\$\{(?:local\.)?([\w()]+)\}")
    return {name: fill.sub(lambda m: str(values[m[1]]), text) for name, text in files.items()}


def test_rendering_follows_the_unit() -> None:
    files = render(next(unit for unit in TREE.units if unit.path == "prod/processor"))
    assert set(files) == {"backend.tf", "provider.tf", "versions_override.tf"}
    assert 'allowed_account_ids = ["222222222222"]' in files["provider.tf"]
    assert 'Environment = "prod"' in files["provider.tf"]
    assert 'key = "prod/processor/terraform.tfstate"' in files["backend.tf"]
    assert 'bucket = "orders-pipeline-tfstate-222222222222-eu-west-1"' in files["backend.tf"]


@pytest.fixture(scope="module")
def cached_env(
    terraform_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    # One provider download for all modules (the second variable: even without lock files).
    cache = {"TF_PLUGIN_CACHE_DIR": str(tmp_path_factory.mktemp("plugins"))}
    return {**terraform_env, **cache, "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1"}


def terraform(
    unit: Unit, files: dict[str, str], commands: list[list[str]], env: dict[str, str], work: Path
) -> str:
    """Run the commands in a copy of the unit's module with files added; the output of a failure."""
    ignore = shutil.ignore_patterns(".terraform*", "tests")
    shutil.copytree(TREE.modules / unit.module, work, ignore=ignore)
    for name, contents in files.items():
        assert not (work / name).exists(), f"{name} would overwrite a file of the module"
        (work / name).write_text(contents)
    env = {**env, "TF_DATA_DIR": str(work / ".tf")}
    for args in commands:
        cmd = [require_tool("terraform"), *args]
        done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"terraform {args[0]} for {unit}:\n{done.stdout}{done.stderr}"
    return ""


@pytest.mark.terraform
@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_generated_files_validate_with_the_module(
    unit: Unit, cached_env: dict[str, str], tmp_path: Path
) -> None:
    # init rejects an override clashing with the module; validate (~5 s) the provider: once.
    commands = [INIT, ["validate", "-no-color"]] if unit == UNITS[-1] else [INIT]
    assert terraform(unit, render(unit), commands, cached_env, tmp_path / "unit") == ""


@pytest.mark.terraform
def test_a_plain_versions_file_would_clash_with_the_module(
    cached_env: dict[str, str], tmp_path: Path
) -> None:
    # Why root.hcl generates an override file; it also shows the harness can fail.
    files = render(UNITS[0])
    files["versions_live.tf"] = files.pop("versions_override.tf")
    failure = terraform(UNITS[0], files, [INIT], cached_env, tmp_path / "unit")
    assert "Duplicate required providers configuration" in failure
