variable "bucket_name" {
  description = "Name of the bucket. Globally unique, 3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit. Dots are rejected: they break TLS certificate matching for virtual-hosted-style HTTPS requests."
  type        = string

  validation {
    condition     = length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63
    error_message = "bucket_name must be 3 to 63 characters long."
  }

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name may contain only lowercase letters, digits and hyphens, and must start and end with a letter or digit (no dots, no uppercase, no underscores)."
  }

  validation {
    condition = !anytrue([
      for reserved in ["xn--", "sthree-", "amzn-s3-demo-"] : startswith(var.bucket_name, reserved)
      ]) && !anytrue([
      for reserved in ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"] : endswith(var.bucket_name, reserved)
    ])
    error_message = "bucket_name uses a prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, --x-s3, --table-s3) that S3 reserves."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete the bucket while it still holds objects (all versions are deleted). Keep false for any bucket whose data matters; true only for disposable environments."
  type        = bool
  default     = false
  nullable    = false
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for default encryption (SSE-KMS, with an S3 Bucket Key to cut KMS request costs). null uses SSE-S3 (AES256), which needs no key policy for readers and writers. Must be a key ARN, not an alias: IAM policies of the bucket's users grant KMS actions on the key ARN."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias, not a key id)."
  }
}

variable "enforce_tls" {
  description = "Attach a bucket policy that denies every request not made over TLS (aws:SecureTransport = false). Leave true; false exists only for local emulators such as moto, which do not evaluate aws:SecureTransport and would then deny everything."
  type        = bool
  default     = true
  nullable    = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after an object version becomes noncurrent (overwritten or deleted) before S3 deletes it permanently. This is the window for recovering an overwritten or deleted object. Expired delete markers are removed too."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after a multipart upload starts before S3 aborts it if it never completed, deleting the parts (which are billed but invisible in listings)."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number of days, at least 1."
  }
}

variable "logging_target_bucket" {
  description = "Name of an existing bucket that receives this bucket's server access logs; null disables access logging. The target must be in the same account and region and its policy must allow the logging.s3.amazonaws.com service principal to s3:PutObject (ACL grants do not work with BucketOwnerEnforced)."
  type        = string
  default     = null

  validation {
    condition     = var.logging_target_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.logging_target_bucket))
    error_message = "logging_target_bucket must be a bucket name (3-63 lowercase letters, digits, dots and hyphens), not an ARN or URL."
  }

  validation {
    condition     = var.logging_target_bucket != var.bucket_name
    error_message = "logging_target_bucket must differ from bucket_name: a bucket logging to itself writes a log record for every log delivery, without end."
  }
}

variable "logging_target_prefix" {
  description = "Key prefix for the access log objects in logging_target_bucket, e.g. \"s3-access/orders-input/\". Ignored when logging_target_bucket is null."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = !startswith(var.logging_target_prefix, "/") && length(var.logging_target_prefix) <= 512
    error_message = "logging_target_prefix must not start with \"/\" (S3 keys have no leading slash) and must be at most 512 characters."
  }
}

variable "tags" {
  description = "Tags for the bucket, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags: keys must be 1-128 characters and must not start with \"aws:\"; values at most 256 characters."
  }
}
