output "bucket_name" {
  description = "Name of the bucket (also its id). Known at plan time, so a caller may use it in count/for_each (e.g. as another bucket's logging_target_bucket)."
  # `bucket` comes from configuration; no depends_on here, because an output
  # with depends_on stays unknown until apply.
  value = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket, e.g. arn:aws:s3:::orders-dev-input. Object ARNs are \"<bucket_arn>/<key>\". Available only once the bucket is private, encrypted, versioned and TLS-only."
  value       = aws_s3_bucket.this.arn
  # Whatever grants access to the bucket (role policies, a queue policy and,
  # through it, the bucket notification) is built from the ARN; waiting here
  # means it never targets a bucket whose security settings are still being
  # written, and keeps those writes from racing (S3 OperationAborted).
  depends_on = [
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_versioning.this,
    aws_s3_bucket_lifecycle_configuration.this,
    aws_s3_bucket_policy.this,
  ]
}
