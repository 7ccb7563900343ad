locals {
  # The repository ARN carries the partition, region and owning account
  # (arn:<partition>:ecr:<region>:<account>:repository/<name>); reading them
  # from it avoids three data sources whose attribute names differ between
  # provider 5.x and 6.x.
  repository_arn_parts = split(":", aws_ecr_repository.this.arn)
  partition            = local.repository_arn_parts[1]
  region               = local.repository_arn_parts[3]
  owner_account_id     = local.repository_arn_parts[4]

  pull_account_ids = distinct([for arn in var.pull_principal_arns : split(":", arn)[4]])

  # Functions of the owning account are included so that Lambda never has to
  # append its own statement to a policy Terraform manages (which would be
  # reverted on the next apply).
  lambda_source_arns = [
    for account in distinct(concat([local.owner_account_id], local.pull_account_ids)) :
    "arn:${local.partition}:lambda:${local.region}:${account}:function:*"
  ]
}

resource "aws_ecr_repository" "this" {
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = var.kms_key_arn == null ? "AES256" : "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images ${var.untagged_image_expiry_days} day(s) after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_image_expiry_days
        }
        action = { type = "expire" }
      },
      {
        # ECR requires the tagStatus "any" rule to have the lowest priority.
        rulePriority = 2
        description  = "Keep only the ${var.image_retention_count} most recent images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.image_retention_count
        }
        action = { type = "expire" }
      },
    ]
  })
}

resource "aws_ecr_repository_policy" "this" {
  count = length(var.pull_principal_arns) > 0 ? 1 : 0

  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CrossEnvironmentPull"
        Effect    = "Allow"
        Principal = { AWS = var.pull_principal_arns }
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ]
      },
      {
        # The Lambda service fetches the image for a function in another account
        # with its own principal; AWS documents this statement as required for
        # cross-account container images, restricted to the functions of the
        # named accounts (in this region) by aws:SourceArn.
        Sid       = "LambdaECRImageCrossAccountRetrievalPolicy"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action = [
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ]
        Condition = {
          StringLike = { "aws:SourceArn" = local.lambda_source_arns }
        }
      },
    ]
  })
}
