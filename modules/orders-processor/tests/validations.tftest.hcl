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


# Waves: each run sets several independent variables to one invalid value each
# and expects every one of them to fail (terraform reports each missing failure
# by name). Variables whose validations read another variable are tested in
# the separate runs further down, so no failure can mask another.

run "invalid_values_wave_1" {
  command = plan

  variables {
    name                               = "orders dev"                                                           # space
    image_uri                          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor:latest" # tag only: a tag can be moved
    output_prefix                      = ""                                                                     # empty: would allow writing anywhere
    log_level                          = "TRACE"
    memory_size                        = 127
    timeout                            = 0
    reserved_concurrent_executions     = 0  # 0 would silently disable the function
    log_retention_days                 = 31 # not a CloudWatch value
    log_group_kms_key_arn              = "alias/logs"
    kms_key_arns                       = ["arn:aws:kms:eu-west-1:111122223333:alias/orders"] # an alias cannot scope IAM
    queue_kms_key_arn                  = "alias/aws/sqs"
    message_retention_seconds          = 59
    max_receive_count                  = 0
    maximum_batching_window_in_seconds = 301
    alarm_topic_arn                    = "arn:aws:sqs:eu-west-1:111122223333:alarms" # not SNS
    oldest_message_age_alarm_seconds   = 59
  }

  expect_failures = [
    var.name,
    var.image_uri,
    var.output_prefix,
    var.log_level,
    var.memory_size,
    var.timeout,
    var.reserved_concurrent_executions,
    var.log_retention_days,
    var.log_group_kms_key_arn,
    var.kms_key_arns,
    var.queue_kms_key_arn,
    var.message_retention_seconds,
    var.max_receive_count,
    var.maximum_batching_window_in_seconds,
    var.alarm_topic_arn,
    var.oldest_message_age_alarm_seconds,
  ]
}

run "invalid_values_wave_2" {
  command = plan

  variables {
    name                               = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"                                                                                        # 49 characters: no room for the suffixes
    image_uri                          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" # tag and digest: ambiguous
    output_prefix                      = "reports"                                                                                                                                  # no trailing slash
    log_level                          = "info"                                                                                                                                     # lowercase
    memory_size                        = 10241
    timeout                            = 901
    reserved_concurrent_executions     = -1
    log_retention_days                 = 0 # never-expire is not offered
    message_retention_seconds          = 1209601
    maximum_batching_window_in_seconds = -1
  }

  expect_failures = [
    var.name,
    var.image_uri,
    var.output_prefix,
    var.log_level,
    var.memory_size,
    var.timeout,
    var.reserved_concurrent_executions,
    var.log_retention_days,
    var.message_retention_seconds,
    var.maximum_batching_window_in_seconds,
  ]
}

run "invalid_values_wave_3" {
  command = plan

  variables {
    name                = "-orders"                                                                                                                              # leading dash
    image_uri           = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" # short digest
    output_prefix       = "/reports/"                                                                                                                            # leading slash
    memory_size         = 1024.5                                                                                                                                 # fractional
    maximum_concurrency = 1
  }

  expect_failures = [
    var.name,
    var.image_uri,
    var.output_prefix,
    var.memory_size,
    var.maximum_concurrency,
  ]
}

run "invalid_values_wave_4" {
  command = plan

  variables {
    image_uri           = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF" # uppercase digest
    output_prefix       = "rep*/"                                                                                                                                 # IAM wildcard
    maximum_concurrency = 1001
  }

  expect_failures = [
    var.image_uri,
    var.output_prefix,
    var.maximum_concurrency,
  ]
}

run "invalid_values_wave_5" {
  command = plan

  variables {
    image_uri = "docker.io/library/python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" # not ECR: Lambda only runs ECR images
  }

  expect_failures = [
    var.image_uri,
  ]
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

run "maximum_concurrency_above_reserved" {
  # the extra pollers would only cause throttles
  command = plan

  variables {
    maximum_concurrency            = 50
    reserved_concurrent_executions = 20
  }

  expect_failures = [var.maximum_concurrency]
}
