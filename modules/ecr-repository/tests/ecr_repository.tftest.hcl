# Security properties of modules/ecr-repository, checked without AWS: the mock
# provider fakes every API call, so `apply` runs show the values Terraform
# would send. The repository ARN is pinned because the repository policy's
# Lambda conditions are built from it.

mock_provider "aws" {
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111111111111:repository/orders-processor"
      repository_url = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders-processor"
    }
  }
}

variables {
  repository_name = "orders-processor"
}

run "defaults_make_an_immutable_scanned_encrypted_repository" {
  command = apply

  assert {
    condition     = aws_ecr_repository.this.name == "orders-processor"
    error_message = "repository name not passed through"
  }

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "tags must be immutable"
  }

  assert {
    condition     = one(aws_ecr_repository.this.image_scanning_configuration).scan_on_push == true
    error_message = "images must be scanned on push"
  }

  assert {
    condition     = one(aws_ecr_repository.this.encryption_configuration).encryption_type == "AES256"
    error_message = "default encryption must be AES256"
  }

  assert {
    condition     = aws_ecr_repository.this.force_delete == false
    error_message = "force_delete must default to false"
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 0
    error_message = "no repository policy without pull principals"
  }

  assert {
    condition = (
      output.repository_name == "orders-processor" &&
      output.repository_arn == "arn:aws:ecr:eu-west-1:111111111111:repository/orders-processor" &&
      output.repository_url == "111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders-processor"
    )
    error_message = "outputs do not describe the repository"
  }
}

run "lifecycle_policy_expires_untagged_then_keeps_the_last_n" {
  command = apply

  variables {
    image_retention_count      = 25
    untagged_image_expiry_days = 3
  }

  assert {
    condition     = aws_ecr_lifecycle_policy.this.repository == aws_ecr_repository.this.name
    error_message = "lifecycle policy is not attached to the repository"
  }

  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0] == {
      rulePriority = 1
      description  = "Expire untagged images 3 day(s) after push"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 3
      }
      action = { type = "expire" }
    }
    error_message = "untagged-expiry rule differs: ${aws_ecr_lifecycle_policy.this.policy}"
  }

  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1] == {
      rulePriority = 2
      description  = "Keep only the 25 most recent images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 25
      }
      action = { type = "expire" }
    }
    error_message = "retention rule differs: ${aws_ecr_lifecycle_policy.this.policy}"
  }

  assert {
    condition     = length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) == 2
    error_message = "exactly two lifecycle rules expected"
  }
}

run "lifecycle_defaults" {
  command = plan

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection.countNumber == 1
    error_message = "untagged_image_expiry_days must default to 1"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection.countNumber == 10
    error_message = "image_retention_count must default to 10"
  }
}

run "kms_key_switches_to_kms_encryption" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = one(aws_ecr_repository.this.encryption_configuration).encryption_type == "KMS"
    error_message = "a KMS key must select KMS encryption"
  }

  assert {
    condition     = one(aws_ecr_repository.this.encryption_configuration).kms_key == "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "the given key must be used"
  }
}

run "cross_account_pull_policy" {
  command = apply

  variables {
    pull_principal_arns = [
      "arn:aws:iam::222222222222:root",
      "arn:aws:iam::333333333333:role/deployer",
    ]
    force_delete = true
    tags         = { Component = "orders-processor" }
  }

  assert {
    condition     = aws_ecr_repository.this.force_delete == true && aws_ecr_repository.this.tags == tomap({ Component = "orders-processor" })
    error_message = "force_delete/tags not passed through"
  }

  assert {
    condition     = length(aws_ecr_repository_policy.this) == 1 && aws_ecr_repository_policy.this[0].repository == "orders-processor"
    error_message = "pull principals must attach a repository policy"
  }

  assert {
    condition = jsondecode(aws_ecr_repository_policy.this[0].policy).Statement[0] == {
      Sid       = "CrossEnvironmentPull"
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer"] }
      Action    = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }
    error_message = "pull statement differs: ${aws_ecr_repository_policy.this[0].policy}"
  }

  assert {
    condition = jsondecode(aws_ecr_repository_policy.this[0].policy).Statement[1] == {
      Sid       = "LambdaECRImageCrossAccountRetrievalPolicy"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Condition = {
        StringLike = {
          "aws:SourceArn" = [
            "arn:aws:lambda:eu-west-1:111111111111:function:*",
            "arn:aws:lambda:eu-west-1:222222222222:function:*",
            "arn:aws:lambda:eu-west-1:333333333333:function:*",
          ]
        }
      }
    }
    error_message = "Lambda service statement differs: ${aws_ecr_repository_policy.this[0].policy}"
  }

  assert {
    condition     = length(jsondecode(aws_ecr_repository_policy.this[0].policy).Statement) == 2
    error_message = "the policy must hold exactly the two pull statements"
  }

  assert {
    # Nothing beyond pulling: no push, no delete, no policy changes, no wildcard.
    condition = alltrue(flatten([
      for statement in jsondecode(aws_ecr_repository_policy.this[0].policy).Statement : [
        for action in statement.Action : contains(["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], action)
      ]
    ]))
    error_message = "the repository policy grants more than pull"
  }
}

run "same_account_principals_are_not_repeated_in_lambda_condition" {
  command = apply

  variables {
    pull_principal_arns = [
      "arn:aws:iam::111111111111:role/prod-deployer",
      "arn:aws:iam::222222222222:role/a",
      "arn:aws:iam::222222222222:role/b",
    ]
  }

  assert {
    condition = jsondecode(aws_ecr_repository_policy.this[0].policy).Statement[1].Condition.StringLike["aws:SourceArn"] == [
      "arn:aws:lambda:eu-west-1:111111111111:function:*",
      "arn:aws:lambda:eu-west-1:222222222222:function:*",
    ]
    error_message = "each account must appear once in the Lambda condition"
  }
}

# ---------------------------------------------------------------------------
# Each validation rejects what it exists for.

run "rejects_repository_name_too_short" {
  command = plan
  variables {
    repository_name = "a"
  }
  expect_failures = [var.repository_name]
}

run "rejects_repository_name_with_uppercase" {
  command = plan
  variables {
    repository_name = "Orders-Processor"
  }
  expect_failures = [var.repository_name]
}

run "rejects_repository_name_with_double_separator" {
  command = plan
  variables {
    repository_name = "orders--processor"
  }
  expect_failures = [var.repository_name]
}

run "rejects_repository_name_with_trailing_slash" {
  command = plan
  variables {
    repository_name = "orders/"
  }
  expect_failures = [var.repository_name]
}

run "accepts_namespaced_repository_name" {
  command = plan
  variables {
    repository_name = "orders/processor_v2.x"
  }
  assert {
    condition     = aws_ecr_repository.this.name == "orders/processor_v2.x"
    error_message = "a namespaced name is valid in ECR"
  }
}

run "rejects_zero_image_retention_count" {
  command = plan
  variables {
    image_retention_count = 0
  }
  expect_failures = [var.image_retention_count]
}

run "rejects_fractional_image_retention_count" {
  command = plan
  variables {
    image_retention_count = 2.5
  }
  expect_failures = [var.image_retention_count]
}

run "rejects_zero_untagged_image_expiry_days" {
  command = plan
  variables {
    untagged_image_expiry_days = 0
  }
  expect_failures = [var.untagged_image_expiry_days]
}

run "rejects_fractional_untagged_image_expiry_days" {
  command = plan
  variables {
    untagged_image_expiry_days = 0.5
  }
  expect_failures = [var.untagged_image_expiry_days]
}

run "rejects_kms_alias_instead_of_key_arn" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111111111111:alias/ecr"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_wildcard_pull_principal" {
  command = plan
  variables {
    pull_principal_arns = ["*"]
  }
  expect_failures = [var.pull_principal_arns]
}

run "rejects_bare_account_id_pull_principal" {
  command = plan
  variables {
    pull_principal_arns = ["222222222222"]
  }
  expect_failures = [var.pull_principal_arns]
}

run "rejects_duplicate_pull_principal" {
  command = plan
  variables {
    pull_principal_arns = ["arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:root"]
  }
  expect_failures = [var.pull_principal_arns]
}

run "rejects_reserved_aws_tag_key" {
  command = plan
  variables {
    tags = { "aws:createdBy" = "x" }
  }
  expect_failures = [var.tags]
}
