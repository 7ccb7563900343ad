"""The files root.hcl generates are valid Terraform next to each module.

Terragrunt copies a unit's module into its cache and writes backend.tf,
provider.tf and versions_override.tf beside it. Without Terragrunt, this test
does the same by hand for every module the dev and prod units use: the
contents come from root.hcl, rendered with that unit's locals, then the real
terraform runs ``init -backend=false`` (offline, provider mirror) and
``validate``. It catches a provider argument the AWS provider does not know,
a required_providers clash with the module's versions.tf, or a backend block
that is not HCL. The live *.hcl files are also held to terraform's formatting.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from live_contract import LiveTree, Scope, Unit

from support import REPO_ROOT

TREE = LiveTree(REPO_ROOT)
# One unit per module is enough: units of one module differ only in inputs, and
# the generated files of dev and prod only in quoted values (account, region,
# names), none of which validate reads.
UNITS = sorted({u.module_dir().name: u for u in TREE.units if u.env == "dev"}.values(), key=str)


def render_generated_files(unit: Unit) -> dict[str, str]:
    """File name -> contents, as Terragrunt would generate them for ``unit``."""
    root = Scope(TREE.live_dir / "root.hcl", TREE.root, unit.ctx)
    files = {}
    for block in TREE.root.of_type("generate"):
        files[str(root.value(block.body.attrs["path"]))] = str(
            root.value(block.body.attrs["contents"])
        )
    state = TREE.root.one("remote_state")
    assert state is not None
    config = root.value(state.body.attrs["config"])
    settings = "\n".join(f"    {key} = {json.dumps(value)}" for key, value in config.items())
    backend = f'terraform {{\n  backend "{state.body.attrs["backend"]}" {{\n{settings}\n  }}\n}}\n'
    files[str(root.value(state.body.attrs["generate"]["path"]))] = backend
    return files


def test_rendering_follows_the_unit(tmp_path: Path) -> None:
    prod = TREE.unit("prod", "processor")
    assert prod is not None
    files = render_generated_files(prod)
    assert set(files) == {"backend.tf", "provider.tf", "versions_override.tf"}
    assert 'allowed_account_ids = ["222222222222"]' in files["provider.tf"]
    assert 'Environment = "prod"' in files["provider.tf"]
    assert '"prod/processor/terraform.tfstate"' in files["backend.tf"]
    assert '"orders-pipeline-tfstate-222222222222-eu-west-1"' in files["backend.tf"]


def run_terraform_on_unit(
    unit: Unit,
    files: dict[str, str],
    commands: list[list[str]],
    *,
    terraform_bin: str,
    env: dict[str, str],
    workdir: Path,
) -> subprocess.CompletedProcess[str]:
    """Copy the unit's module to ``workdir``, add ``files``, run the commands; stop at a failure."""
    shutil.copytree(
        unit.module_dir(),
        workdir,
        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "tests"),
    )
    for name, contents in files.items():
        assert not (workdir / name).exists(), f"{name} would overwrite a file of the module"
        (workdir / name).write_text(contents)
    completed = subprocess.CompletedProcess[str]([], 0, "", "")
    for args in commands:
        completed = subprocess.run(
            [terraform_bin, *args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if completed.returncode != 0:
            break
    return completed


@pytest.fixture(scope="module")
def cached_env(
    terraform_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    return {
        **terraform_env,
        # Installed once, then linked: copying the AWS provider per module
        # would be most of the run time.
        "TF_PLUGIN_CACHE_DIR": str(tmp_path_factory.mktemp("plugin-cache")),
        # Without it terraform ignores the cache when there is no lock file.
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1",
    }


INIT = ["init", "-backend=false", "-input=false", "-no-color"]


@pytest.mark.terraform
@pytest.mark.parametrize("unit", UNITS, ids=str)
def test_generated_files_validate_with_the_module(
    unit: Unit, terraform_bin: str, cached_env: dict[str, str], tmp_path: Path
) -> None:
    # init already rejects a clash of the version override with the module's
    # versions.tf; validate (which loads the whole AWS provider schema, ~5 s)
    # checks the provider block, the same for every module, so once is enough.
    commands = [INIT, ["validate", "-no-color"]] if unit.name == "processor" else [INIT]
    env = {**cached_env, "TF_DATA_DIR": str(tmp_path / "tf-data")}
    completed = run_terraform_on_unit(
        unit,
        render_generated_files(unit),
        commands,
        terraform_bin=terraform_bin,
        env=env,
        workdir=tmp_path / "unit",
    )
    assert completed.returncode == 0, (
        f"terraform {' '.join(completed.args[1:])} for {unit}:\n"
        f"{completed.stdout}{completed.stderr}"
    )


@pytest.mark.terraform
def test_a_plain_versions_file_would_clash_with_the_module(
    terraform_bin: str, cached_env: dict[str, str], tmp_path: Path
) -> None:
    # Why root.hcl generates versions_override.tf: the same contents in an
    # ordinary file make the module invalid. Also proves the harness can fail.
    unit = UNITS[0]
    files = render_generated_files(unit)
    files["versions_live.tf"] = files.pop("versions_override.tf")
    env = {**cached_env, "TF_DATA_DIR": str(tmp_path / "tf-data")}
    completed = run_terraform_on_unit(
        unit, files, [INIT], terraform_bin=terraform_bin, env=env, workdir=tmp_path / "unit"
    )
    assert completed.returncode != 0
    assert "Duplicate required providers configuration" in completed.stdout + completed.stderr
