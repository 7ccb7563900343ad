output "database_name" {
  description = "Name of the Glue database; queries run in it (StartQueryExecution's QueryExecutionContext.Database)."
  value       = aws_glue_catalog_database.this.name
}

output "orders_table_name" {
  description = "Name of the table over the curated Parquet dataset."
  value       = aws_glue_catalog_table.orders.name
}

output "report_table_names" {
  description = "Report name -> name of the table over that report's folder (text columns, one row per report row per file)."
  value       = { for report, table in aws_glue_catalog_table.report : report => table.name }
}

output "workgroup_name" {
  description = "Name of the Athena workgroup (results location, encryption and bytes-scanned cutoff enforced)."
  value       = aws_athena_workgroup.this.name
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup; its region is the region to call Athena in (make query reads it)."
  value       = aws_athena_workgroup.this.arn
}

output "named_query_ids" {
  description = "Report name -> id of the named query computing that report over every file received."
  value       = { for report, query in aws_athena_named_query.report : report => query.id }
}

output "results_location" {
  description = "S3 URI under which Athena writes the workgroup's query results."
  value       = local.results_location
}

output "reader_policy_json" {
  description = "IAM policy document (JSON) for analysts' roles: use of this workgroup, Glue read on this database, S3 read of the curated and report prefixes, write of the results prefix. Attach it to the roles; the module creates no role."
  value       = local.reader_policy_json
}
