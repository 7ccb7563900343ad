"""modules/orders-processor: offline init + validate + its terraform tests, docs and wiring.

The security properties (exact IAM actions/resources, queue policy conditions,
visibility timeout, digest-pinned arm64 image, ...) are asserted by the
module's own ``tests/*.tftest.hcl`` against a mock provider; this file runs
them and checks what ``terraform test`` cannot see: that every run actually
ran, that every validation has a failing case, and the explicit ordering
dependencies that only matter on real AWS.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tfhelpers import assert_module_documented, read_hcl_blocks, run_terraform_module_checks

from support import MODULES_DIR

MODULE = MODULES_DIR / "orders-processor"
TEST_FILES = sorted((MODULE / "tests").glob("*.tftest.hcl"))

# The interface the live layer builds against, checked by tests/live too. The module
# may add optional variables, never rename or drop these.
AGREED_VARIABLES = {
    "name",
    "image_uri",
    "input_bucket_arn",
    "output_bucket_arn",
    "output_prefix",
    "curated_prefix",
    "input_prefix",
    "log_level",
    "memory_size",
    "timeout",
    "reserved_concurrent_executions",
    "maximum_concurrency",
    "log_retention_days",
    "max_receive_count",
    "batch_size",
    "maximum_batching_window_in_seconds",
    "event_source_mapping_enabled",
    "alarm_topic_arn",
    "kms_key_arns",
    "tags",
}
# Buckets are given by ARN only: the module derives the names, so the two can
# never disagree.
REQUIRED_VARIABLES = {"name", "image_uri", "input_bucket_arn", "output_bucket_arn"}
AGREED_OUTPUTS = {
    "function_name",
    "function_arn",
    "role_arn",
    "role_name",
    "queue_url",
    "queue_arn",
    "dlq_url",
    "dlq_arn",
    "log_group_name",
    "alarm_arns",
    "output_prefix",
    "curated_prefix",
}


def _test_source() -> str:
    return "\n".join(path.read_text() for path in TEST_FILES)


@pytest.mark.terraform
def test_module_validates_and_every_terraform_test_run_passes(
    terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    output = run_terraform_module_checks(MODULE, terraform_bin, terraform_env, tmp_path)
    runs = len(re.findall(r'^run "[^"]+"', _test_source(), flags=re.MULTILINE))
    summary = re.search(r"Success! (\d+) passed, 0 failed", output)
    assert summary is not None, output
    # A run that terraform skipped is not counted as passed: every one must pass.
    assert int(summary.group(1)) == runs, output


def test_interface_matches_the_agreed_contract() -> None:
    variables = read_hcl_blocks(MODULE, "variable")
    assert set(variables) >= AGREED_VARIABLES, AGREED_VARIABLES - set(variables)
    required = {name for name, body in variables.items() if "default" not in body}
    assert required == REQUIRED_VARIABLES
    assert set(read_hcl_blocks(MODULE, "output")) >= AGREED_OUTPUTS


def test_every_variable_and_output_is_typed_described_and_in_the_readme() -> None:
    assert_module_documented(MODULE)


def test_every_validated_variable_has_a_failing_test_case() -> None:
    validated = {
        name for name, body in read_hcl_blocks(MODULE, "variable").items() if body.get("validation")
    }
    assert validated, "no variable has a validation block"
    expected = set()
    for block in re.findall(r"expect_failures\s*=\s*\[([^\]]*)\]", _test_source()):
        expected |= set(re.findall(r"var\.([A-Za-z0-9_]+)", block))
    assert validated <= expected, f"validations without expect_failures: {validated - expected}"


def _depends_on(resource_type: str, name: str) -> str:
    resources = read_hcl_blocks(MODULE, "resource")
    body = resources[resource_type][name]
    return str(body.get("depends_on", ""))  # type: ignore[union-attr]


def test_notification_waits_for_the_queue_policy() -> None:
    # S3 validates the destination when the notification is created; with the
    # queue policy still missing, real S3 refuses it. Mocks cannot see ordering.
    assert "aws_sqs_queue_policy.this" in _depends_on("aws_s3_bucket_notification", "input")


def test_function_waits_for_its_log_group_and_role_policy() -> None:
    depends_on = _depends_on("aws_lambda_function", "this")
    assert "aws_cloudwatch_log_group.this" in depends_on
    assert "aws_iam_role_policy.this" in depends_on
    assert "aws_iam_role_policy.this" in _depends_on("aws_lambda_event_source_mapping", "this")


def test_role_gets_no_managed_policy_or_other_inline_policy() -> None:
    resources = read_hcl_blocks(MODULE, "resource")
    assert "aws_iam_role_policy_attachment" not in resources
    assert "aws_iam_policy" not in resources
    assert list(resources["aws_iam_role_policy"]) == ["this"]
    source = "\n".join(p.read_text() for p in MODULE.glob("*.tf"))
    # No AWS-managed policy ARN (AWSLambdaBasicExecutionRole or any other).
    assert not re.search(r"arn:[^\"]*:iam::aws:policy/", source)
    # The redrive policy must stay inline: moto (and the e2e test) wipes a queue
    # policy whenever another SetQueueAttributes call follows it.
    assert "aws_sqs_queue_redrive_policy" not in resources


def test_checkov_skips_give_a_reason() -> None:
    skips = re.findall(
        r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?",
        "\n".join(p.read_text() for p in MODULE.glob("*.tf")),
    )
    assert skips, "expected the documented inline skips"
    unexplained = [check for check, reason in skips if len((reason or "").strip()) < 40]
    assert not unexplained, f"checkov skips without a real reason: {unexplained}"
