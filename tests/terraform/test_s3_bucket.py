"""modules/s3-bucket: offline init + validate + its terraform test files, and its docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tfhelpers import assert_module_documented, read_hcl_blocks, run_terraform_module_checks

from support import MODULES_DIR

MODULE = MODULES_DIR / "s3-bucket"

# The interface every live unit and the processor build against, checked by tests/live too.
EXPECTED_VARIABLES = {
    "bucket_name",
    "force_destroy",
    "kms_key_arn",
    "enforce_tls",
    "noncurrent_version_expiration_days",
    "abort_incomplete_multipart_upload_days",
    "logging_target_bucket",
    "logging_target_prefix",
    "tags",
}
EXPECTED_OUTPUTS = {"bucket_name", "bucket_arn"}


@pytest.mark.terraform
def test_module_validates_and_its_terraform_tests_pass(
    terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    run_terraform_module_checks(MODULE, terraform_bin, terraform_env, tmp_path)


def test_interface_matches_the_agreed_contract() -> None:
    assert set(read_hcl_blocks(MODULE, "variable")) == EXPECTED_VARIABLES
    assert set(read_hcl_blocks(MODULE, "output")) >= EXPECTED_OUTPUTS


def test_every_variable_and_output_is_typed_described_and_in_the_readme() -> None:
    assert_module_documented(MODULE)


def test_bucket_policy_waits_for_the_public_access_block() -> None:
    # terraform test cannot observe ordering; a concurrent PutBucketPolicy and
    # PutPublicAccessBlock fail on real S3 with OperationAborted, so the
    # dependency is asserted on the configuration itself.
    resources = read_hcl_blocks(MODULE, "resource")
    policy = resources["aws_s3_bucket_policy"]
    assert "this" in policy, policy
    depends_on = policy["this"].get("depends_on")  # type: ignore[union-attr]
    assert depends_on, "aws_s3_bucket_policy.this has no depends_on"
    assert "aws_s3_bucket_public_access_block.this" in str(depends_on)
