data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Written once here and used by the variable validations (and the bucket
  # names below), so a fix to a pattern reaches every variable it checks.
  bucket_arn_pattern  = "^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$"
  kms_key_arn_pattern = "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
  # A key prefix that scopes IAM permissions: non-empty, ends with "/", no
  # leading "/" and no IAM wildcard characters, so the scope means what it says.
  key_prefix_pattern = "^[^/*?][^*?]*/$"

  # The notification and the function's environment need names, the policies
  # need ARNs: taking only ARNs means the two can never name different buckets.
  input_bucket_name  = regex(local.bucket_arn_pattern, var.input_bucket_arn)[0]
  output_bucket_name = regex(local.bucket_arn_pattern, var.output_bucket_arn)[0]

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  queue_name = "${var.name}-queue"
  dlq_name   = "${var.name}-dlq"

  # Known before the queue exists, so the DLQ's redrive-allow policy can name
  # its only permitted source without a dependency cycle.
  queue_arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.queue_name}"

  # AWS guidance for SQS event sources: at least 6 x the function timeout (so
  # retries of a throttled batch do not make the message visible again while
  # it is still being processed) plus the batching window. Max 900*6+300 =
  # 5700 s, far below SQS's 43200 s limit.
  visibility_timeout_seconds = 6 * var.timeout + var.maximum_batching_window_in_seconds

  # Lambda's advanced logging controls use WARN where Python logging says WARNING.
  application_log_level = var.log_level == "WARNING" ? "WARN" : var.log_level

  alarm_actions = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is an environment decision (var.log_retention_days, set per environment); the logs hold counts and object keys, no row data, so a mandatory year would only add cost.
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest by default; a CMK is available through var.log_group_kms_key_arn when a key policy for the logs service exists.
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_group_kms_key_arn

  tags = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:No VPC: the function talks only to S3, SQS and CloudWatch public endpoints; a VPC would add NAT/endpoints and cold-start cost without narrowing any access (IAM does that).
  #checkov:skip=CKV_AWS_272:Code signing is not supported for container-image functions; integrity comes from the image pinned by sha256 digest in an immutable-tag ECR repository.
  #checkov:skip=CKV_AWS_116:Invoked only through the SQS event source mapping, never asynchronously; failed messages go to the source queue's redrive DLQ, so a function DLQ would never receive anything.
  #checkov:skip=CKV_AWS_173:The environment holds no secrets (bucket name, prefixes, log level); Lambda encrypts it at rest with an AWS-owned key, and a CMK would add a key policy to manage for nothing secret.
  #checkov:skip=CKV_AWS_115:Concurrency is an environment decision (var.reserved_concurrent_executions with var.maximum_concurrency, set per environment); reserving by default would take account concurrency from every dev function.
  function_name = var.name
  description   = "Builds the order analytics reports for each CSV dropped in s3://${local.input_bucket_name}/${var.input_prefix}"
  role          = aws_iam_role.this.arn

  package_type  = "Image"
  image_uri     = var.image_uri
  architectures = ["arm64"]

  memory_size = var.memory_size
  timeout     = var.timeout

  # Explicit, so the size is a reviewed choice rather than a provider default.
  ephemeral_storage {
    size = var.ephemeral_storage_size
  }

  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions

  environment {
    variables = {
      OUTPUT_BUCKET  = local.output_bucket_name
      OUTPUT_PREFIX  = var.output_prefix
      CURATED_PREFIX = var.curated_prefix
      LOG_LEVEL      = var.log_level
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
    # With JSON format Lambda filters by level itself (default INFO), so it
    # must agree with LOG_LEVEL or DEBUG would silently be dropped.
    application_log_level = local.application_log_level
    system_log_level      = "INFO"
  }

  tracing_config {
    mode = var.tracing_enabled ? "Active" : "PassThrough"
  }

  tags = var.tags

  # The log group must exist before the first invocation (or Lambda could not
  # write, having no logs:CreateLogGroup), and the role must already grant
  # the X-Ray, queue and log permissions that Lambda checks on creation.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}
