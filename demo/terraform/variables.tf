variable "endpoint_url" {
  description = "Base URL of the local AWS emulator (moto_server), e.g. http://127.0.0.1:5000. Every AWS API of the stack is sent there."
  type        = string

  validation {
    # Loopback only: this configuration disables TLS enforcement and must never
    # be pointed at a real endpoint.
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\]):[0-9]{1,5}/?$", var.endpoint_url))
    error_message = "endpoint_url must be an http:// URL on the loopback interface (127.0.0.1, localhost or [::1]) with a port."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name (buckets, repository, function, queues)."
  type        = string
  default     = "orders-demo"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lower-case letters, digits and '-', starting and ending with a letter or digit."
  }
}

variable "output_prefix" {
  description = "Key prefix of the reports in the output bucket (the function's OUTPUT_PREFIX)."
  type        = string
  default     = "reports/"
}

variable "log_level" {
  description = "The function's LOG_LEVEL."
  type        = string
  default     = "INFO"
}

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the DLQ. The e2e test lowers it to see a poison message parked quickly."
  type        = number
  default     = 5
}

variable "function_timeout" {
  description = "Function timeout in seconds. The queue's visibility timeout is 6 x this, so the e2e test sets it low to see retries within seconds."
  type        = number
  default     = 60
}

variable "batch_size" {
  description = "Messages per batch, used by the local poller exactly as the event source mapping would use it."
  type        = number
  default     = 10
}

variable "image_digest" {
  description = "Digest the function is pinned to. No image is built, pushed or run on the emulator (see main.tf); any well-formed sha256 digest will do."
  type        = string
  default     = "sha256:54d71c231b8a6df0ebf9f05af26d49216509c96578a528a8838e278c36ade230"

  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))
    error_message = "image_digest must look like sha256:<64 lower-case hex digits>."
  }
}
