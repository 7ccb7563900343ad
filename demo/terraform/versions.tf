terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The modules' own range (their README.md, Requirements).
      version = ">= 5.100, < 6.0"
    }
  }
}
