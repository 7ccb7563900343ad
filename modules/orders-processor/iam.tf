locals {
  # Every statement is built from known inputs with jsonencode (not the
  # aws_iam_policy_document data source) so `terraform test` can assert the
  # exact actions and resources with a mock provider.
  role_policy_statements = concat(
    [
      {
        Sid    = "ReadInputObjects"
        Effect = "Allow"
        # GetObjectVersion: the handler may read the exact version named by the event.
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["${var.input_bucket_arn}/${var.input_prefix}*"]
      },
      {
        Sid    = "WriteReports"
        Effect = "Allow"
        # Large outputs are uploaded multipart; AbortMultipartUpload lets a
        # failed run discard its parts instead of leaving them billed.
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["${var.output_bucket_arn}/${var.output_prefix}*"]
      },
      {
        Sid      = "WriteCuratedRows"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["${var.output_bucket_arn}/${var.curated_prefix}*"]
      },
      {
        Sid    = "ReplaceOwnManifests"
        Effect = "Allow"
        # A rerun deletes the previous manifest (or refusal record) of its input
        # before it completes any new object, so a rerun that fails half way
        # never leaves a manifest describing other files. Nothing else may be
        # deleted.
        Action = ["s3:DeleteObject"]
        Resource = [
          "${var.output_bucket_arn}/${var.output_prefix}_manifests/*",
          "${var.output_bucket_arn}/${var.output_prefix}_refused/*",
        ]
      },
      {
        Sid    = "FindOwnManifests"
        Effect = "Allow"
        # The rerun lists the exact key before deleting it: deleting a key that
        # does not exist would still leave a delete marker on the versioned bucket.
        Action   = ["s3:ListBucket"]
        Resource = [var.output_bucket_arn]
        Condition = {
          StringLike = {
            "s3:prefix" = ["${var.output_prefix}_manifests/*", "${var.output_prefix}_refused/*"]
          }
        }
      },
      {
        Sid    = "ConsumeOwnQueue"
        Effect = "Allow"
        Action = [
          "sqs:ChangeMessageVisibility",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
          "sqs:ReceiveMessage",
        ]
        Resource = [aws_sqs_queue.this.arn]
      },
      {
        Sid    = "WriteOwnLogs"
        Effect = "Allow"
        # No logs:CreateLogGroup: Terraform owns the log group (and its retention).
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
      },
    ],
    length(var.kms_key_arns) == 0 ? [] : [
      {
        Sid      = "UseBucketKeysThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.kms_key_arns
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${local.region}.amazonaws.com" }
        }
      },
    ],
    var.queue_kms_key_arn == null ? [] : [
      {
        Sid      = "DecryptQueueMessagesThroughSqs"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.queue_kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "sqs.${local.region}.amazonaws.com" }
        }
      },
    ],
    # The only "*" in the policy: X-Ray's PutTraceSegments and
    # PutTelemetryRecords support no resource-level permissions at all.
    var.tracing_enabled ? [
      {
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = ["*"]
      },
    ] : [],
  )
}

resource "aws_iam_role" "this" {
  name        = "${var.name}-role"
  description = "Execution role of the ${var.name} Lambda function"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LambdaOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "${var.name}-least-privilege"
  role = aws_iam_role.this.id

  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.role_policy_statements
  })
}

# Terraform removes any managed policy (e.g. AWSLambdaBasicExecutionRole added
# by hand in the console) or extra inline policy attached outside this module,
# so the policy above is provably the role's only permission.
resource "aws_iam_role_policy_attachments_exclusive" "this" {
  role_name   = aws_iam_role.this.name
  policy_arns = []
}

resource "aws_iam_role_policies_exclusive" "this" {
  role_name    = aws_iam_role.this.name
  policy_names = [aws_iam_role_policy.this.name]
}
