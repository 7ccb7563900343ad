"""All HCL in the repository is in canonical `terraform fmt` style.

`terraform fmt` itself only looks at *.tf, *.tfvars and *.tftest.hcl files;
Terragrunt's *.hcl files use the same native HCL syntax, so each one is piped
through `terraform fmt -` and compared with what is on disk.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support import REPO_ROOT

# Directories that never hold project HCL (tool caches, virtualenvs, build output).
IGNORED_PARTS = {".git", ".venv", ".terraform", ".terragrunt-cache", "node_modules", "build", "out"}
TERRAFORM_SUFFIXES = (".tf", ".tfvars", ".tftest.hcl")


def _project_files() -> list[Path]:
    files: list[Path] = []
    for path in REPO_ROOT.rglob("*"):
        relative = path.relative_to(REPO_ROOT)
        # Hidden paths are tool state (.terraform/, .terraform.lock.hcl, caches).
        if any(part in IGNORED_PARTS or part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and (path.name.endswith(TERRAFORM_SUFFIXES) or path.suffix == ".hcl"):
            files.append(path)
    return sorted(files)


def _hcl_dirs() -> list[Path]:
    """Top-level directories holding terraform files (modules/, live/, ...)."""
    return sorted(
        {
            REPO_ROOT / f.relative_to(REPO_ROOT).parts[0]
            for f in _project_files()
            if f.name.endswith(TERRAFORM_SUFFIXES) and len(f.relative_to(REPO_ROOT).parts) > 1
        }
    )


def _terragrunt_files() -> list[Path]:
    return [
        f for f in _project_files() if f.suffix == ".hcl" and not f.name.endswith(".tftest.hcl")
    ]


@pytest.mark.terraform
def test_terraform_files_are_formatted(terraform_bin: str, terraform_env: dict[str, str]) -> None:
    dirs = _hcl_dirs()
    assert REPO_ROOT / "modules" in dirs, "no terraform files found under modules/"
    completed = subprocess.run(
        [terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color", *map(str, dirs)],
        cwd=REPO_ROOT,
        env=terraform_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, (
        "run `terraform fmt -recursive` on:\n" + completed.stdout + completed.stderr
    )


def _fmt_stdin(terraform_bin: str, env: dict[str, str], text: str) -> str:
    # `terraform fmt -check` skips *.hcl files, but formats any HCL on stdin
    # with the same formatter as `terragrunt hcl fmt` (hclwrite).
    completed = subprocess.run(
        [terraform_bin, "fmt", "-no-color", "-"],
        input=text,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, f"does not parse:\n{completed.stderr}"
    return completed.stdout


@pytest.mark.terraform
def test_formatter_on_stdin_reformats_terragrunt_style_hcl(
    terraform_bin: str, terraform_env: dict[str, str]
) -> None:
    assert _fmt_stdin(terraform_bin, terraform_env, 'x {\nsource="a"\n    n=1\n}\n') == (
        'x {\n  source = "a"\n  n      = 1\n}\n'
    )


@pytest.mark.terraform
@pytest.mark.parametrize(
    "hcl_file", _terragrunt_files(), ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_terragrunt_files_are_formatted(
    hcl_file: Path, terraform_bin: str, terraform_env: dict[str, str]
) -> None:
    original = hcl_file.read_text()
    assert _fmt_stdin(terraform_bin, terraform_env, original) == original, (
        f"{hcl_file} is not in canonical HCL style (terragrunt hcl fmt / terraform fmt -)"
    )
