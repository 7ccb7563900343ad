# Settings of the prod environment, read by root.hcl (account, region, tags) and
# by the _envcommon files. This file and dev/env.hcl are where dev and prod
# differ: each value that differs carries its reason here.
locals {
  environment = "prod"

  # PLACEHOLDER, not a real account: replace with the prod AWS account id before
  # the first deploy. The provider's allowed_account_ids refuses any other account.
  account_id = "222222222222"
  region     = "eu-west-1"

  # Prod keeps data: destroy never deletes what the buckets and the repository
  # hold, and overwritten or deleted objects stay recoverable for months.
  force_destroy                      = false
  noncurrent_version_expiration_days = 90

  # Images kept: every digest prod runs or may roll back to.
  image_retention_count = 30

  # Processor: INFO logs, kept long enough for investigations; a failing file
  # gets more receives before the DLQ than in dev, to ride out transient errors.
  log_level          = "INFO"
  memory_size        = 2048
  timeout            = 300
  log_retention_days = 90
  max_receive_count  = 5

  # Caps the function (and what a flood of uploads can cost) and guarantees it
  # capacity when other functions in the account scale up.
  reserved_concurrent_executions = 10

  # The SQS event source may use the whole reservation (it is the function's
  # only caller) and no more: beyond it, throttled batches would count as
  # receives and send healthy files to the DLQ.
  maximum_concurrency = local.reserved_concurrent_executions

  # PLACEHOLDER: an EXISTING SNS topic (with the on-call subscriptions) that the
  # DLQ-depth, error, throttle and queue-age alarms notify. No unit creates it:
  # create it once per account (or point this at the team's existing alerting
  # topic) and replace the account id and name below before the first deploy.
  alarm_topic_arn = "arn:aws:sns:eu-west-1:222222222222:orders-pipeline-prod-alarms"
}
