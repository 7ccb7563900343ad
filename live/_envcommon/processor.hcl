# Shared configuration of the processor unit: the Lambda function, its queue,
# DLQ, role, log group, bucket notification and alarms.
# Included by live/<env>/processor/terragrunt.hcl next to root.hcl.

locals {
  project      = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env          = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
  bucket_names = read_terragrunt_config("${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/bucket-names.hcl").locals.names

  # The pin file live/<env>/image-digest.txt ("sha256:<64 hex>") is written by
  # `make push ENV=<env>` (and `make deploy`, which pushes before applying this
  # unit) and committed, so the digest each environment runs is reviewed in git.
  # Before the first push it does not exist: the digest is then empty and the
  # module's image_uri validation stops the plan with an explicit message.
  image_digest_file = "${dirname(find_in_parent_folders("env.hcl"))}/image-digest.txt"
  image_digest      = try(trimspace(file(local.image_digest_file)), "")
}

terraform {
  source = "${get_repo_root()}/modules//orders-processor"
}

# Mocks only let validate and plan run before the buckets and the repository
# exist (a first `run --all plan`); apply always reads the real outputs.
dependency "input_bucket" {
  config_path = "${get_terragrunt_dir()}/../input-bucket"

  mock_outputs = {
    bucket_arn = "arn:aws:s3:::${local.bucket_names.input}"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "output_bucket" {
  config_path = "${get_terragrunt_dir()}/../output-bucket"

  mock_outputs = {
    bucket_arn = "arn:aws:s3:::${local.bucket_names.output}"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

dependency "ecr_repository" {
  config_path = "${get_terragrunt_dir()}/../ecr-repository"

  mock_outputs = {
    repository_url = "${local.env.account_id}.dkr.ecr.${local.env.region}.amazonaws.com/${local.project}/${local.env.environment}"
  }
  mock_outputs_allowed_terraform_commands = ["validate", "plan"]
}

inputs = {
  name      = "${local.project}-${local.env.environment}-processor"
  image_uri = "${dependency.ecr_repository.outputs.repository_url}@${local.image_digest}"

  input_bucket_arn  = dependency.input_bucket.outputs.bucket_arn
  output_bucket_arn = dependency.output_bucket.outputs.bucket_arn
  output_prefix     = "reports/"

  log_level          = local.env.log_level
  memory_size        = local.env.memory_size
  timeout            = local.env.timeout
  log_retention_days = local.env.log_retention_days
  max_receive_count  = local.env.max_receive_count
}
