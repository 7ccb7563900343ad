resource "aws_athena_workgroup" "this" {
  name          = var.workgroup_name
  description   = "Queries over the orders lake (database ${var.database_name})."
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    # Clients cannot override the result location, its encryption or the cutoff.
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = local.results_location
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = var.results_kms_key_arn == null ? "SSE_S3" : "SSE_KMS"
        kms_key_arn       = var.results_kms_key_arn
      }
    }
  }

  tags = var.tags
}

# The three reports over every file received, saved in the workgroup and run in the
# database, so the SQL names the table orders unqualified.
resource "aws_athena_named_query" "report" {
  for_each = local.report_columns

  name        = each.key
  description = "The ${each.key} report over every file received (each object at its latest upload)."
  workgroup   = aws_athena_workgroup.this.name
  database    = aws_glue_catalog_database.this.name
  query       = file("${path.module}/queries/${each.key}.sql")
}
