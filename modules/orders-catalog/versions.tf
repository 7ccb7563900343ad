terraform {
  # 1.10: S3 backend `use_lockfile` in the live layer; mock_provider and
  # cross-variable validations in the module tests.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.80 is the oldest release tested; 6.x is admitted because nothing used
      # here changed in it. 7.x must be tested before it is allowed.
      version = ">= 5.80, < 7.0"
    }
  }
}
