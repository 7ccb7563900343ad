"""This project's rules for live/, on what python-hcl2 reads: literals and the text of
expressions (Terragrunt itself checks the rest in CI, job `terragrunt` of ci.yml). A check
returns its problems as sentences, none when the rule holds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

HCL_OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=True)
PIN_FILE = "image-digest.txt"
REAL_DIGEST = re.compile(r"(?!sha256:(.)\1{63}\n)sha256:[0-9a-f]{64}\n")  # not all one digit
MOCK_COMMANDS = ["validate", "plan"]
DEFAULT_TAGS = {"Project", "Environment", "ManagedBy", "Repository"}
DATA_FLAGS = {"force_destroy", "force_delete"}  # a module with one of these keeps data
OUTPUT_REF = re.compile(r"dependency\.(\w+)\.outputs\.(\w+)")
IMAGE_URI = re.compile(r"\$\{dependency\.\w+\.outputs\.repository_url\}@\$\{local\.(\w+)\}")


@cache  # parsing is slow and the checks read each file many times; never mutate the result
def read_hcl(text: str) -> dict[str, Any]:
    return dict(_plain(hcl2.loads(text, serialization_options=HCL_OPTIONS)))


def _plain(value: Any) -> Any:
    """python-hcl2's output without the quotes it keeps around strings, labels and heredocs."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str) and len(value) > 1 and value[0] == value[-1] == '"':
        return re.sub(r"^<<-?(\w+)\n(.*)\n\1$", r"\2", value[1:-1], flags=re.DOTALL)
    return value


def blocks(body: dict[str, Any], kind: str) -> dict[str, Any]:
    """Blocks of one kind: by label when labelled, else their attributes merged."""
    return {key: inner for item in body.get(kind, []) for key, inner in item.items()}


@dataclass
class Unit:
    env: str
    path: str  # <env>/<unit>
    files: list[dict[str, Any]]  # its terragrunt.hcl, then the files it includes but root.hcl

    def __str__(self) -> str:
        return self.path

    def merged(self, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for body in reversed(self.files):  # the unit's own file wins
            found.update(body.get(kind, {}) if kind == "inputs" else blocks(body, kind))
        return found

    @property
    def module(self) -> str:
        return str(self.merged("terraform").get("source", "")).partition("modules//")[2]


class LiveTree:
    def __init__(self, repo_root: Path) -> None:
        self.live, self.modules = repo_root / "live", repo_root / "modules"

    def read(self, relative: str) -> dict[str, Any]:
        return read_hcl((self.live / relative).read_text())

    @property
    def envs(self) -> list[str]:
        return sorted(path.parent.name for path in self.live.glob("*/env.hcl"))

    @property
    def units(self) -> list[Unit]:
        paths = [p.parent.relative_to(self.live) for p in self.live.glob("*/*/terragrunt.hcl")]
        return [self._unit(path.as_posix()) for path in sorted(paths)]

    def _unit(self, path: str) -> Unit:
        files = [self.read(f"{path}/terragrunt.hcl")]
        for include in blocks(files[0], "include").values():
            # Both forms used name a file of live/: find_in_parent_folders("F") and
            # "${dirname(find_in_parent_folders("root.hcl"))}/F".
            tail = include["path"].rpartition("}")[2]
            target = tail[1:] if tail.startswith("/") else include["path"].split('"')[1]
            files += [] if target == "root.hcl" else [self.read(target)]
        return Unit(path.partition("/")[0], path, files)

    def declared(self, module: str, kind: str) -> set[str]:
        path = self.modules / module / ("outputs.tf" if kind == "output" else "variables.tf")
        return set(blocks(read_hcl(path.read_text()), kind)) if path.is_file() else set()


def check_root(tree: LiveTree) -> list[str]:
    """S3 state, natively locked and encrypted; one generated aws provider with default tags."""
    root = tree.read("root.hcl")
    state = blocks(root, "remote_state")
    config = state.get("config", {})
    contents = [g["contents"] for g in blocks(root, "generate").values()]
    aws = [p["aws"] for c in contents for p in read_hcl(c).get("provider", []) if "aws" in p]
    provider = aws[0] if len(aws) == 1 else {}
    tags = blocks(provider, "default_tags").get("tags", {})
    expected = {
        "an s3 remote_state backend": state.get("backend") == "s3",
        "use_lockfile = true": config.get("use_lockfile") is True,
        "encrypt = true": config.get("encrypt") is True,
        "no dynamodb_table (use_lockfile replaces it)": "dynamodb_table" not in config,
        "a state key per unit": "path_relative_to_include()" in str(config.get("key")),
        "one generated aws provider": len(aws) == 1,
        "region and allowed_account_ids": {"region", "allowed_account_ids"} <= set(provider),
        f"the default tags {sorted(DEFAULT_TAGS)}": set(tags) >= DEFAULT_TAGS,
        "ManagedBy = terragrunt": tags.get("ManagedBy") == "terragrunt",
    }
    return [f"root.hcl lacks {rule}" for rule, holds in expected.items() if not holds]


def check_mocks(tree: LiveTree) -> list[str]:
    """Mocks only for validate/plan; every output used is a real output, and mocked."""
    problems, units = [], {unit.path: unit for unit in tree.units}
    for unit in units.values():
        dependencies = unit.merged("dependency")
        for name, block in sorted(dependencies.items()):
            if block.get("mock_outputs_allowed_terraform_commands") != MOCK_COMMANDS:
                problems.append(f"{unit}: dependency {name} must mock for {MOCK_COMMANDS} only")
        for name, output in sorted(set(OUTPUT_REF.findall(json.dumps(unit.files)))):
            block = dependencies.get(name, {})
            target = units.get(f"{unit.env}/{block.get('config_path', '').rpartition('/')[2]}")
            if target is None:
                problems.append(f"{unit}: dependency.{name} names no unit of {unit.env}")
            elif output not in tree.declared(target.module, "output"):
                problems.append(f"{unit}: {target.module} has no output {output}")
            elif output not in block.get("mock_outputs", {}):
                problems.append(f"{unit}: dependency.{name}.outputs.{output} has no mock")
    return problems


def check_parity(tree: LiveTree) -> list[str]:
    """Same units from the same shared files everywhere; a setting only one env has, it uses."""
    shapes = {
        env: {u.path[len(env) :]: u.files[1:] for u in tree.units if u.env == env}
        for env in tree.envs
    }
    first = tree.envs[0]
    differ = [env for env in shapes if shapes[env] != shapes[first]]
    problems = [f"{env}'s units or their shared files differ from {first}'s" for env in differ]
    settings = {env: blocks(tree.read(f"{env}/env.hcl"), "locals") for env in tree.envs}
    common = set.intersection(*(set(values) for values in settings.values()))
    for env, values in settings.items():
        used = json.dumps([unit.files[0] for unit in tree.units if unit.env == env])
        unused = [key for key in sorted(set(values) - common) if f"locals.env.{key}" not in used]
        problems += [
            f"{env}/env.hcl: {key} is set only here, unread by its units" for key in unused
        ]
    return problems


def check_prod_protection(tree: LiveTree) -> list[str]:
    """In prod, units that keep data refuse destroy, and nothing is force-deleted."""
    settings = blocks(tree.read("prod/env.hcl"), "locals")
    forced = sorted(key for key in DATA_FLAGS & set(settings) if settings[key] is not False)
    problems = [f"prod/env.hcl: {key} must be false" for key in forced]
    for unit in (unit for unit in tree.units if unit.env == "prod"):
        keeps_data = tree.declared(unit.module, "variable") & DATA_FLAGS
        if keeps_data and unit.files[0].get("prevent_destroy") is not True:
            problems.append(f"{unit}: keeps data ({unit.module}): prevent_destroy must be true")
        inputs = unit.merged("inputs")
        own = [flag for flag in sorted(DATA_FLAGS & set(inputs)) if "env." not in str(inputs[flag])]
        problems += [f"{unit}: input {flag} must come from env.hcl" for flag in own]
    return problems


def check_image_pins(tree: LiveTree) -> list[str]:
    """Pin files hold one real digest; the image is <repository_url>@<digest in the pin file>."""
    pins = sorted(tree.live.glob(f"*/{PIN_FILE}"))
    bad = [pin.parent.name for pin in pins if not REAL_DIGEST.fullmatch(pin.read_text())]
    problems = [f"{env}/{PIN_FILE} must hold one real sha256 digest" for env in bad]
    for unit in (unit for unit in tree.units if "image_uri" in unit.merged("inputs")):
        match = IMAGE_URI.fullmatch(unit.merged("inputs")["image_uri"])
        reads_pin = match and "file(" in unit.merged("locals").get(match.group(1), "")
        if not reads_pin or PIN_FILE not in json.dumps(unit.merged("locals")):
            problems.append(f"{unit}: image_uri must be <repository_url>@<digest in {PIN_FILE}>")
    return problems


ALL_CHECKS = (check_root, check_mocks, check_parity, check_prod_protection, check_image_pins)
