# Shared configuration of the catalog unit: the orders lake's Glue database and
# tables, the Athena workgroup and the report queries, over the output bucket.
# Included by live/<env>/catalog/terragrunt.hcl next to root.hcl.

locals {
  project = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//orders-catalog"
}

# Mocks only let validate and plan run before the bucket exists (a first
# `run --all plan`); apply always reads the real outputs.
dependency "output_bucket" {
  config_path = "${get_terragrunt_dir()}/../output-bucket"

  mock_outputs = {
    bucket_name = "${local.project}-${local.env.environment}-${local.env.account_id}-output"
    bucket_arn  = "arn:aws:s3:::${local.project}-${local.env.environment}-${local.env.account_id}-output"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  # Athena names need no quoting without hyphens.
  database_name  = "${replace(local.project, "-", "_")}_${local.env.environment}"
  workgroup_name = "${local.project}-${local.env.environment}"

  output_bucket_name = dependency.output_bucket.outputs.bucket_name
  output_bucket_arn  = dependency.output_bucket.outputs.bucket_arn

  # Where the processor writes: its output_prefix (_envcommon/processor.hcl) and the
  # function's default CURATED_PREFIX.
  reports_prefix = "reports/"
  curated_prefix = "curated/orders/"

  # The first day curated files were written; move it earlier only when older
  # files are backfilled (an unfiltered query lists every day of the range).
  projection_start_date = "2026-12-01"

  # Query history and saved queries go with the workgroup only where data may.
  force_destroy = local.env.force_destroy
}
