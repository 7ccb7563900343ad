output "bucket_name" {
  description = "The output bucket holding the curated dataset and the reports."
  value       = module.output_bucket.bucket_name
}

output "catalog" {
  description = "Every output of the catalog module."
  value       = module.catalog
}
