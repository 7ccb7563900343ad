resource "aws_glue_catalog_database" "this" {
  name        = var.database_name
  description = "The orders lake: curated order lines (table orders) and the per-file reports."

  tags = var.tags
}

# The curated dataset: one Parquet file per processed input file, holding its valid
# lines. Columns and types are the contract of the file the function writes.
resource "aws_glue_catalog_table" "orders" {
  name          = "orders"
  database_name = aws_glue_catalog_database.this.name
  description   = "Valid order lines of every processed file, one Parquet file per upload; an object key uploaded again appears once per upload (the named queries keep the latest)."
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.projection_parameters, {
    EXTERNAL                    = "TRUE"
    classification              = "parquet"
    "storage.location.template" = "${local.curated_location}ingest_date=$${ingest_date}/"
  })

  partition_keys {
    name    = "ingest_date"
    type    = "string"
    comment = "UTC day of the S3 event that delivered the file (folder ingest_date=YYYY-MM-DD)."
  }

  storage_descriptor {
    location      = local.curated_location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = {
        "serialization.format" = "1"
      }
    }

    dynamic "columns" {
      for_each = [
        { name = "order_id", type = "string", comment = "Order id, trimmed; case-sensitive." },
        { name = "ship_mode", type = "string", comment = "As written, trimmed; empty or 'Not Available' (any case) means unknown." },
        { name = "region", type = "string", comment = "Trimmed." },
        { name = "category", type = "string", comment = "Trimmed." },
        { name = "sub_category", type = "string", comment = "Trimmed." },
        { name = "cost_price", type = "decimal(20,7)", comment = "Exact, as written." },
        { name = "list_price", type = "decimal(20,7)", comment = "Exact, as written." },
        { name = "quantity", type = "decimal(13,0)", comment = "Whole number >= 1." },
        { name = "discount_percent", type = "decimal(10,7)", comment = "In [0, 100]." },
        { name = "profit", type = "decimal(38,16)", comment = "Exact: (list_price * (1 - discount_percent / 100) - cost_price) * quantity." },
        { name = "source_bucket", type = "string", comment = "Bucket of the input object." },
        { name = "source_key", type = "string", comment = "Key of the input object." },
        { name = "source_version", type = "string", comment = "S3 version id of the input object, else its ETag." },
        { name = "event_time", type = "timestamp", comment = "Time of the S3 event (UTC, milliseconds)." },
      ]
      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }
}

# One table per report folder: each row is a row of one file's report ("$path"
# names the file). OpenCSVSerde handles the reports' RFC 4180 quoting but reads
# every value as text, so every column is declared string; cast in queries
# (CAST(order_count AS bigint), CAST(profit AS decimal(38,2))).
resource "aws_glue_catalog_table" "report" {
  for_each = local.report_columns

  name          = each.key
  database_name = aws_glue_catalog_database.this.name
  description   = "The ${each.key} report of every processed file (one CSV per file, header skipped)."
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.projection_parameters, {
    EXTERNAL                    = "TRUE"
    classification              = "csv"
    "skip.header.line.count"    = "1"
    "storage.location.template" = "${local.report_locations[each.key]}ingest_date=$${ingest_date}/"
  })

  partition_keys {
    name    = "ingest_date"
    type    = "string"
    comment = "UTC day of the S3 event that delivered the file (folder ingest_date=YYYY-MM-DD)."
  }

  storage_descriptor {
    location      = local.report_locations[each.key]
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
      parameters = {
        separatorChar = ","
        quoteChar     = "\""
        escapeChar    = "\\"
      }
    }

    dynamic "columns" {
      for_each = each.value
      content {
        name = columns.value
        type = "string"
      }
    }
  }
}
