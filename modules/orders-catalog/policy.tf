locals {
  data_read_prefixes = concat(
    [var.curated_prefix],
    [for report in keys(local.report_columns) : "${var.reports_prefix}${report}/"],
  )

  # Built with jsonencode from known values (not the aws_iam_policy_document data
  # source), so terraform test can assert the exact document and it is known at plan.
  reader_policy_statements = concat(
    [
      {
        Sid    = "UseWorkgroup"
        Effect = "Allow"
        Action = [
          "athena:GetNamedQuery",
          "athena:GetQueryExecution",
          "athena:GetQueryResults",
          "athena:GetWorkGroup",
          "athena:ListNamedQueries",
          "athena:StartQueryExecution",
          "athena:StopQueryExecution",
        ]
        Resource = [local.workgroup_arn]
      },
      {
        Sid    = "ReadCatalog"
        Effect = "Allow"
        Action = [
          "glue:GetDatabase",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:GetTable",
          "glue:GetTables",
        ]
        Resource = [local.glue_catalog_arn, local.glue_database_arn, local.glue_tables_arn]
      },
      {
        Sid      = "ReadLakeObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = [for prefix in local.data_read_prefixes : "${var.output_bucket_arn}/${prefix}*"]
      },
      {
        Sid      = "ListLakePrefixes"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [var.output_bucket_arn]
        Condition = {
          StringLike = { "s3:prefix" = [for prefix in local.data_read_prefixes : "${prefix}*"] }
        }
      },
      {
        Sid    = "WriteQueryResults"
        Effect = "Allow"
        # Athena writes results as the caller; readers fetch them back (GetObject)
        # and a cancelled query leaves multipart uploads to abort.
        Action   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
        Resource = ["${local.results_bucket_arn}/${var.results_prefix}*"]
      },
      {
        Sid      = "ListQueryResults"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [local.results_bucket_arn]
        Condition = {
          StringLike = { "s3:prefix" = ["${var.results_prefix}*"] }
        }
      },
      {
        Sid      = "LocateBuckets"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = distinct([var.output_bucket_arn, local.results_bucket_arn])
      },
    ],
    var.results_kms_key_arn == null ? [] : [
      {
        Sid      = "EncryptQueryResultsThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [var.results_kms_key_arn]
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${local.region}.amazonaws.com" }
        }
      },
    ],
    length(var.data_kms_key_arns) == 0 ? [] : [
      {
        Sid      = "DecryptLakeObjectsThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = var.data_kms_key_arns
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${local.region}.amazonaws.com" }
        }
      },
    ],
  )

  reader_policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = local.reader_policy_statements
  })
}
