# The catalog module applied to moto_server by tests/lake/test_catalog_on_moto.py,
# next to an output bucket from the s3-bucket module, as a live environment has them.
# Only emulator settings differ from a real deployment: the provider's endpoints
# (providers.tf), enforce_tls = false (moto ignores aws:SecureTransport) and
# force_destroy everywhere (torn down with data in it).

module "output_bucket" {
  source = "../../../modules/s3-bucket"

  bucket_name   = "${var.name_prefix}-output"
  enforce_tls   = false
  force_destroy = true
}

module "catalog" {
  source = "../../../modules/orders-catalog"

  database_name         = replace("${var.name_prefix}_lake", "-", "_")
  workgroup_name        = "${var.name_prefix}-lake"
  output_bucket_arn     = module.output_bucket.bucket_arn
  projection_start_date = "2026-01-01"
  force_destroy         = true

  # moto rejects a workgroup without tags.
  tags = { stack = "${var.name_prefix}-local" }
}
