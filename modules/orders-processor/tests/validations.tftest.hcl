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
  name              = "orders-dev"
  image_uri         = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  input_bucket_arn  = "arn:aws:s3:::orders-dev-input"
  output_bucket_arn = "arn:aws:s3:::orders-dev-output"
}

run "boundaries_are_accepted" {
  command = plan

  variables {
    name                               = "oooooooooooooooooooooooooooooooooooooooooooooooo"
    image_uri                          = "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/orders_processor-x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    input_bucket_arn                   = "arn:aws-cn:s3:::a.b"
    input_prefix                       = "orders-"
    output_prefix                      = "r/"
    curated_prefix                     = "reports-curated/" # shares a leading string, not a folder, with output_prefix
    memory_size                        = 10240
    ephemeral_storage_size             = 10240
    timeout                            = 900
    reserved_concurrent_executions     = 1000
    maximum_concurrency                = 1000
    log_retention_days                 = 3653
    batch_size                         = 10000
    maximum_batching_window_in_seconds = 300
    max_receive_count                  = 1
    message_retention_seconds          = 1209600
    log_level                          = "DEBUG"
    kms_key_arns                       = ["arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef"]
    queue_kms_key_arn                  = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/01234567-89ab-cdef-0123-456789abcdef"
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 5700 && aws_sqs_queue.this.visibility_timeout_seconds <= 43200
    error_message = "The largest timeout and window must stay within SQS's 12 h visibility limit."
  }
  assert {
    condition     = aws_s3_bucket_notification.input.bucket == "a.b"
    error_message = "The input bucket's name must be derived from its ARN in any partition."
  }
}

run "smallest_concurrency_pair_is_accepted" {
  command = plan

  variables {
    reserved_concurrent_executions = 2
    maximum_concurrency            = 2
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 2 && aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 2
    error_message = "A reservation of 2 capped at 2 is the smallest valid pair."
  }
}


# Waves: each run sets several independent variables to one invalid value each
# and expects every one of them to fail (terraform reports each missing failure
# by name). A variable whose validations read another variable is not checked
# at all while that variable is invalid, so such variables (batch_size,
# curated_prefix, input_prefix, maximum_concurrency) get the separate runs
# further down, with every other input valid.

run "invalid_values_wave_1" {
  command = plan

  variables {
    name                               = "orders dev"                                                           # space
    image_uri                          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor:latest" # tag only: a tag can be moved
    output_prefix                      = ""                                                                     # empty: would allow writing anywhere
    log_level                          = "TRACE"
    memory_size                        = 127
    ephemeral_storage_size             = 511
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
    var.ephemeral_storage_size,
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
    ephemeral_storage_size             = 10241
    timeout                            = 901
    reserved_concurrent_executions     = -1
    log_retention_days                 = 0                                                                               # never-expire is not offered
    log_group_kms_key_arn              = "arn:aws:kms:eu-west-1:111122223333:key/orders-logs"                            # not a key id
    kms_key_arns                       = ["arn:aws:kms:eu-west-1:111122223333:key/1234ABCD-12ab-34cd-56ef-1234567890ab"] # key ids are lowercase
    queue_kms_key_arn                  = "arn:aws:kms:eu-west-1:1111:key/01234567-89ab-cdef-0123-456789abcdef"           # short account id
    message_retention_seconds          = 1209601
    maximum_batching_window_in_seconds = -1
  }

  expect_failures = [
    var.name,
    var.image_uri,
    var.output_prefix,
    var.log_level,
    var.memory_size,
    var.ephemeral_storage_size,
    var.timeout,
    var.reserved_concurrent_executions,
    var.log_retention_days,
    var.log_group_kms_key_arn,
    var.kms_key_arns,
    var.queue_kms_key_arn,
    var.message_retention_seconds,
    var.maximum_batching_window_in_seconds,
  ]
}

run "invalid_values_wave_3" {
  command = plan

  variables {
    name                   = "-orders"                                                                                                                              # leading dash
    image_uri              = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde" # short digest
    output_prefix          = "/reports/"                                                                                                                            # leading slash
    memory_size            = 1024.5                                                                                                                                 # fractional
    ephemeral_storage_size = 1024.5
    maximum_concurrency    = 1
  }

  expect_failures = [
    var.name,
    var.image_uri,
    var.output_prefix,
    var.memory_size,
    var.ephemeral_storage_size,
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

run "input_bucket_arn_invalid_bucket_name" {
  command = plan

  variables {
    input_bucket_arn = "arn:aws:s3:::Orders_Input"
  }

  expect_failures = [var.input_bucket_arn]
}

run "input_bucket_arn_with_key" {
  # an object ARN would widen or break every scope built from it
  command = plan

  variables {
    input_bucket_arn = "arn:aws:s3:::orders-dev-input/*"
  }

  expect_failures = [var.input_bucket_arn]
}

run "output_bucket_arn_invalid_bucket_name" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:s3:::ab"
  }

  expect_failures = [var.output_bucket_arn]
}

run "output_bucket_arn_not_s3" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:sqs:eu-west-1:111122223333:orders-dev-output"
  }

  expect_failures = [var.output_bucket_arn]
}

run "curated_prefix_empty" {
  # would let the function write anywhere in the output bucket
  command = plan

  variables {
    curated_prefix = ""
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_without_trailing_slash" {
  command = plan

  variables {
    curated_prefix = "curated"
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_leading_slash" {
  command = plan

  variables {
    curated_prefix = "/curated/"
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_wildcard" {
  command = plan

  variables {
    curated_prefix = "cur?/"
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_under_output_prefix" {
  # report tables would read the curated files
  command = plan

  variables {
    curated_prefix = "reports/curated/"
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_containing_output_prefix" {
  # the curated table would read the reports
  command = plan

  variables {
    curated_prefix = "data/"
    output_prefix  = "data/reports/"
  }

  expect_failures = [var.curated_prefix]
}

run "curated_prefix_equal_to_output_prefix" {
  command = plan

  variables {
    curated_prefix = "reports/"
  }

  expect_failures = [var.curated_prefix]
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
    output_bucket_arn = "arn:aws:s3:::orders-dev-input"
  }

  expect_failures = [var.input_prefix]
}

run "same_bucket_output_under_input" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:s3:::orders-dev-input"
    input_prefix      = "data/"
    output_prefix     = "data/reports/"
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

run "reserved_concurrency_of_one" {
  # leaves no room for the event source's minimum cap of 2
  command = plan

  variables {
    reserved_concurrent_executions = 1
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "reserved_concurrency_without_maximum_concurrency" {
  # the event source would scale past the reservation and be throttled
  command = plan

  variables {
    reserved_concurrent_executions = 10
  }

  expect_failures = [var.maximum_concurrency]
}
