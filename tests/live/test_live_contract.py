"""Contract of the Terragrunt live tree (live/) with the modules it deploys.

The checks themselves live in live_contract.py. Here they run on the real tree
(all must pass) and on broken copies of it (each must report the breakage), so
no check can pass by accident.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from live_contract import (
    ALL_CHECKS,
    LiveTree,
    Scope,
    UnresolvedError,
    check_all,
    check_dependency_blocks,
    check_dependency_references,
    check_env_parity,
    check_image_pins,
    check_inputs_declared,
    check_literal_validations,
    check_no_null_inputs,
    check_prod_differences,
    check_protected_units,
    check_required_inputs,
    check_root,
    check_sources,
    check_units_load,
    evaluate_condition,
    parse_hcl,
)

from support import LIVE_DIR, MODULES_DIR, REPO_ROOT

EXPECTED_UNITS = {
    "input-bucket": "s3-bucket",
    "output-bucket": "s3-bucket",
    "ecr-repository": "ecr-repository",
    "processor": "orders-processor",
}


@pytest.fixture(scope="module")
def tree() -> LiveTree:
    return LiveTree(REPO_ROOT)


# ---------------------------------------------------------------------------
# The real tree
# ---------------------------------------------------------------------------


def test_tree_has_dev_and_prod_with_one_unit_per_module_instance(tree: LiveTree) -> None:
    assert tree.envs == ["dev", "prod"]
    for env in tree.envs:
        units = {u.name: u.module_dir().name for u in tree.units if u.env == env}
        assert units == EXPECTED_UNITS, env


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_live_tree_honours(tree: LiveTree, check: Callable[[LiveTree], list[str]]) -> None:
    assert check(tree) == []


def test_literal_inputs_are_really_checked_against_validations(tree: LiveTree) -> None:
    # Guards check_literal_validations against passing because nothing resolves.
    evaluated: set[str] = set()
    for unit in tree.units:
        module = unit.module()
        for name, setting in unit.inputs().items():
            try:
                value = setting.resolved()
            except UnresolvedError:
                continue
            for condition in module.variables[name].conditions:
                if evaluate_condition(condition, name, value) is not None:
                    evaluated.add(f"{unit.name}.{name}")
    assert {
        "input-bucket.bucket_name",
        "input-bucket.noncurrent_version_expiration_days",
        "ecr-repository.repository_name",
        "ecr-repository.image_retention_count",
        "processor.name",
        "processor.input_bucket_arn",  # a mock output, as a first plan sees it
        "processor.log_level",
        "processor.log_retention_days",
        "processor.memory_size",
        "processor.max_receive_count",
    } <= evaluated


def test_inputs_resolve_to_the_environment_settings(tree: LiveTree) -> None:
    def inputs(env: str, unit: str) -> dict[str, object]:
        found = tree.unit(env, unit)
        assert found is not None
        resolved = {}
        for name, setting in found.inputs().items():
            try:
                resolved[name] = setting.resolved()
            except UnresolvedError:
                resolved[name] = "<unresolved>"
        return resolved

    dev_bucket, prod_bucket = inputs("dev", "input-bucket"), inputs("prod", "input-bucket")
    assert dev_bucket["bucket_name"] == "orders-pipeline-dev-111111111111-input"
    assert prod_bucket["bucket_name"] == "orders-pipeline-prod-222222222222-input"
    assert (dev_bucket["force_destroy"], prod_bucket["force_destroy"]) == (True, False)
    assert inputs("prod", "ecr-repository")["force_delete"] is False
    assert prod_bucket["tags"] == {"TerragruntUnit": "prod/input-bucket"}
    dev_processor = inputs("dev", "processor")
    assert dev_processor["name"] == "orders-pipeline-dev-processor"
    assert "alarm_topic_arn" not in dev_processor
    assert "reserved_concurrent_executions" not in dev_processor


def test_no_fake_digest_is_committed() -> None:
    # A pin file only ever comes from `make push`; the tree must not ship one
    # that points at an image nobody built.
    for pin in sorted(REPO_ROOT.glob("live/*/image-digest.txt")):
        content = pin.read_text().strip()
        assert not re.fullmatch(r"sha256:(0+|(.)\2{63})", content), pin


def test_tool_versions_are_pinned_consistently() -> None:
    terraform = (REPO_ROOT / ".terraform-version").read_text().strip()
    terragrunt = (REPO_ROOT / ".terragrunt-version").read_text().strip()
    mise = tomllib.loads((REPO_ROOT / "mise.toml").read_text())["tools"]
    assert (mise["terraform"], mise["terragrunt"]) == (terraform, terragrunt)
    assert re.fullmatch(r"\d+\.\d+\.\d+", terraform)
    assert re.fullmatch(r"\d+\.\d+\.\d+", terragrunt)
    root = parse_hcl((LIVE_DIR / "root.hcl").read_text()).attrs
    # "~> X.Y.Z" admits X.Y.(>=Z) only; "~> X.Y" admits X.(>=Y).
    constraint = re.fullmatch(r"~> (\d+)\.(\d+)\.(\d+)", root["terraform_version_constraint"])
    assert constraint, root["terraform_version_constraint"]
    assert terraform.split(".")[:2] == list(constraint.groups()[:2])
    assert int(terraform.split(".")[2]) >= int(constraint.group(3))
    major = re.fullmatch(r"~> (\d+)\.\d+", root["terragrunt_version_constraint"])
    assert major, root["terragrunt_version_constraint"]
    assert terragrunt.split(".")[0] == major.group(1)


# ---------------------------------------------------------------------------
# The helpers the checks rely on
# ---------------------------------------------------------------------------


def test_parser_unquotes_python_hcl2_output() -> None:
    body = parse_hcl(
        'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n'
        'dependency "x" {\n  config_path = "../x"\n'
        '  mock_outputs = { arn = "arn:aws:s3:::b" }\n'
        '  mock_outputs_allowed_terraform_commands = ["validate", "plan"]\n}\n'
        'locals {\n  n = 14\n  s = "a-${local.n}"\n}\n'
        "prevent_destroy = true\n"
        "inputs = {\n  a = dependency.x.outputs.arn\n  b = null\n}\n"
    )
    assert body.attrs == {
        "prevent_destroy": True,
        "inputs": {"a": "${dependency.x.outputs.arn}", "b": None},
    }
    assert body.labelled("include")["root"].body.attrs == {
        "path": '${find_in_parent_folders("root.hcl")}'
    }
    assert body.labelled("dependency")["x"].body.attrs == {
        "config_path": "../x",
        "mock_outputs": {"arn": "arn:aws:s3:::b"},
        "mock_outputs_allowed_terraform_commands": ["validate", "plan"],
    }
    locals_block = body.one("locals")
    assert locals_block is not None
    assert locals_block.body.attrs == {"n": 14, "s": "a-${local.n}"}


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("${contains([1, 3, 14, 30], var.v)}", 14, True),
        ("${contains([1, 3, 14, 30], var.v)}", 15, False),
        ('${contains(["DEBUG", "INFO"], var.v)}', "TRACE", False),
        ("${var.v >= 1 && var.v <= 10 && floor(var.v) == var.v}", 10, True),
        ("${var.v >= 1 && var.v <= 10 && floor(var.v) == var.v}", 2.5, False),
        ("${length(var.v) >= 3 && length(var.v) <= 5}", "ab", False),
        ('${can(regex("^[a-z0-9-]+$", var.v))}', "Bad_Name", False),
        ('${can(regex("^[0-9]{12}\\\\.dkr$", var.v))}', "111111111111.dkr", True),
        ("${var.v == null || var.v >= 1}", 0, None),  # "||" is not evaluated
        ("${var.v <= var.w}", 1, None),  # another variable: not evaluated
    ],
)
def test_evaluate_condition(condition: str, value: object, expected: bool | None) -> None:
    assert evaluate_condition(condition, "v", value) is expected


def test_scope_leaves_what_it_cannot_evaluate_unresolved(tree: LiveTree) -> None:
    unit = tree.unit("dev", "processor")
    assert unit is not None
    scope: Scope = unit.scope.includes["envcommon"]
    with pytest.raises(UnresolvedError):
        scope.local("image_digest")  # try(file(...)): left to Terragrunt


# ---------------------------------------------------------------------------
# Broken copies: every check reports what it guards
# ---------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> LiveTree:
    """A copy of live/ and of the modules' interfaces (all the checks read)."""
    shutil.copytree(LIVE_DIR, tmp_path / "live", ignore=shutil.ignore_patterns(".terragrunt-cache"))
    for module in MODULES_DIR.iterdir():
        if (module / "variables.tf").is_file():
            (tmp_path / "modules" / module.name).mkdir(parents=True)
            for name in ("variables.tf", "outputs.tf"):
                if (module / name).is_file():
                    shutil.copy2(module / name, tmp_path / "modules" / module.name / name)
    return LiveTree(tmp_path)


def edit(tree: LiveTree, relative: str, old: str, new: str) -> None:
    path = tree.live_dir / relative
    text = path.read_text()
    assert old in text, f"{relative} no longer contains {old!r}: update this test"
    path.write_text(text.replace(old, new, 1))


def test_the_unbroken_copy_passes(copy: LiveTree) -> None:
    assert check_all(copy) == []


def test_reports_an_include_that_points_nowhere(copy: LiveTree) -> None:
    edit(
        copy,
        "dev/output-bucket/terragrunt.hcl",
        '/_envcommon/output-bucket.hcl"',
        '/_envcommon/outputs.hcl"',
    )
    problems = check_units_load(copy)
    assert len(problems) == 1
    assert problems[0].startswith("dev/output-bucket: include 'envcommon' points to missing ")


def test_reports_an_input_the_module_does_not_declare(copy: LiveTree) -> None:
    edit(copy, "dev/processor/terragrunt.hcl", "\n}\n", "\n}\n\ninputs = {\n  memory_mb = 512\n}\n")
    assert check_inputs_declared(copy) == [
        "dev/processor: input 'memory_mb' is not a variable of orders-processor"
    ]


def test_reports_an_input_from_root_hcl_that_a_module_lacks(copy: LiveTree) -> None:
    edit(copy, "root.hcl", "inputs = {\n", 'inputs = {\n  owner = "data"\n')
    assert len(check_inputs_declared(copy)) == len(copy.units)


def test_reports_a_required_variable_without_input(copy: LiveTree) -> None:
    # output_prefix has a default: dropping it is fine; name has none.
    edit(copy, "_envcommon/processor.hcl", '  output_prefix      = "reports/"\n', "")
    edit(copy, "_envcommon/processor.hcl", '  name      = "${local', '  label     = "${local')
    assert [p for p in check_required_inputs(copy) if "label" not in p] == [
        "dev/processor: required variable 'name' of orders-processor has no input",
        "prod/processor: required variable 'name' of orders-processor has no input",
    ]


def test_reports_a_source_outside_modules(copy: LiveTree) -> None:
    edit(copy, "_envcommon/ecr-repository.hcl", "modules//ecr-repository", "modules//ecr")
    problems = check_sources(copy)
    assert len(problems) == 2
    assert all("is not a module" in p for p in problems)


def test_reports_a_dependency_output_that_does_not_exist(copy: LiveTree) -> None:
    edit(
        copy,
        "_envcommon/processor.hcl",
        "dependency.input_bucket.outputs.bucket_arn\n",
        "dependency.input_bucket.outputs.arn\n",
    )
    problems = check_dependency_references(copy)
    assert (
        "dev/processor (processor.hcl): dependency.input_bucket.outputs.arn: "
        "s3-bucket has no output 'arn'" in problems
    )


def test_reports_a_reference_without_a_mock(copy: LiveTree) -> None:
    edit(
        copy,
        "_envcommon/processor.hcl",
        '    bucket_name = "${local.project}-${local.env.environment}-${local.env.account_id}'
        '-output"\n',
        "",
    )
    problems = check_dependency_references(copy)
    assert (
        "dev/processor (processor.hcl): dependency.output_bucket.outputs.bucket_name "
        "has no mock in mock_outputs" in problems
    )


def test_reports_a_reference_to_an_undeclared_dependency(copy: LiveTree) -> None:
    edit(
        copy,
        "_envcommon/processor.hcl",
        "dependency.ecr_repository.outputs.repository_url}@",
        "dependency.ecr.outputs.repository_url}@",
    )
    assert any("no dependency block named 'ecr'" in p for p in check_dependency_references(copy))


def test_reports_mocks_allowed_beyond_validate_and_plan(copy: LiveTree) -> None:
    edit(copy, "_envcommon/processor.hcl", '["validate", "plan"]', '["validate", "plan", "apply"]')
    problems = check_dependency_blocks(copy)
    assert len(problems) == 2  # the first dependency block, in dev and in prod
    assert all("must be exactly ['validate', 'plan']" in p for p in problems)


def test_reports_a_mock_of_an_output_the_module_lacks(copy: LiveTree) -> None:
    edit(
        copy,
        "_envcommon/processor.hcl",
        "  mock_outputs = {\n",
        '  mock_outputs = {\n    bucket_id = "x"\n',
    )
    assert any(
        "mock output 'bucket_id' is not an output" in p for p in check_dependency_blocks(copy)
    )


def test_reports_environments_with_different_units(copy: LiveTree) -> None:
    shutil.rmtree(copy.live_dir / "prod" / "ecr-repository")
    assert check_env_parity(copy) == [
        "prod units ['input-bucket', 'output-bucket', 'processor'] differ from dev units "
        "['ecr-repository', 'input-bucket', 'output-bucket', 'processor']"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("use_lockfile = true", "use_lockfile = false", "use_lockfile must be true"),
        ("encrypt      = true", "encrypt      = false", "encrypt must be true"),
        ('backend = "s3"', 'backend = "local"', "backend is 'local', not 's3'"),
        ('      Repository  = "${local.repository}"\n', "", "default_tags lack 'Repository'"),
        ('ManagedBy   = "terragrunt"', 'ManagedBy   = "terraform"', "ManagedBy is 'terraform'"),
        ("  allowed_account_ids", "  # allowed_account_ids", "does not set allowed_account_ids"),
    ],
)
def test_reports_root_state_and_provider_defects(
    copy: LiveTree, old: str, new: str, expected: str
) -> None:
    edit(copy, "root.hcl", old, new)
    problems = check_root(copy)
    assert len(problems) == 1
    assert expected in problems[0]


def test_reports_prod_units_that_could_be_destroyed(copy: LiveTree) -> None:
    edit(
        copy,
        "prod/output-bucket/terragrunt.hcl",
        "prevent_destroy = true",
        "prevent_destroy = false",
    )
    edit(
        copy,
        "prod/env.hcl",
        "force_destroy                      = false",
        "force_destroy                      = true",
    )
    assert check_protected_units(copy) == [
        "prod/input-bucket: input force_destroy must resolve to false",
        "prod/output-bucket: prevent_destroy must be true",
        "prod/output-bucket: input force_destroy must resolve to false",
        "prod/ecr-repository: input force_delete must resolve to false",
    ]


def test_reports_prod_without_its_differences(copy: LiveTree) -> None:
    edit(copy, "prod/env.hcl", "log_retention_days = 90", "log_retention_days = 14")
    edit(copy, "prod/processor/terragrunt.hcl", "  alarm_topic_arn ", "  # alarm_topic_arn ")
    assert check_prod_differences(copy) == [
        "prod/processor: alarm_topic_arn must be an SNS topic ARN, is None",
        "log retention: prod (14 days) must exceed dev (14 days)",
    ]


def test_reports_a_literal_that_fails_a_module_validation(copy: LiveTree) -> None:
    edit(copy, "dev/env.hcl", "log_retention_days = 14", "log_retention_days = 45")
    problems = check_literal_validations(copy)
    assert len(problems) == 1
    assert problems[0].startswith("dev/processor: input log_retention_days = 45 fails")


def test_reports_a_null_input(copy: LiveTree) -> None:
    edit(
        copy,
        "prod/env.hcl",
        "reserved_concurrent_executions = 10",
        "reserved_concurrent_executions = null",
    )
    assert check_no_null_inputs(copy) == [
        "prod/processor: input 'reserved_concurrent_executions' is null; leave it out instead"
    ]


def test_checks_the_digest_pin_file(copy: LiveTree) -> None:
    pin = copy.live_dir / "dev" / "image-digest.txt"
    pin.write_text("sha256:" + "ab" * 32 + "\n")
    assert check_image_pins(copy) == []
    pin.write_text("latest\n")
    assert check_image_pins(copy) == [
        "dev/image-digest.txt must hold exactly 'sha256:<64 lowercase hex>'"
    ]


def test_reports_a_mock_repository_url_the_module_would_refuse(copy: LiveTree) -> None:
    edit(copy, "_envcommon/processor.hcl", "${local.env.account_id}.dkr.ecr", "mock.dkr.ecr")
    problems = check_image_pins(copy)
    assert len(problems) == 2
    assert all("would fail the validation" in p for p in problems)


def test_reports_a_tag_instead_of_a_digest(copy: LiveTree) -> None:
    edit(copy, "_envcommon/processor.hcl", "@${local.image_digest}", ":latest")
    problems = check_image_pins(copy)
    assert len(problems) == 2
    assert all("image_uri must be <repository_url output>@<digest>" in p for p in problems)
