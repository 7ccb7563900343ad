terraform {
  # 1.9+ for validations that read other variables and locals; 1.10 for
  # the S3 backend's use_lockfile in the live layer that deploys the module.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The range the tests run against; README.md (Requirements) says why.
      version = ">= 5.100, < 6.0"
    }
  }
}
