# Settings of the dev environment, read by root.hcl (account, region, tags) and
# by the _envcommon files. This file and prod/env.hcl are where dev and prod
# differ: each value that differs carries its reason here.
locals {
  environment = "dev"

  # PLACEHOLDER, not a real account: replace with the dev AWS account id before
  # the first deploy. The provider's allowed_account_ids refuses any other account.
  account_id = "111111111111"
  region     = "eu-west-1"

  # Dev is disposable: destroy may delete what the buckets and the repository
  # hold, and overwritten objects are kept only briefly.
  force_destroy                      = true
  noncurrent_version_expiration_days = 7

  # Images kept: the promotion source, so not too few.
  image_retention_count = 15

  # Processor: verbose logs, kept briefly; a failing file reaches the DLQ after
  # fewer receives than in prod, so a broken build shows quickly.
  log_level          = "DEBUG"
  memory_size        = 2048
  timeout            = 300
  log_retention_days = 14
  max_receive_count  = 3

  # No reserved concurrency and no alarm topic, on purpose: the function shares
  # the account's pool with everything else in dev, and its alarms exist
  # without actions. Left out rather than null (see prod/processor/terragrunt.hcl).
}
