provider "aws" {
  region     = "us-east-1"
  access_key = "testing"
  secret_key = "testing"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = false # moto answers sts:GetCallerIdentity

  s3_use_path_style = true

  endpoints {
    athena = var.endpoint_url
    glue   = var.endpoint_url
    s3     = var.endpoint_url
    sts    = var.endpoint_url
  }
}
