# Settings of the dev environment, read by root.hcl (account, region, tags) and
# by the _envcommon files (sizing). Dev is disposable: contents may be deleted
# on destroy, logs are kept briefly, and concurrency is not reserved.
locals {
  environment = "dev"

  # PLACEHOLDER, not a real account: replace with the dev AWS account id before
  # the first deploy. The provider's allowed_account_ids refuses any other account.
  account_id = "111111111111"
  region     = "eu-west-1"

  # Buckets and repository: destroy may delete what they hold.
  force_destroy                      = true
  noncurrent_version_expiration_days = 7

  # Repository: images kept (the promotion source, so not too few).
  image_retention_count = 15

  # Processor. reserved_concurrent_executions and alarm_topic_arn are left out on
  # purpose: the function stays unreserved and the alarms exist without actions.
  log_level          = "DEBUG"
  memory_size        = 2048
  timeout            = 300
  log_retention_days = 14
  max_receive_count  = 3
}
