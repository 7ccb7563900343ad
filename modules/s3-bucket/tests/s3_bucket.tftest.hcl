# Security properties of modules/s3-bucket, checked without AWS: the mock
# provider fakes every API call, so `apply` runs show the values Terraform
# would send. The bucket ARN is pinned so the bucket policy is assertable.

mock_provider "aws" {
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::orders-test-input"
      id  = "orders-test-input"
    }
  }
}

variables {
  bucket_name = "orders-test-input"
}

run "defaults_make_a_private_encrypted_versioned_tls_only_bucket" {
  command = apply

  assert {
    condition     = aws_s3_bucket.this.bucket == "orders-test-input"
    error_message = "bucket name not passed through"
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == false
    error_message = "force_destroy must default to false"
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "all four public access blocks must be on"
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.this.bucket == aws_s3_bucket.this.id
    error_message = "public access block is not attached to the bucket"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "default encryption must be SSE-S3 (AES256) without a key"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == null
    error_message = "SSE-S3 must not name a KMS key"
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.this.versioning_configuration).status == "Enabled"
    error_message = "versioning must be Enabled"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 0
    error_message = "access logging must be off unless a target bucket is given"
  }

  assert {
    condition     = aws_s3_bucket.this.tags == null || length(aws_s3_bucket.this.tags) == 0
    error_message = "no tags were given"
  }

  assert {
    condition     = output.bucket_name == "orders-test-input" && output.bucket_arn == "arn:aws:s3:::orders-test-input"
    error_message = "outputs do not name the bucket"
  }
}

run "tls_deny_policy_covers_bucket_and_objects" {
  command = apply

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 1
    error_message = "enforce_tls defaults to true and must attach the policy"
  }

  assert {
    condition     = aws_s3_bucket_policy.this[0].bucket == aws_s3_bucket.this.id
    error_message = "policy is not attached to the bucket"
  }

  assert {
    condition     = length(jsondecode(aws_s3_bucket_policy.this[0].policy).Statement) == 1
    error_message = "the policy must hold exactly the TLS deny statement"
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement[0] == {
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::orders-test-input", "arn:aws:s3:::orders-test-input/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "TLS deny statement differs: ${aws_s3_bucket_policy.this[0].policy}"
  }
}

run "lifecycle_aborts_uploads_and_expires_noncurrent_versions" {
  command = apply

  variables {
    abort_incomplete_multipart_upload_days = 3
    noncurrent_version_expiration_days     = 90
  }

  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this.bucket == aws_s3_bucket.this.id
    error_message = "lifecycle configuration is not attached to the bucket"
  }

  assert {
    condition     = [for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.id] == ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions"]
    error_message = "expected exactly the two lifecycle rules"
  }

  assert {
    condition     = alltrue([for rule in aws_s3_bucket_lifecycle_configuration.this.rule : rule.status == "Enabled"])
    error_message = "every lifecycle rule must be Enabled"
  }

  assert {
    # An empty filter block applies the rule to every object. The filter's
    # `prefix` is provider-computed, so the mock fills it with random text; the
    # configured side (no tag, no and-combination, no size bounds) is checked.
    condition = alltrue([
      for rule in aws_s3_bucket_lifecycle_configuration.this.rule :
      length(rule.filter) == 1 && length(one(rule.filter).tag) == 0 && length(one(rule.filter).and) == 0 && one(rule.filter).object_size_greater_than == 0 && one(rule.filter).object_size_less_than == 0
    ])
    error_message = "lifecycle rules must apply to all objects (filter {})"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload).days_after_initiation == 3
    error_message = "incomplete multipart uploads must be aborted after abort_incomplete_multipart_upload_days"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].noncurrent_version_expiration).noncurrent_days == 90
    error_message = "noncurrent versions must expire after noncurrent_version_expiration_days"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].expiration).expired_object_delete_marker == true
    error_message = "expired delete markers must be removed"
  }
}

run "lifecycle_defaults" {
  command = plan

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload).days_after_initiation == 7
    error_message = "abort_incomplete_multipart_upload_days must default to 7"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.this.rule[1].noncurrent_version_expiration).noncurrent_days == 30
    error_message = "noncurrent_version_expiration_days must default to 30"
  }
}

run "kms_key_switches_to_sse_kms_with_bucket_key" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
    error_message = "a KMS key must select aws:kms"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "the given key must be the default key"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    error_message = "SSE-KMS must use an S3 Bucket Key"
  }
}

run "multi_region_kms_key_is_accepted" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled == true
    error_message = "multi-region key ARN must be usable"
  }
}

run "enforce_tls_false_drops_the_policy_for_emulators" {
  command = apply

  variables {
    enforce_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0
    error_message = "enforce_tls = false must not attach the TLS deny policy"
  }

  assert {
    condition     = alltrue([aws_s3_bucket_public_access_block.this.block_public_policy, aws_s3_bucket_public_access_block.this.restrict_public_buckets])
    error_message = "public access block must stay on without the policy"
  }
}

run "force_destroy_and_tags_are_passed_through" {
  command = apply

  variables {
    force_destroy = true
    tags          = { Component = "orders-input" }
  }

  assert {
    condition     = aws_s3_bucket.this.force_destroy == true
    error_message = "force_destroy not passed through"
  }

  assert {
    condition     = aws_s3_bucket.this.tags == tomap({ Component = "orders-input" })
    error_message = "tags not passed through"
  }
}

run "access_logging_to_a_target_bucket" {
  command = apply

  variables {
    logging_target_bucket = "orders-test-logs"
    logging_target_prefix = "s3-access/orders-test-input/"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.this) == 1
    error_message = "a target bucket must enable access logging"
  }

  assert {
    condition = (
      aws_s3_bucket_logging.this[0].bucket == aws_s3_bucket.this.id &&
      aws_s3_bucket_logging.this[0].target_bucket == "orders-test-logs" &&
      aws_s3_bucket_logging.this[0].target_prefix == "s3-access/orders-test-input/"
    )
    error_message = "access logging target not configured as given"
  }
}

# ---------------------------------------------------------------------------
# Each validation rejects what it exists for.

run "rejects_bucket_name_too_short" {
  command = plan
  variables {
    bucket_name = "ab"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_too_long" {
  command = plan
  variables {
    bucket_name = "a234567890123456789012345678901234567890123456789012345678901234"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_uppercase" {
  command = plan
  variables {
    bucket_name = "Orders-input"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_dots" {
  command = plan
  variables {
    bucket_name = "orders.input"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_underscore" {
  command = plan
  variables {
    bucket_name = "orders_input"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_ending_with_hyphen" {
  command = plan
  variables {
    bucket_name = "orders-input-"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_reserved_prefix" {
  command = plan
  variables {
    bucket_name = "xn--orders"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_bucket_name_with_reserved_suffix" {
  command = plan
  variables {
    bucket_name = "orders-s3alias"
  }
  expect_failures = [var.bucket_name]
}

run "rejects_kms_alias_instead_of_key_arn" {
  command = plan
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/orders"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_bare_kms_key_id" {
  command = plan
  variables {
    kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  expect_failures = [var.kms_key_arn]
}

run "rejects_zero_noncurrent_version_days" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 0
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_fractional_noncurrent_version_days" {
  command = plan
  variables {
    noncurrent_version_expiration_days = 1.5
  }
  expect_failures = [var.noncurrent_version_expiration_days]
}

run "rejects_zero_abort_multipart_days" {
  command = plan
  variables {
    abort_incomplete_multipart_upload_days = 0
  }
  expect_failures = [var.abort_incomplete_multipart_upload_days]
}

run "rejects_fractional_abort_multipart_days" {
  command = plan
  variables {
    abort_incomplete_multipart_upload_days = 2.5
  }
  expect_failures = [var.abort_incomplete_multipart_upload_days]
}

run "rejects_logging_target_given_as_arn" {
  command = plan
  variables {
    logging_target_bucket = "arn:aws:s3:::orders-test-logs"
  }
  expect_failures = [var.logging_target_bucket]
}

run "rejects_bucket_logging_to_itself" {
  command = plan
  variables {
    logging_target_bucket = "orders-test-input"
  }
  expect_failures = [var.logging_target_bucket]
}

run "rejects_logging_prefix_with_leading_slash" {
  command = plan
  variables {
    logging_target_bucket = "orders-test-logs"
    logging_target_prefix = "/logs/"
  }
  expect_failures = [var.logging_target_prefix]
}

run "rejects_reserved_aws_tag_key" {
  command = plan
  variables {
    tags = { "aws:cloudformation:stack-name" = "x" }
  }
  expect_failures = [var.tags]
}
