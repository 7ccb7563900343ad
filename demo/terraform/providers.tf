# The only AWS provider configuration for the emulator. The modules stay exactly
# as they deploy to AWS; everything emulator-specific is here or in main.tf's
# module arguments.
provider "aws" {
  region     = "us-east-1"
  access_key = "testing"
  secret_key = "testing"

  # No real account behind the emulator: skip the checks that would reach AWS.
  # Account id lookups stay on (the processor module reads aws_caller_identity
  # for its queue policy); moto answers sts:GetCallerIdentity with 123456789012.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false

  # moto_server serves every bucket under one host:port.
  s3_use_path_style = true

  endpoints {
    athena     = var.endpoint_url
    cloudwatch = var.endpoint_url
    ecr        = var.endpoint_url
    glue       = var.endpoint_url
    iam        = var.endpoint_url
    lambda     = var.endpoint_url
    logs       = var.endpoint_url
    s3         = var.endpoint_url
    sns        = var.endpoint_url
    sqs        = var.endpoint_url
    sts        = var.endpoint_url
  }

  default_tags {
    tags = {
      project     = "orders-pipeline"
      environment = "local-emulator"
      managed_by  = "terraform"
    }
  }
}
