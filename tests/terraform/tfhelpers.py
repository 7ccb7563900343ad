"""Helpers shared by the terraform module tests (imported as ``tfhelpers``).

Every module gets the same treatment: an offline ``init`` whose working data
lives in a temporary directory (so running the suite leaves nothing behind in
``modules/``), ``validate``, then the module's own ``terraform test`` files,
which run against ``mock_provider "aws"`` and therefore need no AWS account.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import hcl2
from hcl2.utils import SerializationOptions

# A module test that hangs (e.g. a provider waiting on the network) must fail,
# not stall CI. Generous: the slowest module test takes a few seconds.
TERRAFORM_TIMEOUT_SECONDS = 600


class TerraformCommandError(AssertionError):
    """A terraform command failed; the message carries its complete output."""


def run_terraform(
    args: list[str],
    module_dir: Path,
    terraform_bin: str,
    env: dict[str, str],
) -> str:
    """Run ``terraform <args>`` in ``module_dir``; return stdout+stderr, raise on failure."""
    command = [terraform_bin, *args]
    try:
        completed = subprocess.run(
            command,
            cwd=module_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=TERRAFORM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TerraformCommandError(
            f"`{' '.join(command)}` in {module_dir} timed out after "
            f"{TERRAFORM_TIMEOUT_SECONDS}s\n{exc.stdout or ''}{exc.stderr or ''}"
        ) from exc
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise TerraformCommandError(
            f"`{' '.join(command)}` in {module_dir} exited {completed.returncode}:\n{output}"
        )
    return output


def run_terraform_module_checks(
    module_dir: Path,
    terraform_bin: str,
    terraform_env: dict[str, str],
    tmp_path: Path,
) -> str:
    """init -backend=false (offline) + validate + test for one module; return the test output.

    ``terraform_env`` comes from ``support.terraform_cli_config`` (the session
    fixture), which points terraform at the provider mirror named by
    ``TF_PROVIDER_MIRROR``. ``TF_DATA_DIR`` keeps ``.terraform/`` out of the
    module folder; terraform always writes ``.terraform.lock.hcl`` next to the
    configuration, so a lock file this run created is removed again (modules do
    not pin provider builds; see .gitignore).
    """
    module_dir = module_dir.resolve()
    if not any(module_dir.glob("*.tf")):
        raise TerraformCommandError(f"{module_dir} holds no terraform configuration")
    env = dict(terraform_env)
    env["TF_DATA_DIR"] = str(tmp_path / "tf-data")
    lock_file = module_dir / ".terraform.lock.hcl"
    lock_existed = lock_file.exists()
    try:
        run_terraform(
            ["init", "-backend=false", "-input=false", "-no-color"],
            module_dir,
            terraform_bin,
            env,
        )
        run_terraform(["validate", "-no-color"], module_dir, terraform_bin, env)
        output = run_terraform(["test", "-no-color"], module_dir, terraform_bin, env)
    finally:
        if not lock_existed:
            lock_file.unlink(missing_ok=True)
    # `terraform test` exits 0 when the tests directory is empty or misnamed;
    # a module whose tests silently stopped running must not pass.
    summary = re.search(r"Success! (\d+) passed, 0 failed", output)
    if summary is None or int(summary.group(1)) == 0:
        raise TerraformCommandError(f"terraform test ran no passing run in {module_dir}:\n{output}")
    return output


# Plain values: labels and strings without their HCL quotes (an empty
# description reads as "", not '""'), blocks as lists of dicts without markers.
_PLAIN = SerializationOptions(
    with_comments=False, explicit_blocks=False, preserve_heredocs=False, strip_string_quotes=True
)


def read_hcl_blocks(module_dir: Path, block: str) -> dict[str, dict[str, object]]:
    """Every ``variable``/``output``/... block of a module's *.tf files, by name."""
    found: dict[str, dict[str, object]] = {}
    for tf_file in sorted(module_dir.glob("*.tf")):
        parsed = hcl2.loads(tf_file.read_text(), serialization_options=_PLAIN)
        for entry in parsed.get(block, []):
            for name, body in entry.items():
                # Several `resource "aws_x" ...` blocks share a type: merge them.
                previous = found.get(name)
                if isinstance(previous, dict) and isinstance(body, dict):
                    found[name] = {**previous, **body}
                else:
                    found[name] = body
    return found


def assert_module_documented(module_dir: Path) -> None:
    """Every variable is typed and described, every output described, both in the README.

    The README's inputs/outputs tables are written by hand; this keeps them from
    drifting away from variables.tf/outputs.tf.
    """
    variables = read_hcl_blocks(module_dir, "variable")
    outputs = read_hcl_blocks(module_dir, "output")
    readme = (module_dir / "README.md").read_text()
    problems: list[str] = []
    for name, body in variables.items():
        if "type" not in body:
            problems.append(f"variable {name} has no type")
        if not str(body.get("description") or "").strip():
            problems.append(f"variable {name} has no description")
        if f"`{name}`" not in readme:
            problems.append(f"variable {name} is missing from README.md")
    for name, body in outputs.items():
        if not str(body.get("description") or "").strip():
            problems.append(f"output {name} has no description")
        if f"`{name}`" not in readme:
            problems.append(f"output {name} is missing from README.md")
    assert not problems, "\n".join(problems)
