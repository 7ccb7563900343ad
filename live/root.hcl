# Root Terragrunt configuration. Every unit (live/<env>/<unit>/terragrunt.hcl)
# includes it. It is named root.hcl, not terragrunt.hcl, so that it is never
# mistaken for a unit (Terragrunt's current recommendation).

locals {
  project_vars = read_terragrunt_config(find_in_parent_folders("project.hcl"))
  env_vars     = read_terragrunt_config(find_in_parent_folders("env.hcl"))

  project     = local.project_vars.locals.project
  repository  = local.project_vars.locals.repository
  environment = local.env_vars.locals.environment
  account_id  = local.env_vars.locals.account_id
  region      = local.env_vars.locals.region
}

# The versions pinned in .terraform-version, .terragrunt-version and mise.toml.
# Another minor line of Terraform fails fast instead of rewriting the state
# with a version the rest of the team may not have.
terraform_binary              = "terraform"
terraform_version_constraint  = "~> 1.11.4"
terragrunt_version_constraint = "~> 1.0"

# One state bucket per account and region, one key per unit ("dev/processor/...").
# use_lockfile is Terraform's native S3 locking (>= 1.10): no DynamoDB table.
remote_state {
  backend = "s3"

  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }

  config = {
    bucket       = "${local.project}-tfstate-${local.account_id}-${local.region}"
    key          = "${path_relative_to_include()}/terraform.tfstate"
    region       = local.region
    encrypt      = true
    use_lockfile = true
  }
}

# allowed_account_ids makes a run with the wrong credentials (another
# environment's profile) fail before anything is read or changed.
generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
provider "aws" {
  region              = "${local.region}"
  allowed_account_ids = ["${local.account_id}"]

  default_tags {
    tags = {
      Project     = "${local.project}"
      Environment = "${local.environment}"
      ManagedBy   = "terragrunt"
      Repository  = "${local.repository}"
    }
  }
}
EOF
}

# The provider range the live layer deploys with. Each module declares the range
# it is tested with (its README, Requirements); pinning here too means a module
# widening its range changes nothing deployed until the live layer opts in, and
# the units' lock files record the exact build. This is an override file
# because a second required_providers block in one module is an error
# ("Duplicate required providers configuration"), whereas an override file
# replaces the module's aws entry.
generate "provider_version" {
  path      = "versions_override.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}
EOF
}

# Project, Environment, ManagedBy and Repository come from default_tags; the
# one tag added here names the unit (and so the state key) managing a resource.
inputs = {
  tags = {
    TerragruntUnit = path_relative_to_include()
  }
}
