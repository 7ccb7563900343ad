"""modules/orders-catalog: offline init + validate + its terraform test files, and its docs."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest
from tfhelpers import assert_module_documented, read_hcl_blocks, run_terraform_module_checks

from support import MODULES_DIR

MODULE = MODULES_DIR / "orders-catalog"

# The interface the live catalog units build against.
EXPECTED_VARIABLES = {
    "database_name",
    "workgroup_name",
    "output_bucket_arn",
    "curated_prefix",
    "reports_prefix",
    "projection_start_date",
    "results_bucket_arn",
    "results_prefix",
    "results_kms_key_arn",
    "data_kms_key_arns",
    "bytes_scanned_cutoff_per_query",
    "force_destroy",
    "tags",
}
EXPECTED_OUTPUTS = {
    "database_name",
    "orders_table_name",
    "report_table_names",
    "workgroup_name",
    "workgroup_arn",
    "named_query_ids",
    "results_location",
    "reader_policy_json",
}


@pytest.mark.terraform
def test_module_validates_and_its_terraform_tests_pass(
    terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    run_terraform_module_checks(MODULE, terraform_bin, terraform_env, tmp_path)


def test_interface_matches_the_agreed_contract() -> None:
    assert set(read_hcl_blocks(MODULE, "variable")) == EXPECTED_VARIABLES
    assert set(read_hcl_blocks(MODULE, "output")) == EXPECTED_OUTPUTS


def test_every_variable_and_output_is_typed_described_and_in_the_readme() -> None:
    assert_module_documented(MODULE)


def test_every_query_file_is_a_report_of_the_module_and_the_other_way_round() -> None:
    # The report tables and named queries iterate over local.report_columns; a query
    # file outside it would never be deployed, a report without one fails at plan.
    (locals_block,) = hcl2.loads((MODULE / "main.tf").read_text())["locals"]
    reports = set(locals_block["report_columns"])
    assert reports == {path.stem for path in (MODULE / "queries").glob("*.sql")}
    assert len(reports) == 3
