"""The local AWS emulator (moto_server) and terraform runs against it.

Used by ``demo/run_demo.py`` (``make demo``) and by ``tests/e2e``. Both must leave
nothing behind: the emulator runs in its own process group that is killed on every
exit path, and terraform's working files (plugins, lock file, state) live in a
temporary work directory, never in the repository.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_DIR = REPO_ROOT / "demo" / "terraform"
MODULES_DIR = REPO_ROOT / "modules"

REGION = "us-east-1"
# moto accepts any credentials; these names make it obvious they are not real.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

TERRAFORM_INSTALL_HINT = (
    "install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install, "
    "e.g. `brew install hashicorp/tap/terraform` or the HashiCorp apt repository) "
    "and make sure `terraform` is on PATH"
)


class ToolMissingError(RuntimeError):
    """A command-line tool the local stack needs is not installed."""


class CommandError(RuntimeError):
    """A terraform command failed; the message carries the end of its output."""


def find_terraform() -> str | None:
    return shutil.which("terraform")


def moto_server_command() -> list[str] | None:
    """The venv's moto_server (moto[server] pinned in requirements/dev.txt)."""
    venv_bin = Path(sys.executable).parent / "moto_server"
    if venv_bin.exists():
        return [str(venv_bin)]
    found = shutil.which("moto_server")
    return [found] if found else None


def emulator_client_env(endpoint_url: str) -> dict[str, str]:
    """Variables that point boto3 (>= 1.28 honours AWS_ENDPOINT_URL) at the emulator."""
    return {
        **DUMMY_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def aws_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client on the emulator: explicit endpoint, region and dummy credentials."""
    import boto3  # noqa: PLC0415 - terraform-only callers never need it

    # The stubs type clients by literal service name; this one is chosen at run time.
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


INVENTORY_SERVICES = ("s3", "sqs", "lambda", "ecr", "logs", "cloudwatch", "iam", "glue", "athena")


# Variables that would make boto3 or terraform reach for a real account.
REAL_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """Child-side: on Linux, get SIGTERM if the parent dies (even by SIGKILL).

    Linux ties this to the thread that started the child, so start such children
    from a thread that lives as long as they should (the main thread).
    """
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415 - only on Linux, only in the child

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop_process_group(process: subprocess.Popen[Any], grace_seconds: float) -> None:
    """SIGTERM to the child's process group, SIGKILL after ``grace_seconds``; then reaped."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


class MotoServer:
    """``moto_server`` on a free loopback port, in its own process group.

    ``stop()`` is idempotent and kills the whole group, so it is safe to call it
    from ``finally``, a signal handler and ``atexit`` alike.
    """

    def __init__(self, command: list[str], log_path: Path, host: str = "127.0.0.1") -> None:
        self.command = command
        self.log_path = log_path
        self.host = host
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise RuntimeError("moto_server is not started")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        # Another process may grab the free port between the probe and moto's
        # bind; a server that dies at once is retried on a new port.
        for _attempt in range(3):
            self.port = _free_port(self.host)
            self._log = self.log_path.open("ab")
            env = {k: v for k, v in os.environ.items() if k not in REAL_AWS_VARIABLES}
            self.process = subprocess.Popen(
                [*self.command, "-H", self.host, "-p", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets PDEATHSIG
            )
            if self._wait_ready(timeout):
                return
            self.stop()
        raise RuntimeError(f"moto_server did not start; see {self.log_path}:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers: that is all we wait for
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        return False

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace_seconds=5.0)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


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
    import boto3  # noqa: PLC0415  (imported when a stack is destroyed, not for the CLI)

    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name=REGION, **_boto_credentials())
    for bucket in s3.list_buckets().get("Buckets", []):
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket["Name"])
        for page in pages:
            markers = [
                {"Key": m["Key"], "VersionId": m["VersionId"]}
                for m in page.get("DeleteMarkers", [])
            ]
            if markers:
                s3.delete_objects(Bucket=bucket["Name"], Delete={"Objects": markers})


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def _summary_line(output: str, marker: str) -> str:
    for line in output.splitlines():
        if line.startswith(marker):
            return line.strip()
    return marker


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and afterwards restore) process environment variables."""
    saved = {name: os.environ.get(name) for name in (*values, *remove)}
    try:
        for name in remove:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
