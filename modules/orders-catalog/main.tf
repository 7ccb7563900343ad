data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # The partition of the bucket ARN the caller passed (aws, aws-cn, aws-us-gov).
  partition = split(":", var.output_bucket_arn)[1]

  results_bucket_name = coalesce(var.results_bucket_name, var.output_bucket_name)
  results_bucket_arn  = "arn:${local.partition}:s3:::${local.results_bucket_name}"

  # The reports the function writes, one folder each under reports_prefix, and the
  # columns of each (all text: see glue.tf).
  report_columns = {
    most_profitable_region            = ["region", "profit"]
    most_common_ship_mode_by_category = ["category", "ship_mode", "order_count"]
    orders_by_category_subcategory    = ["category", "sub_category", "order_count"]
  }

  # Every table is partitioned by the day the file arrived, in folders named
  # ingest_date=YYYY-MM-DD. Projection computes the partitions from this range
  # instead of reading them from the catalog, so nothing has to add partitions
  # as files arrive.
  projection_parameters = {
    "projection.enabled"                   = "true"
    "projection.ingest_date.type"          = "date"
    "projection.ingest_date.format"        = "yyyy-MM-dd"
    "projection.ingest_date.range"         = "${var.projection_start_date},NOW"
    "projection.ingest_date.interval"      = "1"
    "projection.ingest_date.interval.unit" = "DAYS"
  }

  curated_location = "s3://${var.output_bucket_name}/${var.curated_prefix}"
  report_locations = {
    for report in keys(local.report_columns) :
    report => "s3://${var.output_bucket_name}/${var.reports_prefix}${report}/"
  }
  results_location = "s3://${local.results_bucket_name}/${var.results_prefix}"

  # Known at plan time, so the reader policy is too.
  glue_catalog_arn  = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${var.database_name}"
  glue_tables_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${var.database_name}/*"
  workgroup_arn     = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${var.workgroup_name}"
}
