locals {
  # Only this module's queue may dead-letter into the DLQ.
  dlq_redrive_allow_policy = var.restrict_dlq_sources ? jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.queue_arn]
  }) : null
}

resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = 1209600 # the maximum: time to investigate and redrive

  sqs_managed_sse_enabled = var.queue_kms_key_arn == null ? true : null
  kms_master_key_id       = var.queue_kms_key_arn

  redrive_allow_policy = local.dlq_redrive_allow_policy

  tags = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = local.queue_name
  visibility_timeout_seconds = local.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds

  sqs_managed_sse_enabled = var.queue_kms_key_arn == null ? true : null
  kms_master_key_id       = var.queue_kms_key_arn

  # Inline rather than aws_sqs_queue_redrive_policy: one CreateQueue call, and
  # no later SetQueueAttributes that could race with the queue policy.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = var.tags
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "InputBucketNotificationsOnly"
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.this.arn
        # Both keys: SourceArn pins the bucket, SourceAccount pins its owner
        # (bucket names are global and can be re-created by another account).
        Condition = {
          ArnEquals    = { "aws:SourceArn" = var.input_bucket_arn }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })
}

# A bucket has exactly ONE notification configuration: this resource replaces
# whatever else is configured on the input bucket, so nothing else may manage it.
resource "aws_s3_bucket_notification" "input" {
  bucket = local.input_bucket_name

  queue {
    id            = "${var.name}-new-csv"
    queue_arn     = aws_sqs_queue.this.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.input_prefix == "" ? null : var.input_prefix
    filter_suffix = ".csv"
  }

  # S3 sends a test event on creation and refuses the configuration if the
  # queue policy does not yet admit it.
  depends_on = [aws_sqs_queue_policy.this]
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = aws_sqs_queue.this.arn
  function_name    = aws_lambda_function.this.arn
  enabled          = var.event_source_mapping_enabled

  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  # Only the failed messages of a batch are retried (the handler names them).
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  # Lambda checks on creation that the role may receive from the queue.
  depends_on = [aws_iam_role_policy.this]
}
