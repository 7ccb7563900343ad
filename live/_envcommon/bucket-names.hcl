# The names of an environment's buckets, written once. Read (not included) by
# the bucket units' files, which create the buckets, and by the files of the
# units that depend on them, whose mock outputs must name the same buckets.
#
# read_terragrunt_config evaluates this file from its own folder, so the
# environment is found from the unit that reads it: live/<env>/<unit>/ has its
# env.hcl one folder up.
locals {
  project = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env     = read_terragrunt_config("${get_original_terragrunt_dir()}/../env.hcl").locals

  # Bucket names are global: the account id keeps them unique across accounts.
  name_prefix = "${local.project}-${local.env.environment}-${local.env.account_id}"
  names = {
    input  = "${local.name_prefix}-input"
    output = "${local.name_prefix}-output"
  }
}
