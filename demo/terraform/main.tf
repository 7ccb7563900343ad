# A local composition of the REAL modules, applied to moto_server by `make demo`
# and by tests/e2e. Only the arguments below differ from a real environment,
# each because of an emulator limitation:
#
# - enforce_tls = false: moto does not model aws:SecureTransport, so the
#   deny-non-TLS bucket policy would deny every request made to the emulator.
# - force_destroy / force_delete = true: the stack is torn down with data in it
#   after every run.
# - restrict_dlq_sources = false: moto 5.2 drops the DLQ's RedriveAllowPolicy
#   and the provider would wait for it forever; without it any queue of the
#   account could name the DLQ, which on a throw-away emulator changes nothing.
# - event_source_mapping_enabled = false: moto runs Lambda code only inside
#   Docker. The mapping is still created (disabled) so its configuration is
#   exercised, and the demo's poller (demo/queue_poller.py) does its job:
#   it receives from the queue and calls orders_reports.handler.lambda_handler
#   in-process.
# - image_uri pinned to a placeholder digest: NO IMAGE RUNS IN THE DEMO. moto
#   neither pulls nor checks images; the digest only satisfies the module's
#   "pinned by digest" contract.
# - the catalog's named queries are stored but never run: moto keeps Athena
#   queries without executing them (the demo runs the same SQL with DuckDB), and
#   it cannot delete them (the stack drops them from the state before destroy).

locals {
  tags = {
    stack = "${var.name_prefix}-local"
  }
}

module "input_bucket" {
  source = "../../modules/s3-bucket"

  bucket_name   = "${var.name_prefix}-input"
  enforce_tls   = false
  force_destroy = true
  tags          = local.tags
}

module "output_bucket" {
  source = "../../modules/s3-bucket"

  bucket_name   = "${var.name_prefix}-output"
  enforce_tls   = false
  force_destroy = true
  tags          = local.tags
}

module "ecr" {
  source = "../../modules/ecr-repository"

  repository_name = "${var.name_prefix}-processor"
  force_delete    = true
  tags            = local.tags
}

module "processor" {
  source = "../../modules/orders-processor"

  name      = "${var.name_prefix}-processor"
  image_uri = "${module.ecr.repository_url}@${var.image_digest}"

  input_bucket_arn  = module.input_bucket.bucket_arn
  output_bucket_arn = module.output_bucket.bucket_arn
  output_prefix     = var.output_prefix
  log_level         = var.log_level

  timeout           = var.function_timeout
  max_receive_count = var.max_receive_count
  batch_size        = var.batch_size

  event_source_mapping_enabled = false
  restrict_dlq_sources         = false

  tags = local.tags
}

module "catalog" {
  source = "../../modules/orders-catalog"

  database_name         = replace("${var.name_prefix}_lake", "-", "_")
  workgroup_name        = "${var.name_prefix}-lake"
  output_bucket_arn     = module.output_bucket.bucket_arn
  reports_prefix        = module.processor.output_prefix
  curated_prefix        = module.processor.curated_prefix
  projection_start_date = "2026-01-01"
  force_destroy         = true

  # moto rejects a workgroup without tags (the provider's default_tags are not enough).
  tags = local.tags
}

# Read the function back from the emulator so the poller runs the handler with
# the environment actually deployed, not a copy of the module's inputs.
data "aws_lambda_function" "processor" {
  function_name = module.processor.function_name
  # Without a qualifier the provider looks up the latest published version,
  # which moto's ListVersionsByFunction does not report.
  qualifier = "$LATEST"

  # The name is known at plan time; without this the read would happen during
  # the plan, before the function exists.
  depends_on = [module.processor]
}
