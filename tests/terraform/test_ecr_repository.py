"""modules/ecr-repository: offline init + validate + its terraform test files, and its docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tfhelpers import assert_module_documented, read_hcl_blocks, run_terraform_module_checks

from support import MODULES_DIR

MODULE = MODULES_DIR / "ecr-repository"

# The interface every live unit and the processor build against, checked by tests/live too.
EXPECTED_VARIABLES = {
    "repository_name",
    "image_retention_count",
    "untagged_image_expiry_days",
    "kms_key_arn",
    "force_delete",
    "pull_principal_arns",
    "tags",
}
EXPECTED_OUTPUTS = {"repository_name", "repository_arn", "repository_url"}


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
