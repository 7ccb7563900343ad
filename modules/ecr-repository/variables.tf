variable "repository_name" {
  description = "Name of the repository, e.g. \"orders-processor\" or \"orders/processor\": 2-256 characters, lowercase letters and digits, separated by single '.', '_', '-' or '/'."
  type        = string

  validation {
    condition     = length(var.repository_name) >= 2 && length(var.repository_name) <= 256
    error_message = "repository_name must be 2 to 256 characters long."
  }

  validation {
    condition     = can(regex("^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.repository_name))
    error_message = "repository_name may contain only lowercase letters and digits, separated by single '.', '_', '-' or '/' (ECR's naming rule)."
  }
}

variable "image_retention_count" {
  description = "Number of most recent images the lifecycle policy keeps; older ones are expired. Must cover every digest a function still runs or may be rolled back to (Lambda cannot start from a deleted image)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.image_retention_count >= 1 && var.image_retention_count <= 10000 && floor(var.image_retention_count) == var.image_retention_count
    error_message = "image_retention_count must be a whole number from 1 to 10000."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after push before an untagged image (a superseded build, or a layer-only manifest left by an interrupted push) is expired."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.untagged_image_expiry_days >= 1 && floor(var.untagged_image_expiry_days) == var.untagged_image_expiry_days
    error_message = "untagged_image_expiry_days must be a whole number of days, at least 1."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer managed KMS key for image encryption (KMS). null uses AES256 (ECR-managed keys). Encryption settings cannot be changed after creation: changing this replaces the repository."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias, not a key id)."
  }
}

variable "force_delete" {
  description = "Allow `terraform destroy` to delete the repository while it still holds images. Keep false wherever a deployed function runs an image from it."
  type        = bool
  default     = false
  nullable    = false
}

variable "pull_principal_arns" {
  description = "IAM principals of other environments/accounts allowed to pull images (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability), e.g. \"arn:aws:iam::222222222222:root\" or a role ARN. For each account named here, the Lambda service is also allowed to pull on behalf of that account's functions only, as AWS requires for cross-account container images. Empty: no repository policy (same-account access through IAM only)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for arn in var.pull_principal_arns :
      can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[\\w+=,.@/-]+|user/[\\w+=,.@/-]+)$", arn))
    ])
    error_message = "pull_principal_arns must hold IAM ARNs of an account root, role or user, e.g. arn:aws:iam::222222222222:root; wildcards and service principals are not accepted."
  }

  validation {
    condition     = length(distinct(var.pull_principal_arns)) == length(var.pull_principal_arns)
    error_message = "pull_principal_arns must not repeat an ARN."
  }
}

variable "tags" {
  description = "Tags for the repository, merged over the provider's default_tags."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags: keys must be 1-128 characters and must not start with \"aws:\"; values at most 256 characters."
  }
}
