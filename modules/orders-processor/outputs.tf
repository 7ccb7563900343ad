output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's execution role."
  value       = aws_iam_role.this.name
}

output "queue_url" {
  description = "URL of the queue receiving the input bucket's notifications."
  value       = aws_sqs_queue.this.id
}

output "queue_arn" {
  description = "ARN of the queue receiving the input bucket's notifications."
  value       = aws_sqs_queue.this.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "log_group_name" {
  description = "Log group of the function (JSON lines; query with CloudWatch Logs Insights)."
  value       = aws_cloudwatch_log_group.this.name
}

output "alarm_arns" {
  description = "ARNs of the alarms, by key: dlq_depth, errors, throttles, oldest_message_age."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}

output "event_source_mapping_uuid" {
  description = "UUID of the SQS event source mapping (to disable/enable consumption during operations)."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "output_prefix" {
  description = "Key prefix of the reports in the output bucket (the function's OUTPUT_PREFIX), for whatever reads them (e.g. a table location)."
  value       = var.output_prefix
}

output "curated_prefix" {
  description = "Key prefix of the curated Parquet dataset in the output bucket (the function's CURATED_PREFIX), for whatever reads it (e.g. a table location)."
  value       = var.curated_prefix
}
