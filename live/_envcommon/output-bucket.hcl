# Shared configuration of the output bucket unit (the function writes the reports
# and the curated dataset here).
# Included by live/<env>/output-bucket/terragrunt.hcl next to root.hcl.

locals {
  env          = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  bucket_names = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/bucket-names.hcl").locals.names
}

terraform {
  source = "${get_repo_root()}/modules//s3-bucket"
}

# A separate bucket from the input one: reports can never re-trigger the function.
inputs = {
  bucket_name                        = local.bucket_names.output
  force_destroy                      = local.env.force_destroy
  noncurrent_version_expiration_days = local.env.noncurrent_version_expiration_days
}
