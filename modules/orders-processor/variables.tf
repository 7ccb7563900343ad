################################################################################
# Identity and code
################################################################################

variable "name" {
  description = "Function name; also the prefix of the role, queues and alarms (`<name>-queue`, `<name>-dlq`, `<name>-role`, `<name>-errors`, ...)."
  type        = string

  validation {
    # Lambda allows [A-Za-z0-9_-]{1,64}; 48 leaves room for the longest suffix
    # while keeping the role name (max 64) and queue names (max 80) valid.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$", var.name))
    error_message = "name must be 1-48 characters of letters, digits, '-' or '_', starting with a letter or digit."
  }
}

variable "image_uri" {
  description = "ECR image of the function, pinned by digest: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>`. A tag (mutable or not) is rejected: the digest is what gets reviewed and promoted."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*@sha256:[0-9a-f]{64}$", var.image_uri))
    error_message = "image_uri must be an ECR image pinned by digest only (`...amazonaws.com/<repository>@sha256:<64 lowercase hex>`), without a tag."
  }
}

################################################################################
# Buckets
################################################################################

variable "input_bucket_arn" {
  description = "ARN of the bucket the order CSVs are dropped in (`arn:<partition>:s3:::<bucket>`); the bucket name is derived from it. This module owns that bucket's (single) S3 event notification configuration."
  type        = string

  validation {
    condition     = can(regex(local.bucket_arn_pattern, var.input_bucket_arn))
    error_message = "input_bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>), without a key or wildcard."
  }
}

variable "output_bucket_arn" {
  description = "ARN of the bucket the reports and the curated dataset are written to (`arn:<partition>:s3:::<bucket>`); its name is passed to the function as OUTPUT_BUCKET."
  type        = string

  validation {
    condition     = can(regex(local.bucket_arn_pattern, var.output_bucket_arn))
    error_message = "output_bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>), without a key or wildcard."
  }
}

variable "output_prefix" {
  description = "Key prefix of the reports and of the function's bookkeeping under it (`_manifests/`, `_refused/`, `rejected_rows/`). Passed as OUTPUT_PREFIX."
  type        = string
  default     = "reports/"
  nullable    = false

  validation {
    condition     = can(regex(local.key_prefix_pattern, var.output_prefix)) && length(var.output_prefix) <= 512
    error_message = "output_prefix must be non-empty, end with '/', not start with '/', contain no '*' or '?', and be at most 512 characters."
  }
}

variable "curated_prefix" {
  description = "Key prefix of the curated dataset in the output bucket: the valid rows of each input file as one Parquet file, partitioned by ingest_date. Passed as CURATED_PREFIX."
  type        = string
  default     = "curated/orders/"
  nullable    = false

  validation {
    condition     = can(regex(local.key_prefix_pattern, var.curated_prefix)) && length(var.curated_prefix) <= 512
    error_message = "curated_prefix must be non-empty, end with '/', not start with '/', contain no '*' or '?', and be at most 512 characters."
  }

  validation {
    # Each prefix is the location of tables of its own, and a table reads
    # every object below its location.
    condition     = !startswith(var.curated_prefix, var.output_prefix) && !startswith(var.output_prefix, var.curated_prefix)
    error_message = "curated_prefix must be neither under output_prefix nor contain it: the curated dataset and the reports are separate table locations."
  }
}

variable "input_prefix" {
  description = "Key prefix filter of the S3 notification, and the scope of the read permission. Empty means the whole bucket."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.input_prefix == "" || (can(regex("^[^/*?][^*?]*$", var.input_prefix)) && length(var.input_prefix) <= 512)
    error_message = "input_prefix must be empty, or not start with '/', contain no '*' or '?', and be at most 512 characters."
  }

  validation {
    # Reports are CSVs: if they could land under the watched prefix of the same
    # bucket, every report would trigger another run (a recursive loop).
    condition = (
      var.input_bucket_arn != var.output_bucket_arn ||
      (var.input_prefix != "" && !startswith(var.output_prefix, var.input_prefix) && !startswith(var.input_prefix, var.output_prefix))
    )
    error_message = "When input and output buckets are the same, input_prefix must be non-empty and neither prefix may contain the other (the reports would re-trigger the function)."
  }
}

################################################################################
# Function
################################################################################

variable "log_level" {
  description = "LOG_LEVEL of the function, also its Lambda application log level (WARNING maps to WARN)."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be one of DEBUG, INFO, WARNING, ERROR."
  }
}

variable "memory_size" {
  description = "Memory of the function in MiB (also scales its CPU share)."
  type        = number
  default     = 2048
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MiB between 128 and 10240."
  }
}

variable "ephemeral_storage_size" {
  description = "Size of the function's /tmp in MiB (512-10240). The function streams its outputs to S3 and needs no /tmp space of its own (see Sizing in the README), so the default is Lambda's minimum."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.ephemeral_storage_size >= 512 && var.ephemeral_storage_size <= 10240 && floor(var.ephemeral_storage_size) == var.ephemeral_storage_size
    error_message = "ephemeral_storage_size must be a whole number of MiB between 512 and 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. The queue's visibility timeout is derived from it (6 x timeout + batching window)."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) the function; null leaves it unreserved. When set, maximum_concurrency must be set too (at most this value), so at least 2: 0 would disable the function, and 1 leaves no room for the event source's minimum of 2."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 2 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be null (unreserved) or a whole number >= 2."
  }
}

variable "tracing_enabled" {
  description = "Active X-Ray tracing. Needs xray:PutTraceSegments/PutTelemetryRecords, which AWS does not allow to scope (Resource \"*\")."
  type        = bool
  default     = true
  nullable    = false
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_group_kms_key_arn" {
  description = "KMS key for the log group; null uses CloudWatch Logs' own encryption. The key policy must allow the logs service."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.log_group_kms_key_arn))
    error_message = "log_group_kms_key_arn must be null or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "kms_key_arns" {
  description = "KMS keys of the input/output buckets (SSE-KMS). When non-empty the role may kms:Decrypt and kms:GenerateDataKey with these keys only, and only through S3."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.kms_key_arns : can(regex(local.kms_key_arn_pattern, k))])
    error_message = "kms_key_arns must contain KMS key ARNs such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab; aliases cannot scope IAM permissions."
  }
}

################################################################################
# Queue
################################################################################

variable "queue_kms_key_arn" {
  description = "Customer-managed KMS key for both queues; null uses SQS-managed SSE. The key policy must let s3.amazonaws.com use it (the AWS-managed aws/sqs key cannot receive S3 notifications)."
  type        = string
  default     = null

  validation {
    condition     = var.queue_kms_key_arn == null || can(regex(local.kms_key_arn_pattern, var.queue_kms_key_arn))
    error_message = "queue_kms_key_arn must be null or a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "message_retention_seconds" {
  description = "How long an unprocessed notification stays in the main queue. The DLQ keeps messages 14 days, counted from their first enqueue."
  type        = number
  default     = 345600
  nullable    = false

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "restrict_dlq_sources" {
  description = "Give the DLQ a redrive-allow policy so that only this module's queue may dead-letter into it. Set false only for emulators without RedriveAllowPolicy (moto 5.2 drops it, and the provider then waits forever)."
  type        = bool
  default     = true
  nullable    = false
}

variable "max_receive_count" {
  description = "Deliveries of a message before SQS moves it to the DLQ."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number between 1 and 1000."
  }
}

################################################################################
# Event source mapping
################################################################################

variable "batch_size" {
  description = "Maximum messages per invocation."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number between 1 and 10000."
  }

  validation {
    # The SQS event source rejects larger batches without a batching window.
    condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
    error_message = "batch_size above 10 requires maximum_batching_window_in_seconds >= 1."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds the event source may wait to fill a batch (0-300). Added to the queue's visibility timeout."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number between 0 and 300."
  }
}

variable "maximum_concurrency" {
  description = "Cap on the concurrent invocations the SQS event source makes (2-1000); null means no cap beyond the function's own. Required, at most the reservation, when reserved_concurrent_executions is set."
  type        = number
  default     = null

  validation {
    condition     = var.maximum_concurrency == null || try(var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency, false)
    error_message = "maximum_concurrency must be null or a whole number between 2 and 1000."
  }

  validation {
    # Without this cap the event source scales its pollers past the
    # reservation; Lambda throttles them, each throttled batch goes back to the
    # queue and counts as a receive, and healthy messages reach the DLQ after
    # max_receive_count throttles.
    condition     = var.reserved_concurrent_executions == null || try(var.maximum_concurrency <= var.reserved_concurrent_executions, false)
    error_message = "With reserved_concurrent_executions set, maximum_concurrency must be set and must not exceed it (otherwise throttled batches send healthy messages to the DLQ)."
  }
}

variable "event_source_mapping_enabled" {
  description = "Whether the queue is consumed. false keeps everything in place but lets messages accumulate (maintenance, or emulators that cannot run the function)."
  type        = bool
  default     = true
  nullable    = false
}

################################################################################
# Alarms and tags
################################################################################

variable "alarm_topic_arn" {
  description = "SNS topic notified when an alarm fires and recovers; null creates the alarms without actions."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be null or a standard SNS topic ARN."
  }
}

variable "oldest_message_age_alarm_seconds" {
  description = "Alarm when the oldest message of the main queue is older than this many seconds (files waiting unprocessed)."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.oldest_message_age_alarm_seconds >= 60
    error_message = "oldest_message_age_alarm_seconds must be at least 60."
  }
}

variable "tags" {
  description = "Tags for every taggable resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}
