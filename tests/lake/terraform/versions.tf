terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # What the modules it composes declare (modules/*/versions.tf).
      version = ">= 5.100, < 6.0"
    }
  }
}
