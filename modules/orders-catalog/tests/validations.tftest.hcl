# Every validation rejects what it should (expect_failures) and the boundaries it
# should accept still plan. Plan-only with a mock provider.

mock_provider "aws" {
  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }
}

variables {
  database_name         = "orders_dev"
  workgroup_name        = "orders-dev"
  output_bucket_arn     = "arn:aws:s3:::orders-dev-output"
  projection_start_date = "2026-01-01"
}

run "boundaries_are_accepted" {
  command = plan

  variables {
    database_name                  = "a"
    workgroup_name                 = "Orders.Dev_wg-1"
    projection_start_date          = "2024-02-29"
    bytes_scanned_cutoff_per_query = 10485760
    # Another bucket: the results may use any prefix there.
    results_bucket_arn = "arn:aws:s3:::orders-dev-athena"
    results_prefix     = "curated/orders/"
    tags               = { "k" = "" }
  }

  assert {
    condition     = aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 10485760
    error_message = "Athena's minimum cutoff must be accepted."
  }
}

# Waves: each run sets several independent variables to one invalid value each and
# expects every one of them to fail (terraform names each missing failure). Validations
# that read another variable are tested in the separate runs further down.

run "invalid_values_wave_1" {
  command = plan

  variables {
    database_name                  = "orders-dev" # a hyphen needs quoting in Athena
    workgroup_name                 = "orders dev"
    projection_start_date          = "2026-02-30"        # not a calendar date
    results_bucket_arn             = "orders-dev-athena" # a name, not an ARN
    results_kms_key_arn            = "alias/athena"
    data_kms_key_arns              = ["arn:aws:kms:eu-west-1:111122223333:alias/orders"] # an alias cannot scope IAM
    bytes_scanned_cutoff_per_query = 10485759                                            # below Athena's 10 MiB minimum
    tags                           = { "aws:team" = "x" }
  }

  expect_failures = [
    var.database_name,
    var.workgroup_name,
    var.projection_start_date,
    var.results_bucket_arn,
    var.results_kms_key_arn,
    var.data_kms_key_arns,
    var.bytes_scanned_cutoff_per_query,
    var.tags,
  ]
}

run "invalid_values_wave_2" {
  command = plan

  variables {
    database_name                  = ""
    workgroup_name                 = "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww" # 129 characters
    projection_start_date          = "2026-1-1"
    bytes_scanned_cutoff_per_query = 10485760.5
  }

  expect_failures = [
    var.database_name,
    var.workgroup_name,
    var.projection_start_date,
    var.bytes_scanned_cutoff_per_query,
  ]
}

run "bucket_arn_with_a_key" {
  command = plan

  variables {
    output_bucket_arn = "arn:aws:s3:::orders-dev-output/*"
  }

  expect_failures = [var.output_bucket_arn]
}

run "results_bucket_arn_in_another_partition" {
  command = plan

  variables {
    results_bucket_arn = "arn:aws-cn:s3:::orders-dev-athena"
  }

  expect_failures = [var.results_bucket_arn]
}

# One prefix per run: a validation that reads an invalid variable is not evaluated.
run "curated_prefix_must_end_with_a_slash" {
  command = plan

  variables {
    curated_prefix = "curated/orders"
  }

  expect_failures = [var.curated_prefix]
}

run "reports_prefix_must_hold_no_wildcard" {
  command = plan

  variables {
    reports_prefix = "reports/*/"
  }

  expect_failures = [var.reports_prefix]
}

run "results_prefix_must_not_be_empty" {
  command = plan

  variables {
    results_prefix = ""
  }

  expect_failures = [var.results_prefix]
}

run "curated_prefix_under_reports_prefix" {
  command = plan

  variables {
    curated_prefix = "reports/curated/"
  }

  expect_failures = [var.curated_prefix]
}

run "reports_prefix_under_curated_prefix" {
  command = plan

  variables {
    reports_prefix = "curated/orders/reports/"
  }

  expect_failures = [var.curated_prefix]
}

run "results_under_the_curated_prefix" {
  command = plan

  variables {
    results_prefix = "curated/orders/athena/"
  }

  expect_failures = [var.results_prefix]
}

run "results_containing_the_reports_prefix_in_the_output_bucket_named" {
  command = plan

  variables {
    results_bucket_arn = "arn:aws:s3:::orders-dev-output"
    reports_prefix     = "lake/reports/"
    results_prefix     = "lake/"
  }

  expect_failures = [var.results_prefix]
}
