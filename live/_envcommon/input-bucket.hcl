# Shared configuration of the input bucket unit (order CSVs are dropped here).
# Included by live/<env>/input-bucket/terragrunt.hcl next to root.hcl.

locals {
  project = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//s3-bucket"
}

# Bucket names are global: the account id keeps them unique across accounts.
inputs = {
  bucket_name                        = "${local.project}-${local.env.environment}-${local.env.account_id}-input"
  force_destroy                      = local.env.force_destroy
  noncurrent_version_expiration_days = local.env.noncurrent_version_expiration_days
}
