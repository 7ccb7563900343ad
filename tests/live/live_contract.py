"""Static contract checks of the Terragrunt live tree against the modules it deploys.

Terragrunt is not needed (nor installable here): the live files are parsed with
python-hcl2 and the few Terragrunt functions the tree uses for paths
(``find_in_parent_folders``, ``dirname``, ``get_repo_root``, ``get_terragrunt_dir``,
``read_terragrunt_config``) are evaluated here, so that a unit's ``terraform.source``,
``include`` paths, ``dependency.config_path`` and literal inputs can be followed
the way Terragrunt follows them. Anything else is left unresolved and only its
shape is checked.

Every ``check_*`` function is pure: it takes a :class:`LiveTree` and returns a
list of problems (human-readable strings, empty when the contract holds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

# ---------------------------------------------------------------------------
# Parsing: python-hcl2 8.x output (quoted strings and labels, ``__is_block__``
# markers) normalised to plain attributes and labelled blocks.
# ---------------------------------------------------------------------------

# Comments and line numbers are not requested, so this marker is the only key
# python-hcl2 adds that is not in the source.
_BLOCK_MARKER = "__is_block__"


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body


@dataclass
class Body:
    attrs: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def of_type(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]

    def one(self, block_type: str) -> Block | None:
        found = self.of_type(block_type)
        return found[0] if found else None

    def labelled(self, block_type: str) -> dict[str, Block]:
        return {b.labels[0]: b for b in self.of_type(block_type) if b.labels}


def parse_hcl(text: str) -> Body:
    """Parse HCL text into a :class:`Body` (attributes and blocks, recursively)."""
    options = SerializationOptions(with_comments=False, preserve_heredocs=True)
    return _body(hcl2.loads(text, serialization_options=options))


def parse_file(path: Path) -> Body:
    try:
        return parse_hcl(path.read_text())
    except Exception as exc:  # the parser raises lark errors of many kinds
        raise ValueError(f"{path}: cannot be parsed as HCL: {exc}") from exc


def _body(raw: Mapping[str, Any]) -> Body:
    body = Body()
    for key, value in raw.items():
        if key == _BLOCK_MARKER:
            continue
        if isinstance(value, list) and value and all(_is_block(v) for v in value):
            for item in value:
                labels, inner = _peel(item)
                body.blocks.append(Block(key, labels, _body(inner)))
        else:
            body.attrs[_unquote_key(key)] = _value(value)
    return body


def _is_block(item: Any) -> bool:
    while isinstance(item, dict):
        if item.get(_BLOCK_MARKER):
            return True
        if len(item) != 1:
            return False
        (item,) = item.values()
    return False


def _peel(item: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    labels: list[str] = []
    while not item.get(_BLOCK_MARKER):
        (label,) = item
        labels.append(_unquote_key(label))
        item = item[label]
    return tuple(labels), item


def _unquote_key(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unquote_key(k): _value(v) for k, v in value.items() if k != _BLOCK_MARKER}
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"':
            inner = value[1:-1]
            heredoc = re.fullmatch(r"<<-?(\w+)\n(.*)\n\1", inner, re.DOTALL)
            if heredoc:
                return heredoc.group(2)
            return _unescape_hcl(inner)
        if not value.startswith("${"):
            # A bare expression such as a type keyword (``number``).
            return "${" + value + "}"
    return value


def _unescape_hcl(text: str) -> str:
    try:
        return str(json.loads('"' + text.replace("\n", "\\n") + '"'))
    except ValueError:
        return text


# ---------------------------------------------------------------------------
# Evaluating the few expressions a static check can follow.
# ---------------------------------------------------------------------------


class UnresolvedError(Exception):
    """An expression this checker does not evaluate (left to Terragrunt)."""


@dataclass(frozen=True)
class Context:
    """Where Terragrunt evaluates a unit's configuration (included files too)."""

    repo_root: Path
    unit_dir: Path
    root_dir: Path


def _scan_string(text: str, start: int) -> int:
    """Index just past the quoted string starting at ``text[start] == '"'``."""
    i = start + 1
    depth = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if char == "}" and depth:
            depth -= 1
        elif char == '"' and not depth:
            return i + 1
        i += 1
    raise UnresolvedError(f"unterminated string in {text!r}")


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``text[start]``."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = [pairs[text[start]]]
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _scan_string(text, i)
            continue
        if char in pairs:
            stack.append(pairs[char])
        elif char == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    raise UnresolvedError(f"unbalanced brackets in {text!r}")


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside strings and brackets."""
    parts: list[str] = []
    depth = 0
    current = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _scan_string(text, i)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[current:i])
            i += len(separator)
            current = i
            continue
        i += 1
    parts.append(text[current:])
    return parts


def interpolations(template: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, expression) of every ``${...}`` of a template."""
    i = 0
    while True:
        start = template.find("${", i)
        if start < 0:
            return
        if start > 0 and template[start - 1] == "$":  # "$${" is a literal "${"
            i = start + 2
            continue
        end = _closing(template, start + 1)
        yield start, end + 1, template[start + 2 : end]
        i = end + 1


_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_CALL = re.compile(rf"({_IDENT})\(")
_REFERENCE = re.compile(rf"{_IDENT}(\.{_IDENT})*")


class Scope:
    """One parsed Terragrunt file evaluated in a unit's context."""

    def __init__(
        self, path: Path, body: Body, ctx: Context, includes: Mapping[str, Scope] | None = None
    ):
        self.path = path
        self.body = body
        self.ctx = ctx
        self.includes = dict(includes or {})
        self._locals: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        # Set by Unit: the merged dependency blocks, whose mock_outputs stand in
        # for dependency.<name>.outputs (what `terragrunt plan` sees on a first run).
        self.dependency_blocks: dict[str, tuple[Block, Scope]] = {}

    @cached_property
    def local_names(self) -> dict[str, Any]:
        names: dict[str, Any] = {}
        for block in self.body.of_type("locals"):
            names.update(block.body.attrs)
        return names

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.local_names:
            raise UnresolvedError(f"{self.path.name}: no local {name!r}")
        if name in self._evaluating:
            raise UnresolvedError(f"{self.path.name}: local {name!r} refers to itself")
        self._evaluating.add(name)
        try:
            value = self.value(self.local_names[name])
        finally:
            self._evaluating.discard(name)
        self._locals[name] = value
        return value

    def all_locals(self) -> dict[str, Any]:
        return _LazyMap({name: (lambda n=name: self.local(n)) for name in self.local_names})

    # -- values and templates ------------------------------------------------

    def value(self, raw: Any) -> Any:
        """Evaluate a normalised attribute value; raises UnresolvedError."""
        if isinstance(raw, dict):
            return {k: self.value(v) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if isinstance(raw, str):
            return self.template(raw)
        return raw

    def template(self, template: str) -> Any:
        if "%{" in template:
            raise UnresolvedError(f"template directive in {template!r}")
        parts = list(interpolations(template))
        if len(parts) == 1 and parts[0][0] == 0 and parts[0][1] == len(template):
            return self.expression(parts[0][2])
        out: list[str] = []
        cursor = 0
        for start, end, expr in parts:
            out.append(template[cursor:start])
            value = self.expression(expr)
            if isinstance(value, bool):
                value = str(value).lower()
            if not isinstance(value, (str, int, float)):
                raise UnresolvedError(f"non-scalar {expr!r} in a template")
            out.append(str(value))
            cursor = end
        out.append(template[cursor:])
        return "".join(out).replace("$${", "${")

    def expression(self, expr: str) -> Any:
        expr = expr.strip()
        literals = {"true": True, "false": False, "null": None}
        if expr in literals:
            return literals[expr]
        if re.fullmatch(r"-?\d+(\.\d+)?", expr):
            return json.loads(expr)
        if expr.startswith('"') and _scan_string(expr, 0) == len(expr):
            return self.template(_unescape_hcl(expr[1:-1]))
        call = _CALL.match(expr)
        if call:
            close = _closing(expr, call.end() - 1)
            args = expr[call.end() : close]
            result = self.call(call.group(1), [a for a in split_top_level(args, ",") if a.strip()])
            return _traverse(result, expr[close + 1 :], expr)
        if _REFERENCE.fullmatch(expr):
            return self.reference(expr)
        raise UnresolvedError(f"expression not evaluated statically: {expr}")

    def reference(self, expr: str) -> Any:
        """local.<name>..., include.<label>..., dependency.<name>.outputs... (mocks)."""
        head, _, rest = expr.partition(".")
        name, _, rest = rest.partition(".")
        path = "." + rest if rest else ""
        if head == "local":
            return _traverse(self.local(name), path, expr)
        if head == "include" and name in self.includes:
            return _traverse(self.includes[name].exposed(), path, expr)
        if head == "dependency" and name in self.dependency_blocks:
            block, scope = self.dependency_blocks[name]
            outputs = {"outputs": scope.value(block.body.attrs.get("mock_outputs", {}))}
            return _traverse(outputs, path, expr)
        raise UnresolvedError(f"reference not evaluated statically: {expr}")

    def exposed(self) -> dict[str, Any]:
        return {"locals": self.all_locals(), "inputs": self.body.attrs.get("inputs", {})}

    def call(self, name: str, args: list[str]) -> Any:
        ctx = self.ctx
        if name == "get_repo_root" and not args:
            return str(ctx.repo_root)
        if name == "get_terragrunt_dir" and not args:
            return str(ctx.unit_dir)
        if name == "path_relative_to_include" and not args:
            return ctx.unit_dir.relative_to(ctx.root_dir).as_posix()
        if name == "dirname" and len(args) == 1:
            return str(Path(str(self.expression(args[0]))).parent)
        if name == "find_in_parent_folders" and len(args) == 1:
            return str(find_in_parent_folders(ctx, str(self.expression(args[0]))))
        if name == "read_terragrunt_config" and len(args) == 1:
            path = Path(str(self.expression(args[0])))
            return Scope(path, parse_file(path), ctx).exposed()
        raise UnresolvedError(f"function {name}() not evaluated statically")


class _LazyMap(dict[str, Any]):
    """Locals evaluated on access, so one unresolvable local spoils nothing else."""

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key)()


def _traverse(value: Any, path: str, expr: str) -> Any:
    for name in [p for p in path.split(".") if p]:
        if not isinstance(value, dict) or name not in value:
            raise UnresolvedError(f"{expr}: no attribute {name!r}")
        value = value[name]
    return value


def find_in_parent_folders(ctx: Context, name: str) -> Path:
    """Terragrunt's lookup: the unit's parent folders, nearest first."""
    folder = ctx.unit_dir.parent
    while True:
        candidate = folder / name
        if candidate.exists():
            return candidate
        if folder in (ctx.repo_root, folder.parent):
            raise UnresolvedError(
                f"find_in_parent_folders({name!r}) finds nothing above {ctx.unit_dir}"
            )
        folder = folder.parent


# ---------------------------------------------------------------------------
# The modules' interfaces.
# ---------------------------------------------------------------------------


@dataclass
class Variable:
    name: str
    required: bool
    default: Any
    conditions: list[str]


@dataclass
class Module:
    path: Path
    variables: dict[str, Variable]
    outputs: set[str]


def load_module(path: Path) -> Module:
    """A module's variables (variables.tf) and outputs (outputs.tf)."""
    variables: dict[str, Variable] = {}
    outputs: set[str] = set()
    variables_tf = path / "variables.tf"
    outputs_tf = path / "outputs.tf"
    if variables_tf.exists():
        for block in parse_file(variables_tf).of_type("variable"):
            attrs = block.body.attrs
            conditions = [
                v.body.attrs.get("condition", "") for v in block.body.of_type("validation")
            ]
            variables[block.labels[0]] = Variable(
                block.labels[0], "default" not in attrs, attrs.get("default"), conditions
            )
    if outputs_tf.exists():
        outputs = {block.labels[0] for block in parse_file(outputs_tf).of_type("output")}
    return Module(path, variables, outputs)


# ---------------------------------------------------------------------------
# The live tree: environments, units and what each unit resolves to.
# ---------------------------------------------------------------------------

REQUIRED_DEFAULT_TAGS = ("Project", "Environment", "ManagedBy", "Repository")
MOCK_COMMANDS = ("validate", "plan")
# Units whose state matters in prod: destroy is refused and contents are kept.
PROTECTED_UNITS = {"prod": ("input-bucket", "output-bucket", "ecr-repository")}
FORCE_DESTROY_INPUTS = ("force_destroy", "force_delete")
DIGEST_FILE = "image-digest.txt"
DIGEST_PIN = re.compile(r"sha256:[0-9a-f]{64}\n?")
_DEPENDENCY_REF = re.compile(rf"dependency\.({_IDENT})\.outputs(?:\.({_IDENT}))?")


@dataclass
class Setting:
    """A merged value and the file (scope) it must be evaluated in."""

    raw: Any
    scope: Scope

    def resolved(self) -> Any:
        return self.scope.value(self.raw)


class Unit:
    """A unit directory merged with its includes the way Terragrunt does (shallow)."""

    def __init__(self, tree: LiveTree, env: str, directory: Path):
        self.tree = tree
        self.env = env
        self.name = directory.name
        self.dir = directory
        self.ctx = Context(tree.repo_root, directory, tree.live_dir)
        self.problems: list[str] = []
        self.scope = Scope(
            directory / "terragrunt.hcl", parse_file(directory / "terragrunt.hcl"), self.ctx
        )
        for label, block in self.scope.body.labelled("include").items():
            try:
                path = Path(str(self.scope.value(block.body.attrs.get("path"))))
            except UnresolvedError as exc:
                self.problems.append(f"{self}: include {label!r}: {exc}")
                continue
            if not path.is_file():
                self.problems.append(f"{self}: include {label!r} points to missing {path}")
                continue
            self.scope.includes[label] = Scope(path, parse_file(path), self.ctx)
        # Include blocks are merged in order, the unit's own file last (it wins).
        self.layers = [*self.scope.includes.values(), self.scope]
        for layer in self.layers:
            layer.dependency_blocks = self.dependencies()

    def __str__(self) -> str:
        return f"{self.env}/{self.name}"

    def inputs(self) -> dict[str, Setting]:
        merged: dict[str, Setting] = {}
        for layer in self.layers:
            raw = layer.body.attrs.get("inputs", {})
            if isinstance(raw, dict):
                merged.update({k: Setting(v, layer) for k, v in raw.items()})
            else:
                self.problems.append(f"{self}: inputs of {layer.path.name} is not a literal map")
        return merged

    def attribute(self, name: str) -> Setting | None:
        found = None
        for layer in self.layers:
            if name in layer.body.attrs:
                found = Setting(layer.body.attrs[name], layer)
        return found

    def source(self) -> Setting | None:
        found = None
        for layer in self.layers:
            block = layer.body.one("terraform")
            if block and "source" in block.body.attrs:
                found = Setting(block.body.attrs["source"], layer)
        return found

    def dependencies(self) -> dict[str, tuple[Block, Scope]]:
        merged: dict[str, tuple[Block, Scope]] = {}
        for layer in self.layers:
            merged.update({k: (b, layer) for k, b in layer.body.labelled("dependency").items()})
        return merged

    def module_dir(self) -> Path:
        """The module directory the source points to (raises UnresolvedError)."""
        source = self.source()
        if source is None:
            raise UnresolvedError("no terraform.source")
        text = str(source.resolved())
        if "://" in text or text.startswith("git::"):
            raise UnresolvedError(f"source {text!r} is not a path in this repository")
        return Path(text.replace("//", "/")).resolve()

    def module(self) -> Module:
        return self.tree.module(self.module_dir())

    def dependency_unit(self, name: str) -> Unit:
        block, scope = self.dependencies()[name]
        target = Path(str(scope.value(block.body.attrs.get("config_path")))).resolve()
        for unit in self.tree.units:
            if unit.dir.resolve() == target:
                return unit
        raise UnresolvedError(f"dependency {name!r}: config_path {target} is not a unit of live/")

    def strings(self) -> Iterator[tuple[str, str]]:
        """(file name, string) of every string in the unit and its includes."""
        for layer in self.layers:
            yield from ((layer.path.name, s) for s in _strings(layer.body))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, Body):
        yield from _strings(node.attrs)
        for block in node.blocks:
            yield from _strings(block.body)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


class LiveTree:
    def __init__(self, repo_root: Path):
        self.repo_root = repo_root.resolve()
        self.live_dir = self.repo_root / "live"
        self.modules_dir = self.repo_root / "modules"
        self._modules: dict[Path, Module] = {}

    @cached_property
    def envs(self) -> list[str]:
        return sorted(p.parent.name for p in self.live_dir.glob("*/env.hcl"))

    @cached_property
    def units(self) -> list[Unit]:
        return [
            Unit(self, env, path.parent)
            for env in self.envs
            for path in sorted((self.live_dir / env).glob("*/terragrunt.hcl"))
        ]

    def unit(self, env: str, name: str) -> Unit | None:
        return next((u for u in self.units if u.env == env and u.name == name), None)

    def module(self, path: Path) -> Module:
        if path not in self._modules:
            self._modules[path] = load_module(path)
        return self._modules[path]

    @cached_property
    def root(self) -> Body:
        return parse_file(self.live_dir / "root.hcl")


# ---------------------------------------------------------------------------
# The checks. Each returns a list of problems; empty means the contract holds.
# ---------------------------------------------------------------------------


def check_units_load(tree: LiveTree) -> list[str]:
    """Every include of every unit resolves to an existing file."""
    problems = [] if tree.units else [f"no units under {tree.live_dir}/<env>/"]
    for unit in tree.units:
        problems += unit.problems
        if "root" not in unit.scope.includes:
            problems.append(f'{unit}: does not include root.hcl as include "root"')
    return problems


def check_sources(tree: LiveTree) -> list[str]:
    """Every unit's terraform.source is a module directory under modules/."""
    problems = []
    for unit in tree.units:
        try:
            module_dir = unit.module_dir()
        except UnresolvedError as exc:
            problems.append(f"{unit}: terraform source: {exc}")
            continue
        if not module_dir.is_relative_to(tree.modules_dir) or module_dir == tree.modules_dir:
            problems.append(f"{unit}: source {module_dir} is not a module under {tree.modules_dir}")
        elif not (module_dir / "variables.tf").is_file():
            problems.append(f"{unit}: source {module_dir} is not a module (no variables.tf)")
    return problems


def _units_with_module(tree: LiveTree) -> Iterator[tuple[Unit, Module]]:
    for unit in tree.units:
        try:
            module_dir = unit.module_dir()
        except UnresolvedError:
            continue  # reported by check_sources
        if (module_dir / "variables.tf").is_file():
            yield unit, tree.module(module_dir)


def check_inputs_declared(tree: LiveTree) -> list[str]:
    """Every input (root, envcommon and unit merged) is a variable of the module."""
    return [
        f"{unit}: input {name!r} is not a variable of {module.path.name}"
        for unit, module in _units_with_module(tree)
        for name in sorted(unit.inputs())
        if name not in module.variables
    ]


def check_required_inputs(tree: LiveTree) -> list[str]:
    """Every variable without a default is given an input."""
    return [
        f"{unit}: required variable {name!r} of {module.path.name} has no input"
        for unit, module in _units_with_module(tree)
        for name, variable in sorted(module.variables.items())
        if variable.required and name not in unit.inputs()
    ]


def check_no_null_inputs(tree: LiveTree) -> list[str]:
    """Inputs are never null: omit them so module defaults apply.

    Terragrunt has regressed more than once on passing null through TF_VAR_ /
    tfvars (a null reached Terraform as "null" or as "no value").
    """
    problems = []
    for unit in tree.units:
        for name, setting in sorted(unit.inputs().items()):
            try:
                value = setting.resolved()
            except UnresolvedError:
                continue
            if value is None:
                problems.append(f"{unit}: input {name!r} is null; leave it out instead")
    return problems


def check_dependency_blocks(tree: LiveTree) -> list[str]:
    """Dependencies stay in the environment, mock only validate/plan, mock real outputs."""
    problems = []
    for unit in tree.units:
        for name, (block, _scope) in sorted(unit.dependencies().items()):
            attrs = block.body.attrs
            commands = attrs.get("mock_outputs_allowed_terraform_commands")
            if not isinstance(commands, list) or sorted(commands) != sorted(MOCK_COMMANDS):
                problems.append(
                    f"{unit}: dependency {name!r}: mock_outputs_allowed_terraform_commands is "
                    f"{commands!r}, must be exactly {list(MOCK_COMMANDS)!r}"
                )
            mocks = attrs.get("mock_outputs")
            if not isinstance(mocks, dict) or not mocks:
                problems.append(f"{unit}: dependency {name!r} has no mock_outputs")
                mocks = {}
            try:
                target = unit.dependency_unit(name)
                outputs = target.module().outputs
            except UnresolvedError as exc:
                problems.append(f"{unit}: {exc}")
                continue
            if target.env != unit.env:
                problems.append(
                    f"{unit}: dependency {name!r} crosses into environment {target.env!r}"
                )
            problems += [
                f"{unit}: dependency {name!r}: mock output {key!r} is not an output of "
                f"{target.module().path.name}"
                for key in sorted(mocks)
                if key not in outputs
            ]
    return problems


def check_dependency_references(tree: LiveTree) -> list[str]:
    """Every dependency.X.outputs.Y names a dependency, a real output of its module, and a mock."""
    problems = []
    for unit in tree.units:
        dependencies = unit.dependencies()
        for file_name, text in unit.strings():
            for match in _DEPENDENCY_REF.finditer(text):
                name, output = match.group(1), match.group(2)
                where = f"{unit} ({file_name}): dependency.{name}.outputs"
                if name not in dependencies:
                    problems.append(f"{where}: no dependency block named {name!r}")
                    continue
                if output is None:
                    problems.append(f"{where} is used whole; name the outputs used")
                    continue
                try:
                    target = unit.dependency_unit(name)
                except UnresolvedError as exc:
                    problems.append(f"{unit}: {exc}")
                    continue
                if output not in target.module().outputs:
                    problems.append(
                        f"{where}.{output}: {target.module().path.name} has no output {output!r}"
                    )
                mocks = dependencies[name][0].body.attrs.get("mock_outputs")
                if not isinstance(mocks, dict) or output not in mocks:
                    problems.append(f"{where}.{output} has no mock in mock_outputs")
    return problems


def check_env_parity(tree: LiveTree) -> list[str]:
    """Every environment has the same units (prod is what dev tested)."""
    if len(tree.envs) < 2:
        return [f"expected at least two environments under {tree.live_dir}, found {tree.envs}"]
    by_env = {env: {u.name for u in tree.units if u.env == env} for env in tree.envs}
    reference = by_env[tree.envs[0]]
    return [
        f"{env} units {sorted(names)} differ from {tree.envs[0]} units {sorted(reference)}"
        for env, names in by_env.items()
        if names != reference
    ]


def check_root(tree: LiveTree) -> list[str]:
    """root.hcl: S3 state with native locking and encryption, a provider with default tags."""
    problems = []
    root = tree.root
    state = root.one("remote_state")
    if state is None:
        return ["root.hcl has no remote_state block"]
    config = state.body.attrs.get("config")
    config = config if isinstance(config, dict) else {}
    if state.body.attrs.get("backend") != "s3":
        problems.append(
            f"root.hcl: remote_state backend is {state.body.attrs.get('backend')!r}, not 's3'"
        )
    for key in ("use_lockfile", "encrypt"):
        if config.get(key) is not True:
            problems.append(
                f"root.hcl: remote_state config {key} must be true, is {config.get(key)!r}"
            )
    if "dynamodb_table" in config:
        problems.append("root.hcl: remote_state uses dynamodb_table; use_lockfile replaces it")
    if "path_relative_to_include()" not in str(config.get("key", "")):
        problems.append("root.hcl: the state key must derive from path_relative_to_include()")
    generate = state.body.attrs.get("generate")
    if not isinstance(generate, dict) or not generate.get("path"):
        problems.append("root.hcl: remote_state does not generate the backend block")
    problems += _check_provider(root)
    return problems


def _check_provider(root: Body) -> list[str]:
    providers = [
        provider
        for generate in root.of_type("generate")
        for provider in _parse_generated(generate).labelled("provider").values()
        if provider.labels == ("aws",)
    ]
    if len(providers) != 1:
        return [f'root.hcl: expected one generated provider "aws", found {len(providers)}']
    attrs = providers[0].body.attrs
    problems = [
        f"root.hcl: the generated aws provider does not set {key}"
        for key in ("region", "allowed_account_ids")
        if key not in attrs
    ]
    default_tags = providers[0].body.one("default_tags")
    tags = default_tags.body.attrs.get("tags") if default_tags else None
    tags = tags if isinstance(tags, dict) else {}
    problems += [
        f"root.hcl: the generated provider's default_tags lack {tag!r}"
        for tag in REQUIRED_DEFAULT_TAGS
        if tag not in tags
    ]
    if tags.get("ManagedBy") != "terragrunt":
        problems.append(
            f"root.hcl: default tag ManagedBy is {tags.get('ManagedBy')!r}, not 'terragrunt'"
        )
    return problems


def _parse_generated(generate: Block) -> Body:
    contents = generate.body.attrs.get("contents")
    if not isinstance(contents, str):
        return Body()
    try:
        return parse_hcl(contents)
    except Exception:  # a generated file that is not HCL holds no provider
        return Body()


def check_literal_validations(tree: LiveTree) -> list[str]:
    """Inputs that resolve to literals satisfy the module's simple validations."""
    problems = []
    for unit, module in _units_with_module(tree):
        for name, setting in sorted(unit.inputs().items()):
            variable = module.variables.get(name)
            if variable is None:
                continue
            try:
                value = setting.resolved()
            except UnresolvedError:
                continue
            for condition in variable.conditions:
                if evaluate_condition(condition, name, value) is False:
                    problems.append(
                        f"{unit}: input {name} = {value!r} fails the validation {condition!r}"
                    )
    return problems


def check_protected_units(tree: LiveTree) -> list[str]:
    """Where state matters: prevent_destroy on, force_destroy/force_delete off."""
    problems = []
    for env, names in PROTECTED_UNITS.items():
        for name in names:
            unit = tree.unit(env, name)
            if unit is None:
                problems.append(f"{env}/{name}: missing")
                continue
            prevent = unit.attribute("prevent_destroy")
            if prevent is None or _resolved_or(prevent) is not True:
                problems.append(f"{unit}: prevent_destroy must be true")
            inputs = unit.inputs()
            for flag in FORCE_DESTROY_INPUTS:
                if flag in inputs and _resolved_or(inputs[flag]) is not False:
                    problems.append(f"{unit}: input {flag} must resolve to false")
    return problems


def check_prod_differences(tree: LiveTree) -> list[str]:
    """prod: alarms notify a topic, concurrency is reserved, logs are kept longer than dev."""
    prod, dev = tree.unit("prod", "processor"), tree.unit("dev", "processor")
    if prod is None or dev is None:
        return ["dev/processor and prod/processor must both exist"]
    prod_inputs, dev_inputs = prod.inputs(), dev.inputs()
    problems = []
    topic = (
        _resolved_or(prod_inputs["alarm_topic_arn"]) if "alarm_topic_arn" in prod_inputs else None
    )
    if not (isinstance(topic, str) and topic.startswith("arn:")):
        problems.append(f"{prod}: alarm_topic_arn must be an SNS topic ARN, is {topic!r}")
    reserved = prod_inputs.get("reserved_concurrent_executions")
    if reserved is None or not isinstance(_resolved_or(reserved), int):
        problems.append(f"{prod}: reserved_concurrent_executions must be set to a number")
    prod_days = (
        _resolved_or(prod_inputs["log_retention_days"])
        if "log_retention_days" in prod_inputs
        else None
    )
    dev_days = (
        _resolved_or(dev_inputs["log_retention_days"])
        if "log_retention_days" in dev_inputs
        else None
    )
    if not (isinstance(prod_days, int) and isinstance(dev_days, int) and prod_days > dev_days):
        problems.append(
            f"log retention: prod ({prod_days!r} days) must exceed dev ({dev_days!r} days)"
        )
    return problems


def check_image_pins(tree: LiveTree) -> list[str]:
    """The processor's image is <repository_url>@<digest from the env's pin file>.

    The pin file is optional (it appears with the first `make push`), but when
    present it holds one digest; and the repository URL (the mock on a first
    plan) joined with a digest passes the module's image_uri validation.
    """
    problems = []
    pins: dict[str, str] = {}
    for env in tree.envs:
        pin = tree.live_dir / env / DIGEST_FILE
        if not pin.exists():
            continue
        if DIGEST_PIN.fullmatch(pin.read_text()):
            pins[env] = pin.read_text().strip()
        else:
            problems.append(f"{env}/{DIGEST_FILE} must hold exactly 'sha256:<64 lowercase hex>'")
    for unit, module in _units_with_module(tree):
        setting = unit.inputs().get("image_uri")
        if setting is None:
            continue
        raw = str(setting.raw)
        url = re.search(r"\$\{(dependency\.\w+\.outputs\.repository_url)\}@", raw)
        if not url:
            problems.append(
                f"{unit}: image_uri must be <repository_url output>@<digest>, is {raw!r}"
            )
            continue
        if DIGEST_FILE not in "".join(str(v) for v in setting.scope.local_names.values()):
            problems.append(f"{unit}: the image digest must come from the {DIGEST_FILE} pin file")
        try:
            repository_url = setting.scope.expression(url.group(1))
        except UnresolvedError as exc:
            problems.append(f"{unit}: image_uri: {exc}")
            continue
        image = f"{repository_url}@{pins.get(unit.env, 'sha256:' + '0' * 64)}"
        problems += [
            f"{unit}: image_uri {image!r} would fail the validation {condition!r}"
            for condition in getattr(module.variables.get("image_uri"), "conditions", [])
            if evaluate_condition(condition, "image_uri", image) is False
        ]
    return problems


ALL_CHECKS = (
    check_units_load,
    check_sources,
    check_inputs_declared,
    check_required_inputs,
    check_no_null_inputs,
    check_dependency_blocks,
    check_dependency_references,
    check_env_parity,
    check_root,
    check_literal_validations,
    check_protected_units,
    check_prod_differences,
    check_image_pins,
)


def check_all(tree: LiveTree) -> list[str]:
    return [problem for check in ALL_CHECKS for problem in check(tree)]


def _resolved_or(setting: Setting, default: Any = "<unresolved>") -> Any:
    try:
        return setting.resolved()
    except UnresolvedError:
        return default


# ---------------------------------------------------------------------------
# Evaluating the simple validation conditions of a variable on a literal.
# ---------------------------------------------------------------------------

_NUMBER = r"-?\d+(?:\.\d+)?"


def evaluate_condition(condition: str, name: str, value: Any) -> bool | None:
    """True/False for a conjunction of simple tests of ``var.<name>``; None otherwise.

    Understood: comparisons of ``var.x`` or ``length(var.x)`` with a number,
    ``floor(var.x) == var.x``, ``contains([...], var.x)`` and
    ``can(regex("...", var.x))``. Anything else (other variables, ``||``,
    loops) makes the whole condition "not evaluated" (None).
    """
    expr = condition.strip()
    if expr.startswith("${") and expr.endswith("}"):
        expr = expr[2:-1]
    try:
        results = [
            _evaluate_test(part.strip(), name, value) for part in split_top_level(expr, "&&")
        ]
    except UnresolvedError:
        return None
    if None in results:
        return None
    return all(results)


_COMPARISONS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _evaluate_test(test: str, name: str, value: Any) -> bool | None:
    var = re.escape(f"var.{name}")
    for evaluate in (_compare_test, _floor_test, _contains_test, _regex_test):
        result = evaluate(test, var, value)
        if result is not _NOT_THIS_FORM:
            return result  # type: ignore[return-value]
    return None


_NOT_THIS_FORM = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare_test(test: str, var: str, value: Any) -> object:
    match = re.fullmatch(rf"(length\({var}\)|{var})\s*(>=|<=|==|!=|>|<)\s*({_NUMBER})", test)
    if not match:
        return _NOT_THIS_FORM
    subject = (
        len(value) if match.group(1).startswith("length") and isinstance(value, str) else value
    )
    if not _is_number(subject):
        return None
    return bool(_COMPARISONS[match.group(2)](subject, json.loads(match.group(3))))


def _floor_test(test: str, var: str, value: Any) -> object:
    if not re.fullmatch(rf"floor\({var}\)\s*==\s*{var}", test):
        return _NOT_THIS_FORM
    return value == int(value) if _is_number(value) else None


def _contains_test(test: str, var: str, value: Any) -> object:
    match = re.fullmatch(rf"contains\((\[.*\]),\s*{var}\)", test, re.DOTALL)
    if not match:
        return _NOT_THIS_FORM
    # python-hcl2 prints a list of literals as JSON does.
    try:
        return value in json.loads(match.group(1))
    except ValueError:
        return None


def _regex_test(test: str, var: str, value: Any) -> object:
    match = re.fullmatch(rf'can\(regex\(("(?:[^"\\]|\\.)*"),\s*{var}\)\)', test)
    if not match:
        return _NOT_THIS_FORM
    if not isinstance(value, str):
        return None
    try:
        return re.search(json.loads(match.group(1)), value) is not None
    except re.error:
        return None
