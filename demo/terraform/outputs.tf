output "input_bucket" {
  description = "Bucket the order CSVs are dropped into."
  value       = module.input_bucket.bucket_name
}

output "output_bucket" {
  description = "Bucket the reports are written to."
  value       = module.output_bucket.bucket_name
}

output "repository_url" {
  description = "ECR repository of the (never built) function image."
  value       = module.ecr.repository_url
}

output "queue_url" {
  description = "Queue receiving the input bucket's notifications; the local poller consumes it."
  value       = module.processor.queue_url
}

output "queue_arn" {
  description = "ARN of the queue (the eventSourceARN of the SQS events)."
  value       = module.processor.queue_arn
}

output "dlq_url" {
  description = "Dead-letter queue of messages that failed max_receive_count times."
  value       = module.processor.dlq_url
}

output "function_name" {
  description = "Name of the processor function."
  value       = module.processor.function_name
}

output "function_arn" {
  description = "ARN of the processor function."
  value       = module.processor.function_arn
}

output "function_timeout" {
  description = "Timeout of the deployed function, in seconds (the poller gives the handler this much time)."
  value       = data.aws_lambda_function.processor.timeout
}

output "function_memory_size" {
  description = "Memory of the deployed function, in MB (reported to the handler's context)."
  value       = data.aws_lambda_function.processor.memory_size
}

output "function_environment" {
  description = "Environment of the deployed function (OUTPUT_BUCKET, OUTPUT_PREFIX, CURATED_PREFIX, LOG_LEVEL), as read back from the emulator."
  value       = data.aws_lambda_function.processor.environment[0].variables
}

output "log_group_name" {
  description = "Log group of the function."
  value       = module.processor.log_group_name
}

output "batch_size" {
  description = "Batch size the event source mapping would use; the local poller uses the same."
  value       = var.batch_size
}

output "catalog" {
  description = "The orders lake's catalog: database, tables, workgroup, where the curated files are."
  value = {
    database_name     = module.catalog.database_name
    orders_table_name = module.catalog.orders_table_name
    workgroup_name    = module.catalog.workgroup_name
    named_query_ids   = module.catalog.named_query_ids
    curated_prefix    = module.processor.curated_prefix
  }
}

output "emulator_deviations" {
  description = "What differs from a real deployment, and why (printed by the demo)."
  value = [
    "bucket policies without the deny-non-TLS statement (enforce_tls = false): moto ignores aws:SecureTransport, so that statement would deny every request",
    "dead-letter queue without its redrive-allow policy (restrict_dlq_sources = false): moto 5.2 drops RedriveAllowPolicy and the provider would wait for it forever",
    "event source mapping created but disabled: moto runs Lambda code only in Docker; a local poller receives the batches and calls the handler in-process instead",
    "no container image is built or run: the function is pinned to a placeholder digest that moto never pulls",
    "Athena named queries are stored, not run: moto executes no query, so the reports across files are computed locally by DuckDB from the same SQL files",
  ]
}
