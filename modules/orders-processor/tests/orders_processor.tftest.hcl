# Behaviour and security properties of the module, asserted on a mock apply
# (no AWS). Computed ARNs are overridden with realistic values so the exact
# policy documents can be compared.

mock_provider "aws" {
  override_data {
    target = data.aws_caller_identity.current
    values = {
      account_id = "111122223333"
      arn        = "arn:aws:iam::111122223333:user/ci"
      user_id    = "AIDAEXAMPLE"
    }
  }
  override_data {
    target = data.aws_partition.current
    values = {
      partition  = "aws"
      dns_suffix = "amazonaws.com"
    }
  }
  override_data {
    target = data.aws_region.current
    values = {
      name = "eu-west-1"
    }
  }
}

override_resource {
  target = aws_sqs_queue.this
  values = {
    arn = "arn:aws:sqs:eu-west-1:111122223333:orders-dev-queue"
    id  = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-queue"
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-queue"
  }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:111122223333:orders-dev-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-dlq"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.this
  values = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/orders-dev"
  }
}

override_resource {
  target = aws_iam_role.this
  values = {
    arn = "arn:aws:iam::111122223333:role/orders-dev-role"
  }
}

override_resource {
  target = aws_lambda_function.this
  values = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:orders-dev"
  }
}

variables {
  name              = "orders-dev"
  image_uri         = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders-processor@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  input_bucket_arn  = "arn:aws:s3:::orders-dev-input"
  output_bucket_arn = "arn:aws:s3:::orders-dev-output"
}

run "defaults" {
  command = apply

  # --- function -------------------------------------------------------------
  assert {
    condition     = aws_lambda_function.this.package_type == "Image"
    error_message = "The function must be a container image function."
  }
  assert {
    condition     = aws_lambda_function.this.image_uri == var.image_uri && can(regex("@sha256:[0-9a-f]{64}$", aws_lambda_function.this.image_uri))
    error_message = "The function must run the digest-pinned image it was given."
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The function must run on arm64 only."
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 2048 && aws_lambda_function.this.timeout == 300
    error_message = "Default sizing must be 2048 MiB / 300 s."
  }
  assert {
    condition     = aws_lambda_function.this.ephemeral_storage[0].size == 512
    error_message = "/tmp must be set explicitly to Lambda's minimum, 512 MiB: the function streams its outputs to S3."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "null reserved concurrency must mean unreserved (-1), never 0 (disabled)."
  }
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      OUTPUT_BUCKET  = "orders-dev-output"
      OUTPUT_PREFIX  = "reports/"
      CURATED_PREFIX = "curated/orders/"
      LOG_LEVEL      = "INFO"
    })
    error_message = "The environment must be exactly OUTPUT_BUCKET (the name in output_bucket_arn), OUTPUT_PREFIX, CURATED_PREFIX and LOG_LEVEL."
  }
  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/orders-dev" &&
      aws_lambda_function.this.logging_config[0].application_log_level == "INFO"
    )
    error_message = "Logs must be JSON, go to the module's log group, at the LOG_LEVEL."
  }
  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "X-Ray tracing must be active by default."
  }
  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.this.arn
    error_message = "The function must run with the module's role."
  }
  assert {
    condition     = length(aws_lambda_function.this.dead_letter_config) == 0
    error_message = "No function DLQ: failures are dead-lettered by the source queue's redrive policy."
  }

  # --- log group ------------------------------------------------------------
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/orders-dev" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "Log group must be /aws/lambda/<name> with 30 days retention by default."
  }

  # --- IAM ------------------------------------------------------------------
  assert {
    condition = jsonencode(jsondecode(aws_iam_role_policy.this.policy).Statement) == jsonencode([
      {
        Sid      = "ReadInputObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["arn:aws:s3:::orders-dev-input/*"]
      },
      {
        Sid      = "WriteReports"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["arn:aws:s3:::orders-dev-output/reports/*"]
      },
      {
        Sid      = "WriteCuratedRows"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["arn:aws:s3:::orders-dev-output/curated/orders/*"]
      },
      {
        Sid    = "ReplaceOwnManifests"
        Effect = "Allow"
        Action = ["s3:DeleteObject"]
        Resource = [
          "arn:aws:s3:::orders-dev-output/reports/_manifests/*",
          "arn:aws:s3:::orders-dev-output/reports/_refused/*",
        ]
      },
      {
        Sid       = "FindOwnManifests"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["arn:aws:s3:::orders-dev-output"]
        Condition = { StringLike = { "s3:prefix" = ["reports/_manifests/*", "reports/_refused/*"] } }
      },
      {
        Sid      = "ConsumeOwnQueue"
        Effect   = "Allow"
        Action   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        Resource = ["arn:aws:sqs:eu-west-1:111122223333:orders-dev-queue"]
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/orders-dev:*"]
      },
      {
        Sid      = "WriteTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = ["*"]
      },
    ])
    error_message = "The role policy must grant exactly the documented actions on exactly the documented resources: ${aws_iam_role_policy.this.policy}"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Effect == "Allow" && alltrue([for a in s.Action : !strcontains(a, "*")])])
    error_message = "No wildcard may appear in any action."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement :
      s.Sid == "WriteTraces" || !contains(s.Resource, "*")
    ])
    error_message = "Only the X-Ray statement (not scopable by AWS) may use Resource \"*\"."
  }
  assert {
    condition     = strcontains("arn:aws:s3:::orders-dev-output/reports/_refused/x.json", trimsuffix(jsondecode(aws_iam_role_policy.this.policy).Statement[1].Resource[0], "*"))
    error_message = "The refusal records under <output_prefix>_refused/ must be inside the write scope."
  }
  assert {
    # Deleting is the riskiest write: only the manifests and refusal records of
    # the output bucket, never a report, a curated file or an input.
    condition = [
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid
      if contains(s.Action, "s3:DeleteObject") || contains(s.Action, "s3:DeleteObjectVersion")
    ] == ["ReplaceOwnManifests"]
    error_message = "Only the ReplaceOwnManifests statement may delete objects."
  }
  assert {
    condition = jsondecode(aws_iam_role.this.assume_role_policy).Statement == [{
      Sid       = "LambdaOfThisAccount"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } }
    }]
    error_message = "Only Lambda on behalf of this account may assume the role."
  }
  assert {
    condition     = length(aws_iam_role_policy_attachments_exclusive.this.policy_arns) == 0
    error_message = "No managed policy (e.g. AWSLambdaBasicExecutionRole) may be attached to the role."
  }
  assert {
    condition     = aws_iam_role_policies_exclusive.this.policy_names == toset([aws_iam_role_policy.this.name])
    error_message = "The module's inline policy must be the role's only inline policy."
  }

  # --- queues ---------------------------------------------------------------
  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds >= 6 * var.timeout && aws_sqs_queue.this.visibility_timeout_seconds == 1800
    error_message = "Visibility timeout must be 6 x the function timeout (+ batching window)."
  }
  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled == true && aws_sqs_queue.dlq.sqs_managed_sse_enabled == true
    error_message = "Both queues must be encrypted (SQS-managed SSE by default)."
  }
  assert {
    condition     = aws_sqs_queue.this.message_retention_seconds == 345600 && aws_sqs_queue.dlq.message_retention_seconds == 1209600
    error_message = "Retention must be 4 days on the queue and 14 days on the DLQ."
  }
  assert {
    condition = jsondecode(aws_sqs_queue.this.redrive_policy) == {
      deadLetterTargetArn = aws_sqs_queue.dlq.arn
      maxReceiveCount     = 5
    }
    error_message = "The queue must dead-letter to the module's DLQ after 5 receives."
  }
  assert {
    condition = jsondecode(aws_sqs_queue.dlq.redrive_allow_policy) == {
      redrivePermission = "byQueue"
      sourceQueueArns   = [aws_sqs_queue.this.arn]
    }
    error_message = "Only the module's queue may use the DLQ (and the computed ARN must match the real one)."
  }
  assert {
    condition = jsondecode(aws_sqs_queue_policy.this.policy).Statement == [{
      Sid       = "InputBucketNotificationsOnly"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:111122223333:orders-dev-queue"
      Condition = {
        ArnEquals    = { "aws:SourceArn" = "arn:aws:s3:::orders-dev-input" }
        StringEquals = { "aws:SourceAccount" = "111122223333" }
      }
    }]
    error_message = "The queue policy must admit only S3 SendMessage from the input bucket of this account."
  }
  assert {
    condition     = aws_sqs_queue_policy.this.queue_url == aws_sqs_queue.this.id
    error_message = "The queue policy must be on the main queue."
  }

  # --- notification ---------------------------------------------------------
  assert {
    condition = (
      aws_s3_bucket_notification.input.bucket == "orders-dev-input" &&
      length(aws_s3_bucket_notification.input.queue) == 1 &&
      aws_s3_bucket_notification.input.queue[0].queue_arn == aws_sqs_queue.this.arn &&
      aws_s3_bucket_notification.input.queue[0].events == toset(["s3:ObjectCreated:*"]) &&
      aws_s3_bucket_notification.input.queue[0].filter_suffix == ".csv" &&
      aws_s3_bucket_notification.input.queue[0].filter_prefix == null &&
      length(aws_s3_bucket_notification.input.lambda_function) == 0 &&
      length(aws_s3_bucket_notification.input.topic) == 0
    )
    error_message = "The input bucket must notify only the queue, for created .csv objects, with no prefix filter by default."
  }

  # --- event source mapping -------------------------------------------------
  assert {
    condition = (
      aws_lambda_event_source_mapping.this.event_source_arn == aws_sqs_queue.this.arn &&
      aws_lambda_event_source_mapping.this.function_name == aws_lambda_function.this.arn &&
      aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.this.enabled == true &&
      aws_lambda_event_source_mapping.this.batch_size == 10 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 0 &&
      length(aws_lambda_event_source_mapping.this.scaling_config) == 0
    )
    error_message = "The queue must feed the function in batches of 10 with partial batch responses, enabled."
  }

  # --- alarms ---------------------------------------------------------------
  assert {
    condition     = keys(output.alarm_arns) == ["dlq_depth", "errors", "oldest_message_age", "throttles"]
    error_message = "alarm_arns must name the four alarms."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["dlq_depth"].namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.this["dlq_depth"].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.this["dlq_depth"].dimensions == tomap({ QueueName = "orders-dev-dlq" }) &&
      aws_cloudwatch_metric_alarm.this["dlq_depth"].comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.this["dlq_depth"].threshold == 0
    )
    error_message = "The DLQ alarm must fire on any visible message in the DLQ."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["errors"].metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.this["throttles"].metric_name == "Throttles" &&
      aws_cloudwatch_metric_alarm.this["errors"].dimensions == tomap({ FunctionName = "orders-dev" }) &&
      aws_cloudwatch_metric_alarm.this["throttles"].dimensions == tomap({ FunctionName = "orders-dev" })
    )
    error_message = "Errors and throttles alarms must watch the function."
  }
  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.treat_missing_data == "notBreaching" && length(a.alarm_actions) == 0 && length(a.ok_actions) == 0
    ])
    error_message = "Without a topic the alarms have no actions, and missing data is not breaching."
  }

  # --- outputs --------------------------------------------------------------
  assert {
    condition = (
      output.queue_url == "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-queue" &&
      output.dlq_arn == "arn:aws:sqs:eu-west-1:111122223333:orders-dev-dlq" &&
      output.log_group_name == "/aws/lambda/orders-dev" &&
      output.role_name == "orders-dev-role" &&
      output.function_name == "orders-dev"
    )
    error_message = "Outputs must expose the created resources."
  }
}

run "production_like" {
  command = apply
  # A fresh state: these are the values a prod stack is created with, not an
  # update of the defaults (optional+computed arguments keep old values on null).
  state_key = "production_like"

  variables {
    input_prefix                       = "incoming/"
    output_prefix                      = "analytics/"
    log_level                          = "WARNING"
    timeout                            = 900
    memory_size                        = 4096
    curated_prefix                     = "lake/orders_v2/"
    ephemeral_storage_size             = 1024
    reserved_concurrent_executions     = 20
    maximum_concurrency                = 10
    batch_size                         = 50
    maximum_batching_window_in_seconds = 30
    max_receive_count                  = 3
    tracing_enabled                    = false
    event_source_mapping_enabled       = false
    alarm_topic_arn                    = "arn:aws:sns:eu-west-1:111122223333:orders-alarms"
    kms_key_arns = [
      "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555",
      "arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000",
    ]
    queue_kms_key_arn     = "arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    log_group_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"
    log_retention_days    = 365
    restrict_dlq_sources  = false
  }

  assert {
    # The mock provider invents a value for an unset computed argument, so
    # the argument's expression is checked.
    condition     = local.dlq_redrive_allow_policy == null
    error_message = "The emulator switch must drop the DLQ's redrive-allow policy."
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 6 * 900 + 30 && aws_sqs_queue.this.visibility_timeout_seconds >= 6 * var.timeout
    error_message = "Visibility timeout must be 6 x timeout + batching window."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.this.redrive_policy).maxReceiveCount == 3
    error_message = "max_receive_count must reach the redrive policy."
  }
  assert {
    condition = (
      aws_sqs_queue.this.kms_master_key_id == var.queue_kms_key_arn &&
      aws_sqs_queue.dlq.kms_master_key_id == var.queue_kms_key_arn
    )
    error_message = "Both queues must use the given KMS key."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == var.log_group_kms_key_arn && aws_cloudwatch_log_group.this.retention_in_days == 365
    error_message = "Log group must use the given key and retention."
  }
  assert {
    condition = (
      aws_lambda_function.this.reserved_concurrent_executions == 20 &&
      aws_lambda_function.this.tracing_config[0].mode == "PassThrough" &&
      aws_lambda_function.this.logging_config[0].application_log_level == "WARN" &&
      aws_lambda_function.this.environment[0].variables["LOG_LEVEL"] == "WARNING" &&
      aws_lambda_function.this.environment[0].variables["OUTPUT_PREFIX"] == "analytics/" &&
      aws_lambda_function.this.environment[0].variables["CURATED_PREFIX"] == "lake/orders_v2/" &&
      aws_lambda_function.this.ephemeral_storage[0].size == 1024
    )
    error_message = "Sizing, tracing, prefixes and log level must follow the variables (WARNING is WARN for Lambda)."
  }
  assert {
    condition = jsonencode(jsondecode(aws_iam_role_policy.this.policy).Statement) == jsonencode([
      {
        Sid      = "ReadInputObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["arn:aws:s3:::orders-dev-input/incoming/*"]
      },
      {
        Sid      = "WriteReports"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["arn:aws:s3:::orders-dev-output/analytics/*"]
      },
      {
        Sid      = "WriteCuratedRows"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:PutObject"]
        Resource = ["arn:aws:s3:::orders-dev-output/lake/orders_v2/*"]
      },
      {
        Sid    = "ReplaceOwnManifests"
        Effect = "Allow"
        Action = ["s3:DeleteObject"]
        Resource = [
          "arn:aws:s3:::orders-dev-output/analytics/_manifests/*",
          "arn:aws:s3:::orders-dev-output/analytics/_refused/*",
        ]
      },
      {
        Sid       = "FindOwnManifests"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["arn:aws:s3:::orders-dev-output"]
        Condition = { StringLike = { "s3:prefix" = ["analytics/_manifests/*", "analytics/_refused/*"] } }
      },
      {
        Sid      = "ConsumeOwnQueue"
        Effect   = "Allow"
        Action   = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        Resource = ["arn:aws:sqs:eu-west-1:111122223333:orders-dev-queue"]
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/orders-dev:*"]
      },
      {
        Sid    = "UseBucketKeysThroughS3"
        Effect = "Allow"
        Action = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [
          "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555",
          "arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000",
        ]
        Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } }
      },
      {
        Sid       = "DecryptQueueMessagesThroughSqs"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = ["arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]
        Condition = { StringEquals = { "kms:ViaService" = "sqs.eu-west-1.amazonaws.com" } }
      },
    ])
    error_message = "With keys and without tracing the policy must be exactly the scoped statements: ${aws_iam_role_policy.this.policy}"
  }
  assert {
    condition     = !strcontains(aws_iam_role_policy.this.policy, "\"*\"")
    error_message = "Without tracing there must be no \"*\" anywhere in the role policy."
  }
  assert {
    condition     = aws_s3_bucket_notification.input.queue[0].filter_prefix == "incoming/" && aws_s3_bucket_notification.input.queue[0].filter_suffix == ".csv"
    error_message = "The notification must filter on the input prefix and .csv."
  }
  assert {
    condition = (
      aws_lambda_event_source_mapping.this.enabled == false &&
      aws_lambda_event_source_mapping.this.batch_size == 50 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 30 &&
      aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency == 10
    )
    error_message = "The mapping must follow enabled/batch/window/maximum_concurrency."
  }
  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:orders-alarms"]) &&
      a.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:orders-alarms"])
    ])
    error_message = "Every alarm must notify the topic when it fires and when it recovers."
  }
}

run "same_bucket_with_disjoint_prefixes" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:s3:::orders-dev-input"
    input_prefix      = "incoming/"
    output_prefix     = "reports/"
  }

  assert {
    condition = (
      aws_s3_bucket_notification.input.queue[0].filter_prefix == "incoming/" &&
      aws_lambda_function.this.environment[0].variables["OUTPUT_BUCKET"] == "orders-dev-input"
    )
    error_message = "One bucket with disjoint prefixes is a valid layout."
  }
}
