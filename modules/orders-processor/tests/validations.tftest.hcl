# Every validation rejects what it should (expect_failures) and the
# boundaries it should accept still plan. Plan-only with a mock provider.

mock_provider "aws" {
  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }
  override_data {
    target = data.aws_partition.current
    values = { partition = "aws" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }
}

variables {
  name               = "orders-dev"
  image_uri          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  input_bucket_name  = "orders-dev-input"
  input_bucket_arn   = "arn:aws:s3:::orders-dev-input"
  output_bucket_name = "orders-dev-output"
  output_bucket_arn  = "arn:aws:s3:::orders-dev-output"
}

run "boundaries_are_accepted" {
  command = plan

  variables {
    name                               = "oooooooooooooooooooooooooooooooooooooooooooooooo"
    image_uri                          = "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/orders_processor-x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    input_bucket_name                  = "a.b"
    input_bucket_arn                   = "arn:aws-cn:s3:::a.b"
    input_prefix                       = "orders-"
    memory_size                        = 10240
    timeout                            = 900
    reserved_concurrent_executions     = 1000
    maximum_concurrency                = 1000
    log_retention_days                 = 3653
    batch_size                         = 10000
    maximum_batching_window_in_seconds = 300
    max_receive_count                  = 1
    message_retention_seconds          = 1209600
    log_level                          = "DEBUG"
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 5700 && aws_sqs_queue.this.visibility_timeout_seconds <= 43200
    error_message = "The largest timeout and window must stay within SQS's 12 h visibility limit."
  }
}

run "name_with_space" {
  # Lambda names allow only letters, digits, '-' and '_'
  command = plan

  variables {
    name = "orders dev"
  }

  expect_failures = [var.name]
}

run "name_too_long" {
  # 49 characters leave no room for the suffixes
  command = plan

  variables {
    name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  }

  expect_failures = [var.name]
}

run "name_leading_dash" {
  command = plan

  variables {
    name = "-orders"
  }

  expect_failures = [var.name]
}

run "image_tag_only" {
  # a tag can be moved; only a digest pins the code
  command = plan

  variables {
    image_uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor:latest"
  }

  expect_failures = [var.image_uri]
}

run "image_tag_and_digest" {
  # ambiguous: the tag would be misleading next to the digest
  command = plan

  variables {
    image_uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }

  expect_failures = [var.image_uri]
}

run "image_short_digest" {
  command = plan

  variables {
    image_uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
  }

  expect_failures = [var.image_uri]
}

run "image_uppercase_digest" {
  command = plan

  variables {
    image_uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
  }

  expect_failures = [var.image_uri]
}

run "image_not_ecr" {
  # Lambda only runs images from ECR
  command = plan

  variables {
    image_uri = "docker.io/library/python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }

  expect_failures = [var.image_uri]
}

run "input_bucket_name_invalid" {
  command = plan

  variables {
    input_bucket_name = "Orders_Input"
    input_bucket_arn  = "arn:aws:s3:::Orders_Input"
  }

  expect_failures = [var.input_bucket_name]
}

run "input_bucket_arn_with_key" {
  # an object ARN would widen or break every scope built from it
  command = plan

  variables {
    input_bucket_arn = "arn:aws:s3:::orders-dev-input/*"
  }

  expect_failures = [var.input_bucket_arn]
}

run "input_bucket_arn_of_other_bucket" {
  command = plan

  variables {
    input_bucket_arn = "arn:aws:s3:::someone-elses-bucket"
  }

  expect_failures = [var.input_bucket_arn]
}

run "output_bucket_name_invalid" {
  command = plan

  variables {
    output_bucket_name = "ab"
    output_bucket_arn  = "arn:aws:s3:::ab"
  }

  expect_failures = [var.output_bucket_name]
}

run "output_bucket_arn_not_s3" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:sqs:eu-west-1:111122223333:orders-dev-output"
  }

  expect_failures = [var.output_bucket_arn]
}

run "output_bucket_arn_of_other_bucket" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:s3:::orders-dev-input"
  }

  expect_failures = [var.output_bucket_arn]
}

run "output_prefix_empty" {
  # an empty prefix would allow writing anywhere in the bucket
  command = plan

  variables {
    output_prefix = ""
  }

  expect_failures = [var.output_prefix]
}

run "output_prefix_without_slash" {
  command = plan

  variables {
    output_prefix = "reports"
  }

  expect_failures = [var.output_prefix]
}

run "output_prefix_leading_slash" {
  command = plan

  variables {
    output_prefix = "/reports/"
  }

  expect_failures = [var.output_prefix]
}

run "output_prefix_wildcard" {
  command = plan

  variables {
    output_prefix = "rep*/"
  }

  expect_failures = [var.output_prefix]
}

run "input_prefix_leading_slash" {
  command = plan

  variables {
    input_prefix = "/incoming/"
  }

  expect_failures = [var.input_prefix]
}

run "input_prefix_wildcard" {
  command = plan

  variables {
    input_prefix = "in?coming/"
  }

  expect_failures = [var.input_prefix]
}

run "same_bucket_whole_bucket_watched" {
  # reports are .csv: they would re-trigger the function
  command = plan

  variables {
    output_bucket_name = "orders-dev-input"
    output_bucket_arn  = "arn:aws:s3:::orders-dev-input"
  }

  expect_failures = [var.input_prefix]
}

run "same_bucket_output_under_input" {
  command = plan

  variables {
    output_bucket_name = "orders-dev-input"
    output_bucket_arn  = "arn:aws:s3:::orders-dev-input"
    input_prefix       = "data/"
    output_prefix      = "data/reports/"
  }

  expect_failures = [var.input_prefix]
}

run "log_level_unknown" {
  command = plan

  variables {
    log_level = "TRACE"
  }

  expect_failures = [var.log_level]
}

run "log_level_lowercase" {
  command = plan

  variables {
    log_level = "info"
  }

  expect_failures = [var.log_level]
}

run "memory_too_small" {
  command = plan

  variables {
    memory_size = 127
  }

  expect_failures = [var.memory_size]
}

run "memory_too_large" {
  command = plan

  variables {
    memory_size = 10241
  }

  expect_failures = [var.memory_size]
}

run "memory_fractional" {
  command = plan

  variables {
    memory_size = 1024.5
  }

  expect_failures = [var.memory_size]
}

run "timeout_zero" {
  command = plan

  variables {
    timeout = 0
  }

  expect_failures = [var.timeout]
}

run "timeout_too_long" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "reserved_concurrency_zero" {
  # 0 would silently disable the function
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "reserved_concurrency_negative" {
  command = plan

  variables {
    reserved_concurrent_executions = -1
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "log_retention_not_allowed" {
  # CloudWatch Logs accepts only fixed values
  command = plan

  variables {
    log_retention_days = 31
  }

  expect_failures = [var.log_retention_days]
}

run "log_retention_zero" {
  # 0 (never expire) is not offered: pick a value
  command = plan

  variables {
    log_retention_days = 0
  }

  expect_failures = [var.log_retention_days]
}

run "log_group_kms_alias" {
  command = plan

  variables {
    log_group_kms_key_arn = "alias/logs"
  }

  expect_failures = [var.log_group_kms_key_arn]
}

run "kms_key_alias" {
  # an alias cannot scope an IAM permission
  command = plan

  variables {
    kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:alias/orders"]
  }

  expect_failures = [var.kms_key_arns]
}

run "queue_kms_not_arn" {
  command = plan

  variables {
    queue_kms_key_arn = "alias/aws/sqs"
  }

  expect_failures = [var.queue_kms_key_arn]
}

run "message_retention_too_short" {
  command = plan

  variables {
    message_retention_seconds = 59
  }

  expect_failures = [var.message_retention_seconds]
}

run "message_retention_too_long" {
  command = plan

  variables {
    message_retention_seconds = 1209601
  }

  expect_failures = [var.message_retention_seconds]
}

run "max_receive_count_zero" {
  command = plan

  variables {
    max_receive_count = 0
  }

  expect_failures = [var.max_receive_count]
}

run "batch_size_zero" {
  command = plan

  variables {
    batch_size = 0
  }

  expect_failures = [var.batch_size]
}

run "batch_size_too_large" {
  command = plan

  variables {
    batch_size                         = 10001
    maximum_batching_window_in_seconds = 1
  }

  expect_failures = [var.batch_size]
}

run "batch_size_over_10_without_window" {
  # the SQS event source refuses it
  command = plan

  variables {
    batch_size = 11
  }

  expect_failures = [var.batch_size]
}

run "batching_window_too_long" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 301
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "batching_window_negative" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = -1
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "maximum_concurrency_too_small" {
  command = plan

  variables {
    maximum_concurrency = 1
  }

  expect_failures = [var.maximum_concurrency]
}

run "maximum_concurrency_too_large" {
  command = plan

  variables {
    maximum_concurrency = 1001
  }

  expect_failures = [var.maximum_concurrency]
}

run "maximum_concurrency_above_reserved" {
  # the extra pollers would only cause throttles
  command = plan

  variables {
    maximum_concurrency            = 50
    reserved_concurrent_executions = 20
  }

  expect_failures = [var.maximum_concurrency]
}

run "alarm_topic_not_sns" {
  command = plan

  variables {
    alarm_topic_arn = "arn:aws:sqs:eu-west-1:111122223333:alarms"
  }

  expect_failures = [var.alarm_topic_arn]
}

run "oldest_message_age_too_small" {
  command = plan

  variables {
    oldest_message_age_alarm_seconds = 59
  }

  expect_failures = [var.oldest_message_age_alarm_seconds]
}
