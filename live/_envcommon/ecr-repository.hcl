# Shared configuration of the ECR repository unit holding the processor image.
# Included by live/<env>/ecr-repository/terragrunt.hcl next to root.hcl.

locals {
  project = read_terragrunt_config(find_in_parent_folders("project.hcl")).locals.project
  env     = read_terragrunt_config(find_in_parent_folders("env.hcl")).locals
}

terraform {
  source = "${get_repo_root()}/modules//ecr-repository"
}

# One repository per environment; promotion copies the image by digest from
# dev's repository into prod's (`make promote`), so both run the same bytes.
inputs = {
  repository_name       = "${local.project}/${local.env.environment}"
  image_retention_count = local.env.image_retention_count
  force_delete          = local.env.force_destroy
}
