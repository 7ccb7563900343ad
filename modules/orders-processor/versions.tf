terraform {
  # 1.9+ for validations that reference other variables; 1.10 is the team floor.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.72+ for aws_iam_role_policy_attachments_exclusive; < 7.0 until v7 is tested.
      version = ">= 5.80, < 7.0"
    }
  }
}
