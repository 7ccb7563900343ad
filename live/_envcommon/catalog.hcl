# Shared configuration of the catalog unit: the orders lake's Glue database and
# tables, the Athena workgroup and the report queries, over the output bucket.
# Included by live/<env>/catalog/terragrunt.hcl next to root.hcl.

locals {
  project      = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env          = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  bucket_names = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/bucket-names.hcl").locals.names
}

terraform {
  source = "${get_repo_root()}/modules//orders-catalog"
}

# Mocks only let validate and plan run before the bucket and the function exist
# (a first `run --all plan`); apply always reads the real outputs.
dependency "output_bucket" {
  config_path = "${get_terragrunt_dir()}/../output-bucket"

  mock_outputs = {
    bucket_arn = "arn:aws:s3:::${local.bucket_names.output}"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

# The tables read where the function writes: the processor's prefixes are set
# once, in _envcommon/processor.hcl (or the module's defaults), and read here.
# The mocks are placeholders, not copies of those values, so a plan made before
# the function exists shows that it is one.
dependency "processor" {
  config_path = "${get_terragrunt_dir()}/../processor"

  mock_outputs = {
    output_prefix  = "mock-reports/"
    curated_prefix = "mock-curated/"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  # Athena names need no quoting without hyphens.
  database_name  = "${replace(local.project, "-", "_")}_${local.env.environment}"
  workgroup_name = "${local.project}-${local.env.environment}"

  output_bucket_arn = dependency.output_bucket.outputs.bucket_arn
  reports_prefix    = dependency.processor.outputs.output_prefix
  curated_prefix    = dependency.processor.outputs.curated_prefix

  # The first day curated files were written; move it earlier only when older
  # files are backfilled (an unfiltered query lists every day of the range).
  projection_start_date = "2026-12-01"

  # Query history and saved queries go with the workgroup only where data may.
  force_destroy = local.env.force_destroy
}
