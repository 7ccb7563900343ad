# The catalog's contract, asserted on a mock apply (no AWS): the tables' formats,
# columns and partition projection, the workgroup's enforced settings, the named
# queries, and the reader policy's exact actions, resources and conditions.

mock_provider "aws" {
  override_data {
    target = data.aws_caller_identity.current
    values = {
      account_id = "111122223333"
      arn        = "arn:aws:iam::111122223333:user/ci"
      user_id    = "AIDAEXAMPLE"
    }
  }
  override_data {
    target = data.aws_region.current
    values = {
      name = "eu-west-1"
    }
  }
}

override_resource {
  target = aws_athena_workgroup.this
  values = {
    arn = "arn:aws:athena:eu-west-1:111122223333:workgroup/orders-dev"
  }
}

variables {
  database_name         = "orders_dev"
  workgroup_name        = "orders-dev"
  output_bucket_arn     = "arn:aws:s3:::orders-dev-output"
  projection_start_date = "2026-01-01"
  tags                  = { Team = "analytics" }
}

run "defaults" {
  command = apply

  # --- database and the curated table -------------------------------------------
  assert {
    condition     = aws_glue_catalog_database.this.name == "orders_dev" && aws_glue_catalog_database.this.tags == tomap({ Team = "analytics" })
    error_message = "The database must be named by database_name and tagged."
  }
  assert {
    condition = aws_glue_catalog_table.orders.parameters == tomap({
      EXTERNAL                               = "TRUE"
      classification                         = "parquet"
      "projection.enabled"                   = "true"
      "projection.ingest_date.type"          = "date"
      "projection.ingest_date.format"        = "yyyy-MM-dd"
      "projection.ingest_date.range"         = "2026-01-01,NOW"
      "projection.ingest_date.interval"      = "1"
      "projection.ingest_date.interval.unit" = "DAYS"
      "storage.location.template"            = "s3://orders-dev-output/curated/orders/ingest_date=$${ingest_date}/"
    })
    error_message = "The orders table must project ingest_date daily from projection_start_date to NOW over the curated prefix: ${jsonencode(aws_glue_catalog_table.orders.parameters)}"
  }
  assert {
    condition     = [for k in aws_glue_catalog_table.orders.partition_keys : { name = k.name, type = k.type }] == [{ name = "ingest_date", type = "string" }]
    error_message = "The only partition key must be ingest_date (string)."
  }
  assert {
    condition = (
      aws_glue_catalog_table.orders.table_type == "EXTERNAL_TABLE" &&
      aws_glue_catalog_table.orders.storage_descriptor[0].location == "s3://orders-dev-output/curated/orders/" &&
      aws_glue_catalog_table.orders.storage_descriptor[0].input_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" &&
      aws_glue_catalog_table.orders.storage_descriptor[0].ser_de_info[0].serialization_library == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    error_message = "The orders table must be an external Parquet table at the curated prefix."
  }
  assert {
    condition = [for c in aws_glue_catalog_table.orders.storage_descriptor[0].columns : "${c.name} ${c.type}"] == [
      "order_id string",
      "ship_mode string",
      "region string",
      "category string",
      "sub_category string",
      "cost_price decimal(20,7)",
      "list_price decimal(20,7)",
      "quantity decimal(13,0)",
      "discount_percent decimal(10,7)",
      "profit decimal(38,16)",
      "source_bucket string",
      "source_key string",
      "source_version string",
      "event_time timestamp",
    ]
    error_message = "The orders table's columns must be exactly the curated Parquet file's, in order."
  }

  # --- report tables -------------------------------------------------------------
  assert {
    condition = { for name, t in aws_glue_catalog_table.report : name => [for c in t.storage_descriptor[0].columns : "${c.name} ${c.type}"] } == {
      most_profitable_region            = ["region string", "profit string"]
      most_common_ship_mode_by_category = ["category string", "ship_mode string", "order_count string"]
      orders_by_category_subcategory    = ["category string", "sub_category string", "order_count string"]
    }
    error_message = "One table per report, named after its folder, with the report's columns as text."
  }
  assert {
    condition = aws_glue_catalog_table.report["most_profitable_region"].parameters == tomap({
      EXTERNAL                               = "TRUE"
      classification                         = "csv"
      "skip.header.line.count"               = "1"
      "projection.enabled"                   = "true"
      "projection.ingest_date.type"          = "date"
      "projection.ingest_date.format"        = "yyyy-MM-dd"
      "projection.ingest_date.range"         = "2026-01-01,NOW"
      "projection.ingest_date.interval"      = "1"
      "projection.ingest_date.interval.unit" = "DAYS"
      "storage.location.template"            = "s3://orders-dev-output/reports/most_profitable_region/ingest_date=$${ingest_date}/"
    })
    error_message = "A report table must skip the header line and project ingest_date over its folder: ${jsonencode(aws_glue_catalog_table.report["most_profitable_region"].parameters)}"
  }
  assert {
    condition = alltrue([
      for name, t in aws_glue_catalog_table.report :
      t.storage_descriptor[0].location == "s3://orders-dev-output/reports/${name}/" &&
      t.parameters["storage.location.template"] == "s3://orders-dev-output/reports/${name}/ingest_date=$${ingest_date}/" &&
      t.parameters["skip.header.line.count"] == "1" &&
      t.storage_descriptor[0].ser_de_info[0].serialization_library == "org.apache.hadoop.hive.serde2.OpenCSVSerde" &&
      t.storage_descriptor[0].ser_de_info[0].parameters == tomap({ separatorChar = ",", quoteChar = "\"", escapeChar = "\\" }) &&
      [for k in t.partition_keys : "${k.name} ${k.type}"] == ["ingest_date string"]
    ])
    error_message = "Every report table must read its own folder as quoted CSV, header skipped, partitioned by ingest_date."
  }

  # --- workgroup -------------------------------------------------------------------
  assert {
    condition = (
      aws_athena_workgroup.this.name == "orders-dev" &&
      aws_athena_workgroup.this.state == "ENABLED" &&
      aws_athena_workgroup.this.force_destroy == false &&
      aws_athena_workgroup.this.tags == tomap({ Team = "analytics" })
    )
    error_message = "The workgroup must be enabled, tagged, and kept on destroy by default."
  }
  assert {
    condition = (
      aws_athena_workgroup.this.configuration[0].enforce_workgroup_configuration == true &&
      aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 10737418240 &&
      aws_athena_workgroup.this.configuration[0].engine_version[0].selected_engine_version == "Athena engine version 3" &&
      aws_athena_workgroup.this.configuration[0].requester_pays_enabled == false
    )
    error_message = "The workgroup must enforce its configuration, cut queries off at 10 GiB by default and run engine version 3."
  }
  assert {
    condition = (
      aws_athena_workgroup.this.configuration[0].result_configuration[0].output_location == "s3://orders-dev-output/athena-results/" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].expected_bucket_owner == "111122223333" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_S3" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == null
    )
    error_message = "Results must go to the output bucket's athena-results/ prefix, owned by this account, encrypted with SSE_S3."
  }

  # --- named queries ---------------------------------------------------------------
  assert {
    condition = alltrue([
      for name in ["most_profitable_region", "most_common_ship_mode_by_category", "orders_by_category_subcategory"] :
      aws_athena_named_query.report[name].name == name &&
      aws_athena_named_query.report[name].query == file("${path.module}/queries/${name}.sql") &&
      aws_athena_named_query.report[name].database == "orders_dev" &&
      aws_athena_named_query.report[name].workgroup == "orders-dev"
    ]) && length(aws_athena_named_query.report) == 3
    error_message = "Each report's named query must be its SQL file, run in the database, saved in the workgroup."
  }

  # --- reader policy ---------------------------------------------------------------
  assert {
    condition = jsondecode(output.reader_policy_json) == {
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "UseWorkgroup"
          Effect   = "Allow"
          Action   = ["athena:GetNamedQuery", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup", "athena:ListNamedQueries", "athena:StartQueryExecution", "athena:StopQueryExecution"]
          Resource = ["arn:aws:athena:eu-west-1:111122223333:workgroup/orders-dev"]
        },
        {
          Sid    = "ReadCatalog"
          Effect = "Allow"
          Action = ["glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"]
          Resource = [
            "arn:aws:glue:eu-west-1:111122223333:catalog",
            "arn:aws:glue:eu-west-1:111122223333:database/orders_dev",
            "arn:aws:glue:eu-west-1:111122223333:table/orders_dev/*",
          ]
        },
        {
          Sid    = "ReadLakeObjects"
          Effect = "Allow"
          Action = ["s3:GetObject"]
          Resource = [
            "arn:aws:s3:::orders-dev-output/curated/orders/*",
            "arn:aws:s3:::orders-dev-output/reports/most_common_ship_mode_by_category/*",
            "arn:aws:s3:::orders-dev-output/reports/most_profitable_region/*",
            "arn:aws:s3:::orders-dev-output/reports/orders_by_category_subcategory/*",
          ]
        },
        {
          Sid      = "ListLakePrefixes"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = ["arn:aws:s3:::orders-dev-output"]
          Condition = {
            StringLike = {
              "s3:prefix" = [
                "curated/orders/*",
                "reports/most_common_ship_mode_by_category/*",
                "reports/most_profitable_region/*",
                "reports/orders_by_category_subcategory/*",
              ]
            }
          }
        },
        {
          Sid      = "WriteQueryResults"
          Effect   = "Allow"
          Action   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
          Resource = ["arn:aws:s3:::orders-dev-output/athena-results/*"]
        },
        {
          Sid       = "ListQueryResults"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = ["arn:aws:s3:::orders-dev-output"]
          Condition = { StringLike = { "s3:prefix" = ["athena-results/*"] } }
        },
        {
          Sid      = "LocateBuckets"
          Effect   = "Allow"
          Action   = ["s3:GetBucketLocation"]
          Resource = ["arn:aws:s3:::orders-dev-output"]
        },
      ]
    }
    error_message = "The reader policy must grant exactly the documented actions on exactly the documented resources: ${output.reader_policy_json}"
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(output.reader_policy_json).Statement : [
        for value in concat(s.Action, s.Resource) : !strcontains(value, "*") || endswith(value, "/*")
      ]
    ]))
    error_message = "No wildcard action or resource: '*' may only end a key prefix or a table ARN."
  }

  # --- outputs ---------------------------------------------------------------------
  assert {
    condition = (
      output.database_name == "orders_dev" &&
      output.orders_table_name == "orders" &&
      output.workgroup_name == "orders-dev" &&
      output.workgroup_arn == "arn:aws:athena:eu-west-1:111122223333:workgroup/orders-dev" &&
      output.results_location == "s3://orders-dev-output/athena-results/" &&
      output.report_table_names == {
        most_profitable_region            = "most_profitable_region"
        most_common_ship_mode_by_category = "most_common_ship_mode_by_category"
        orders_by_category_subcategory    = "orders_by_category_subcategory"
      } &&
      keys(output.named_query_ids) == ["most_common_ship_mode_by_category", "most_profitable_region", "orders_by_category_subcategory"]
    )
    error_message = "The outputs must name the database, tables, workgroup, results location and named queries."
  }
}

run "results_elsewhere_with_kms" {
  command = apply

  variables {
    output_bucket_arn              = "arn:aws-cn:s3:::orders-prod-output"
    curated_prefix                 = "lake/orders/"
    reports_prefix                 = "out/"
    results_bucket_arn             = "arn:aws-cn:s3:::orders-prod-athena"
    results_prefix                 = "results/"
    results_kms_key_arn            = "arn:aws-cn:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    data_kms_key_arns              = ["arn:aws-cn:kms:eu-west-1:111122223333:key/aaaabbbb-12ab-34cd-56ef-1234567890ab"]
    bytes_scanned_cutoff_per_query = 10485760
    force_destroy                  = true
  }

  assert {
    condition = (
      aws_athena_workgroup.this.force_destroy == true &&
      aws_athena_workgroup.this.configuration[0].bytes_scanned_cutoff_per_query == 10485760 &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].output_location == "s3://orders-prod-athena/results/" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS" &&
      aws_athena_workgroup.this.configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == var.results_kms_key_arn
    )
    error_message = "Results must go to the results bucket's prefix, encrypted with the given KMS key."
  }
  assert {
    condition = (
      aws_glue_catalog_table.orders.parameters["storage.location.template"] == "s3://orders-prod-output/lake/orders/ingest_date=$${ingest_date}/" &&
      aws_glue_catalog_table.report["orders_by_category_subcategory"].storage_descriptor[0].location == "s3://orders-prod-output/out/orders_by_category_subcategory/"
    )
    error_message = "The tables must follow curated_prefix and reports_prefix."
  }
  assert {
    condition = [for s in jsondecode(output.reader_policy_json).Statement : s if contains(["WriteQueryResults", "ListQueryResults", "LocateBuckets", "EncryptQueryResultsThroughS3", "DecryptLakeObjectsThroughS3"], s.Sid)] == [
      {
        Sid      = "WriteQueryResults"
        Effect   = "Allow"
        Action   = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]
        Resource = ["arn:aws-cn:s3:::orders-prod-athena/results/*"]
      },
      {
        Sid       = "ListQueryResults"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["arn:aws-cn:s3:::orders-prod-athena"]
        Condition = { StringLike = { "s3:prefix" = ["results/*"] } }
      },
      {
        Sid      = "LocateBuckets"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = ["arn:aws-cn:s3:::orders-prod-output", "arn:aws-cn:s3:::orders-prod-athena"]
      },
      {
        Sid       = "EncryptQueryResultsThroughS3"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = ["arn:aws-cn:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
        Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } }
      },
      {
        Sid       = "DecryptLakeObjectsThroughS3"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = ["arn:aws-cn:kms:eu-west-1:111122223333:key/aaaabbbb-12ab-34cd-56ef-1234567890ab"]
        Condition = { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } }
      },
    ]
    error_message = "Results in another bucket and KMS keys must be granted exactly: ${output.reader_policy_json}"
  }
  assert {
    condition = (
      jsondecode(output.reader_policy_json).Statement[0].Resource == ["arn:aws-cn:athena:eu-west-1:111122223333:workgroup/orders-dev"] &&
      jsondecode(output.reader_policy_json).Statement[2].Resource[0] == "arn:aws-cn:s3:::orders-prod-output/lake/orders/*"
    )
    error_message = "ARNs must use the partition of output_bucket_arn and the prefixes given."
  }
}
