# Shared configuration of the output bucket unit (the reports are written here).
# Included by live/<env>/output-bucket/terragrunt.hcl next to root.hcl.

locals {
  project = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//s3-bucket"
}

# A separate bucket from the input one: reports can never re-trigger the function.
inputs = {
  bucket_name                        = "${local.project}-${local.env.environment}-${local.env.account_id}-output"
  force_destroy                      = local.env.force_destroy
  noncurrent_version_expiration_days = local.env.noncurrent_version_expiration_days
}
