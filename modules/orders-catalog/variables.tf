################################################################################
# Names
################################################################################

variable "database_name" {
  description = "Name of the Glue database holding the lake's tables. Lowercase letters, digits and underscores only: Athena needs no quoting for such names (a hyphen would have to be quoted in every query)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.database_name))
    error_message = "database_name must be 1-255 lowercase letters, digits or underscores."
  }
}

variable "workgroup_name" {
  description = "Name of the Athena workgroup the named queries belong to and analysts query in."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,128}$", var.workgroup_name))
    error_message = "workgroup_name must be 1-128 letters, digits, '.', '_' or '-'."
  }
}

################################################################################
# Where the data is
################################################################################

variable "output_bucket_arn" {
  description = "ARN of the bucket the pipeline writes to (`arn:<partition>:s3:::<bucket>`): the curated Parquet dataset under curated_prefix and the per-file reports under reports_prefix. The bucket name (in the table locations) is derived from it; its partition is the partition of every ARN in the reader policy."
  type        = string

  validation {
    condition     = can(regex(local.bucket_arn_pattern, var.output_bucket_arn))
    error_message = "output_bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>), without a key or wildcard."
  }
}

variable "curated_prefix" {
  description = "Key prefix of the curated dataset in the output bucket (the function's CURATED_PREFIX): Parquet files under `<curated_prefix>ingest_date=YYYY-MM-DD/`."
  type        = string
  default     = "curated/orders/"
  nullable    = false

  validation {
    condition     = can(regex(local.key_prefix_pattern, var.curated_prefix)) && length(var.curated_prefix) <= 512
    error_message = "curated_prefix must be non-empty, end with '/', not start with '/', contain no '*' or '?', and be at most 512 characters."
  }

  validation {
    condition     = !startswith(var.curated_prefix, var.reports_prefix) && !startswith(var.reports_prefix, var.curated_prefix)
    error_message = "curated_prefix and reports_prefix must not contain one another: each table must see only its own files."
  }
}

variable "reports_prefix" {
  description = "Key prefix of the per-file reports in the output bucket (the function's OUTPUT_PREFIX): `<reports_prefix><report>/ingest_date=YYYY-MM-DD/<source-id>.csv`."
  type        = string
  default     = "reports/"
  nullable    = false

  validation {
    condition     = can(regex(local.key_prefix_pattern, var.reports_prefix)) && length(var.reports_prefix) <= 512
    error_message = "reports_prefix must be non-empty, end with '/', not start with '/', contain no '*' or '?', and be at most 512 characters."
  }
}

variable "projection_start_date" {
  description = "First ingest_date (YYYY-MM-DD) the tables' partition projection enumerates; the range ends at NOW. A query without a date filter lists one S3 prefix per day in the range, so keep it near the first day data arrived."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", var.projection_start_date)) && can(formatdate("YYYY-MM-DD", "${var.projection_start_date}T00:00:00Z"))
    error_message = "projection_start_date must be a calendar date written YYYY-MM-DD, e.g. 2026-01-01."
  }
}

################################################################################
# Athena
################################################################################

variable "results_bucket_arn" {
  description = "ARN of the bucket Athena writes query results to, under results_prefix (`arn:<partition>:s3:::<bucket>`, the partition of output_bucket_arn); null means the output bucket. Must belong to the same account (the workgroup sets it as the expected bucket owner)."
  type        = string
  default     = null

  validation {
    condition     = var.results_bucket_arn == null || can(regex(local.bucket_arn_pattern, var.results_bucket_arn))
    error_message = "results_bucket_arn must be null or an S3 bucket ARN (arn:<partition>:s3:::<bucket>), without a key or wildcard."
  }

  validation {
    # The workgroup and the reader policy live in the output bucket's partition.
    condition     = var.results_bucket_arn == null || try(split(":", var.results_bucket_arn)[1] == split(":", var.output_bucket_arn)[1], false)
    error_message = "results_bucket_arn must be in the partition of output_bucket_arn."
  }
}

variable "results_prefix" {
  description = "Key prefix of the query results in the results bucket. Readers may write there and nowhere else, so in the output bucket it must stay apart from the curated and report prefixes."
  type        = string
  default     = "athena-results/"
  nullable    = false

  validation {
    condition     = can(regex(local.key_prefix_pattern, var.results_prefix)) && length(var.results_prefix) <= 512
    error_message = "results_prefix must be non-empty, end with '/', not start with '/', contain no '*' or '?', and be at most 512 characters."
  }

  validation {
    condition = (var.results_bucket_arn != null && var.results_bucket_arn != var.output_bucket_arn) || alltrue([
      for data_prefix in [var.curated_prefix, var.reports_prefix] :
      !startswith(var.results_prefix, data_prefix) && !startswith(data_prefix, var.results_prefix)
    ])
    error_message = "results_prefix must not contain, or lie under, curated_prefix or reports_prefix in the output bucket: query results would become table data, and readers could overwrite the data."
  }
}

variable "results_kms_key_arn" {
  description = "KMS key ARN to encrypt query results with (SSE_KMS); null uses SSE_S3. Readers get kms:GenerateDataKey and kms:Decrypt on it, through S3 only."
  type        = string
  default     = null

  validation {
    condition     = var.results_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.results_kms_key_arn))
    error_message = "results_kms_key_arn must be null or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "data_kms_key_arns" {
  description = "KMS keys of the output bucket when it uses SSE-KMS; readers get kms:Decrypt on them, through S3 only. Empty for SSE-S3."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.data_kms_key_arns : can(regex(local.kms_key_arn_pattern, k))])
    error_message = "data_kms_key_arns must contain KMS key ARNs such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab; aliases cannot scope IAM permissions."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels any query of the workgroup that scans more than this many bytes (Athena bills by bytes scanned). At least 10 MiB, Athena's minimum."
  type        = number
  default     = 10737418240 # 10 GiB
  nullable    = false

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760 && floor(var.bytes_scanned_cutoff_per_query) == var.bytes_scanned_cutoff_per_query
    error_message = "bytes_scanned_cutoff_per_query must be a whole number of bytes, at least 10485760 (10 MiB)."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the workgroup although it holds query history and saved queries. Keep false where the history matters."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Tags for every taggable resource (the database and the workgroup), on top of the provider's default_tags."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags: keys must be 1-128 characters and must not start with \"aws:\"; values at most 256 characters."
  }
}
