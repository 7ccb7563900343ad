"""Terraform runs of the demo composition (demo/terraform) against the local emulator.

Used by ``demo/run_demo.py`` (``make demo``), ``demo/soak.py`` and the tests. They must
leave nothing behind: terraform's working files (plugins, lock file, state) live in a
temporary work directory, never in the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator import (
    DUMMY_CREDENTIALS,
    REAL_AWS_VARIABLES,
    REPO_ROOT,
    aws_client,
    stop_process_group,
)

COMPOSITION_DIR = REPO_ROOT / "demo" / "terraform"
MODULES_DIR = REPO_ROOT / "modules"

TERRAFORM_INSTALL_HINT = (
    "install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install, "
    "e.g. `brew install hashicorp/tap/terraform` or the HashiCorp apt repository) "
    "and make sure `terraform` is on PATH"
)


class CommandError(RuntimeError):
    """A terraform command failed; the message carries the end of its output."""


def find_terraform() -> str | None:
    return shutil.which("terraform")


def terraform_cli_env(work_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for terraform: offline provider mirror when TF_PROVIDER_MIRROR is set.

    With a mirror, providers come only from there. tests/support.py uses this
    function too, so the demo and the tests install providers the same way.
    """
    env = dict(os.environ if base is None else base)
    env["TF_IN_AUTOMATION"] = "1"
    env["TF_INPUT"] = "0"
    env.setdefault("CHECKPOINT_DISABLE", "1")
    mirror = env.get("TF_PROVIDER_MIRROR")
    if mirror:
        config = work_dir / "terraform.rc"
        config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["*/*/*"]\n  }}\n'
            '  direct {\n    exclude = ["*/*/*"]\n  }\n'
            "}\n"
        )
        env["TF_CLI_CONFIG_FILE"] = str(config)
    elif env.get("TF_CLI_CONFIG_FILE") and not Path(env["TF_CLI_CONFIG_FILE"]).exists():
        env.pop("TF_CLI_CONFIG_FILE")  # a dangling path only produces warnings
    return env


class TerraformStack:
    """The demo composition, applied to the emulator from a private work directory.

    The composition is staged as ``<work>/stage/demo/terraform`` next to a
    ``<work>/stage/modules`` symlink, so its ``../../modules/...`` sources resolve
    to the real modules while ``.terraform/``, the lock file and the state stay
    in the work directory.
    """

    def __init__(
        self,
        terraform: str,
        work_dir: Path,
        variables: Mapping[str, Any],
        timeout: float = 600.0,
    ) -> None:
        self.terraform = terraform
        self.work_dir = work_dir
        self.variables = dict(variables)
        # A hung provider loop must end as a failure, never as a hang (moto once
        # made force_destroy retry forever).
        self.timeout = timeout
        self.stage_dir = work_dir / "stage" / "demo" / "terraform"
        self.log_path = work_dir / "terraform.log"
        self.env = terraform_cli_env(work_dir)
        for name in REAL_AWS_VARIABLES:
            self.env.pop(name, None)
        self.env.update(DUMMY_CREDENTIALS)
        self.env["TF_DATA_DIR"] = str(work_dir / "terraform-data")
        self._staged = False

    def _stage(self) -> None:
        self.stage_dir.mkdir(parents=True, exist_ok=True)
        for source in COMPOSITION_DIR.glob("*.tf"):
            shutil.copy2(source, self.stage_dir / source.name)
        (self.work_dir / "stage" / "modules").symlink_to(MODULES_DIR, target_is_directory=True)
        (self.work_dir / "variables.tfvars.json").write_text(json.dumps(self.variables, indent=2))
        self._staged = True

    def _run(self, *args: str) -> str:
        cmd = [self.terraform, f"-chdir={self.stage_dir}", *args]
        with self.log_path.open("ab") as log:
            log.write(f"\n$ {' '.join(cmd)}\n".encode())
            log.flush()
            # Own process group: an interrupt of the demo stops terraform and its
            # provider plugin together (the plugin would otherwise outlive a killed
            # terraform).
            process = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
            try:
                out, _ = process.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired as timeout:
                stop_process_group(process, grace_seconds=10.0)
                log.write(timeout.output or b"")
                raise CommandError(
                    f"terraform {args[0]} did not finish within {self.timeout:.0f}s "
                    f"(full log: {self.log_path})"
                ) from None
            except BaseException:
                stop_process_group(process, grace_seconds=10.0)
                raise
            log.write(out)
        text = out.decode(errors="replace")
        if process.returncode != 0:
            tail = "\n".join(text.strip().splitlines()[-40:])
            raise CommandError(f"terraform {args[0]} failed (full log: {self.log_path}):\n{tail}")
        return text

    def init(self) -> None:
        if not self._staged:
            self._stage()
        self._run("init", "-input=false", "-no-color")

    def apply(self) -> str:
        out = self._run(
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            f"-var-file={self.work_dir / 'variables.tfvars.json'}",
        )
        return _summary_line(out, "Apply complete!")

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._run("output", "-json", "-no-color"))
        return {name: item["value"] for name, item in raw.items()}

    def destroy(self) -> str:
        _remove_delete_markers(self.variables["endpoint_url"])
        # moto has no DeleteNamedQuery: terraform would retry the delete until it
        # times out. The saved queries go from the state instead (and with the
        # emulator).
        for address in self._run("state", "list", "-no-color").splitlines():
            if ".aws_athena_named_query." in f".{address}":
                self._run("state", "rm", "-no-color", address)
        out = self._run(
            "destroy",
            "-auto-approve",
            # Nothing changes the stack behind terraform's back; a refresh of the
            # 29 resources would only add time.
            "-refresh=false",
            "-input=false",
            "-no-color",
            f"-var-file={self.work_dir / 'variables.tfvars.json'}",
        )
        return _summary_line(out, "Destroy complete!")


def _remove_delete_markers(endpoint_url: str) -> None:
    """Delete every delete marker in the emulator's buckets, by version.

    moto 5.2 cannot force-destroy a bucket whose keys end in a delete marker once its
    versioning is suspended (AttributeError: 'FakeDeleteMarker' object has no
    attribute 'dispose'), and terraform then retries forever. A rerun of the function
    leaves such markers (it deletes the manifest it replaces), so clear them first.
    """
    s3 = aws_client("s3", endpoint_url)
    for bucket in s3.list_buckets().get("Buckets", []):
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket["Name"])
        for page in pages:
            markers = [
                {"Key": m["Key"], "VersionId": m["VersionId"]}
                for m in page.get("DeleteMarkers", [])
            ]
            if markers:
                s3.delete_objects(Bucket=bucket["Name"], Delete={"Objects": markers})


def _summary_line(output: str, marker: str) -> str:
    for line in output.splitlines():
        if line.startswith(marker):
            return line.strip()
    return marker
