locals {
  alarms = {
    dlq_depth = {
      name        = "${var.name}-dlq-not-empty"
      description = "Messages in ${local.dlq_name}: files failed ${var.max_receive_count} times and are parked. Inspect, fix, then redrive."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = local.dlq_name }
      statistic   = "Maximum"
      threshold   = 0
    }
    errors = {
      name        = "${var.name}-errors"
      description = "Invocations of ${var.name} that failed as a whole (crash, timeout, out of memory)."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      dimensions  = { FunctionName = var.name }
      statistic   = "Sum"
      threshold   = 0
    }
    throttles = {
      name        = "${var.name}-throttles"
      description = "Invocations of ${var.name} throttled by its concurrency limit."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = var.name }
      statistic   = "Sum"
      threshold   = 0
    }
    oldest_message_age = {
      name        = "${var.name}-queue-backlog-age"
      description = "A file has waited more than ${var.oldest_message_age_alarm_seconds}s in ${local.queue_name} (consumer disabled, failing or too slow)."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateAgeOfOldestMessage"
      dimensions  = { QueueName = local.queue_name }
      statistic   = "Maximum"
      threshold   = var.oldest_message_age_alarm_seconds
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = each.value.name
  alarm_description = each.value.description

  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  # No datapoints means nothing happened (idle queue, no invocations).
  treat_missing_data = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions

  tags = var.tags

  # The metrics only exist once their resources do.
  depends_on = [aws_sqs_queue.dlq, aws_sqs_queue.this, aws_lambda_function.this]
}
