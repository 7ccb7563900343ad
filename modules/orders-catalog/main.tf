data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  # Written once here and used by the variable validations (and the bucket
  # names below), so a fix to a pattern reaches every variable it checks.
  bucket_arn_pattern  = "^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$"
  kms_key_arn_pattern = "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
  # A key prefix that scopes IAM permissions: non-empty, ends with "/", no
  # leading "/" and no IAM wildcard characters, so the scope means what it says.
  key_prefix_pattern = "^[^/*?][^*?]*/$"

  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # The partition of the bucket ARN the caller passed (aws, aws-cn, aws-us-gov).
  partition = split(":", var.output_bucket_arn)[1]

  # The table locations and the workgroup need names, the policy needs ARNs:
  # taking only ARNs means the two can never name different buckets.
  output_bucket_name  = regex(local.bucket_arn_pattern, var.output_bucket_arn)[0]
  results_bucket_arn  = coalesce(var.results_bucket_arn, var.output_bucket_arn)
  results_bucket_name = regex(local.bucket_arn_pattern, local.results_bucket_arn)[0]

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

  curated_location = "s3://${local.output_bucket_name}/${var.curated_prefix}"
  report_locations = {
    for report in keys(local.report_columns) :
    report => "s3://${local.output_bucket_name}/${var.reports_prefix}${report}/"
  }
  results_location = "s3://${local.results_bucket_name}/${var.results_prefix}"

  # Known at plan time, so the reader policy is too.
  glue_catalog_arn  = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"
  glue_database_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:database/${var.database_name}"
  glue_tables_arn   = "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${var.database_name}/*"
  workgroup_arn     = "arn:${local.partition}:athena:${local.region}:${local.account_id}:workgroup/${var.workgroup_name}"
}
