"""The catalog module applied by terraform to moto_server, read back, and destroyed.

moto stores Glue and Athena resources but runs no query, so the test plays Athena's
part where it can: it writes a curated Parquet file where the orders table's location
template points for one day, fetches the named query's SQL from the emulator, and runs
it with DuckDB over the objects found there.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from edge_cases import EDGE_CSV, EDGE_REPORTS
from emulator import REAL_AWS_VARIABLES, MotoServer, aws_client, moto_server_command
from lake_files import SCHEMA, Upload, table
from lake_sql import REPORT_NAMES, query_path, run_on_parquet
from reference_model import REPORT_COLUMNS, curated_rows
from scenarios import EVENT_TIME
from terraform_stack import TerraformStack

from support import REPO_ROOT, missing_tool, require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

COMPOSITION_DIR = Path(__file__).resolve().parent / "terraform"
PREFIX = "catalog-e2e"
PROJECTION = {
    "projection.enabled": "true",
    "projection.ingest_date.type": "date",
    "projection.ingest_date.format": "yyyy-MM-dd",
    "projection.ingest_date.range": "2026-01-01,NOW",
    "projection.ingest_date.interval": "1",
    "projection.ingest_date.interval.unit": "DAYS",
}


class CatalogStack(TerraformStack):
    """TerraformStack on this directory's composition, staged at the same depth below a
    ``modules`` symlink, so its ``../../../modules/...`` sources resolve."""

    def __init__(self, terraform: str, work_dir: Path, variables: dict[str, Any]) -> None:
        super().__init__(terraform, work_dir, variables)
        self.stage_dir = work_dir / "stage" / COMPOSITION_DIR.relative_to(REPO_ROOT)

    def _stage(self) -> None:
        self.stage_dir.mkdir(parents=True)
        for source in COMPOSITION_DIR.glob("*.tf"):
            shutil.copy2(source, self.stage_dir / source.name)
        (self.work_dir / "stage" / "modules").symlink_to(
            REPO_ROOT / "modules", target_is_directory=True
        )
        (self.work_dir / "variables.tfvars.json").write_text(json.dumps(self.variables))
        self._staged = True

    def forget(self, address: str) -> None:
        """Drop resources from the state, so destroy leaves them alone."""
        self._run("state", "rm", "-no-color", address)


@dataclass
class Deployed:
    outputs: dict[str, Any]
    clients: dict[str, Any]

    @property
    def catalog(self) -> dict[str, Any]:
        return dict(self.outputs["catalog"])


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    terraform = require_tool("terraform")
    moto = moto_server_command()
    if moto is None:
        missing_tool("moto[server] is not installed in this interpreter")
        raise AssertionError("unreachable")
    work = tmp_path_factory.mktemp("catalog-stack")
    server = MotoServer(moto, work / "moto_server.log")
    server.start()
    try:
        stack = CatalogStack(
            terraform, work, {"endpoint_url": server.endpoint_url, "name_prefix": PREFIX}
        )
        for name in REAL_AWS_VARIABLES:
            stack.env.pop(name, None)
        stack.init()
        stack.apply()
        clients = {s: aws_client(s, server.endpoint_url) for s in ("s3", "glue", "athena")}
        yield Deployed(stack.outputs(), clients)

        # moto 5.2 has no DeleteNamedQuery (the provider would retry it until it times
        # out), so the saved queries leave the state here instead of being deleted.
        stack.forget("module.catalog.aws_athena_named_query.report")
        stack.destroy()
        with pytest.raises(ClientError, match="EntityNotFound"):
            clients["glue"].get_database(Name="catalog_e2e_lake")
        groups = clients["athena"].list_work_groups()["WorkGroups"]
        assert f"{PREFIX}-lake" not in {g["Name"] for g in groups}
    finally:
        server.stop()


def glue_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type):
        return "string"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    assert pa.types.is_timestamp(arrow_type), arrow_type
    return "timestamp"


def test_orders_table_reads_the_curated_parquet_with_projection(deployed: Deployed) -> None:
    glue = deployed.clients["glue"]
    found = glue.get_table(DatabaseName="catalog_e2e_lake", Name="orders")["Table"]
    location = f"s3://{PREFIX}-output/curated/orders/"
    assert found["Parameters"] == {
        **PROJECTION,
        "EXTERNAL": "TRUE",
        "classification": "parquet",
        "storage.location.template": location + "ingest_date=${ingest_date}/",
    }
    assert found["PartitionKeys"] == [
        {"Name": "ingest_date", "Type": "string", "Comment": found["PartitionKeys"][0]["Comment"]}
    ]
    descriptor = found["StorageDescriptor"]
    assert descriptor["Location"] == location
    assert descriptor["SerdeInfo"]["SerializationLibrary"] == (
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [
        (field.name, glue_type(field.type)) for field in SCHEMA
    ]


def test_one_csv_table_per_report_folder(deployed: Deployed) -> None:
    glue = deployed.clients["glue"]
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="catalog_e2e_lake")["TableList"]}
    assert set(tables) == {"orders", *REPORT_NAMES}
    for report in REPORT_NAMES:
        location = f"s3://{PREFIX}-output/reports/{report}/"
        assert tables[report]["Parameters"] == {
            **PROJECTION,
            "EXTERNAL": "TRUE",
            "classification": "csv",
            "skip.header.line.count": "1",
            "storage.location.template": location + "ingest_date=${ingest_date}/",
        }
        descriptor = tables[report]["StorageDescriptor"]
        assert descriptor["Location"] == location
        assert descriptor["SerdeInfo"]["SerializationLibrary"] == (
            "org.apache.hadoop.hive.serde2.OpenCSVSerde"
        )
        assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [
            (column, "string") for column in REPORT_COLUMNS[report]
        ]


def test_workgroup_enforces_its_configuration(deployed: Deployed) -> None:
    group = deployed.clients["athena"].get_work_group(WorkGroup=f"{PREFIX}-lake")["WorkGroup"]
    configuration = group["Configuration"]
    assert group["State"] == "ENABLED"
    assert configuration["EnforceWorkGroupConfiguration"] is True
    assert configuration["BytesScannedCutoffPerQuery"] == 10737418240
    assert configuration["ResultConfiguration"]["OutputLocation"] == (
        f"s3://{PREFIX}-output/athena-results/"
    )
    assert configuration["ResultConfiguration"]["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_S3"
    }
    assert configuration["EngineVersion"]["SelectedEngineVersion"] == "Athena engine version 3"
    assert deployed.catalog["workgroup_arn"].endswith(f":workgroup/{PREFIX}-lake")


def named_queries(athena: Any, workgroup: str) -> dict[str, dict[str, Any]]:
    ids = athena.list_named_queries(WorkGroup=workgroup)["NamedQueryIds"]
    found = [athena.get_named_query(NamedQueryId=i)["NamedQuery"] for i in ids]
    return {query["Name"]: query for query in found}


def test_named_queries_are_the_sql_files_run_in_the_database(deployed: Deployed) -> None:
    queries = named_queries(deployed.clients["athena"], f"{PREFIX}-lake")
    assert set(queries) == set(REPORT_NAMES)
    for report, query in queries.items():
        assert query["QueryString"] == query_path(report).read_text(encoding="utf-8")
        assert query["Database"] == "catalog_e2e_lake"
        assert query["WorkGroup"] == f"{PREFIX}-lake"
    assert deployed.catalog["named_query_ids"] == {
        name: query["NamedQueryId"] for name, query in queries.items()
    }


def test_named_queries_over_the_objects_the_table_points_at(
    deployed: Deployed, tmp_path: Path
) -> None:
    s3, glue = deployed.clients["s3"], deployed.clients["glue"]
    upload = Upload("incoming/edge.csv", curated_rows(EDGE_CSV), EVENT_TIME, version="1")
    buffer = io.BytesIO()
    pq.write_table(table(upload), buffer)
    bucket = deployed.outputs["bucket_name"]
    key = f"curated/orders/ingest_date={upload.ingest_date}/edge-0123456789abcdef.parquet"
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())

    # Resolve the day's folder the way partition projection does, then read it back.
    template = glue.get_table(DatabaseName="catalog_e2e_lake", Name="orders")["Table"][
        "Parameters"
    ]["storage.location.template"]
    folder = template.replace("${ingest_date}", upload.ingest_date)
    bucket_name, _, prefix = folder.removeprefix("s3://").partition("/")
    files = []
    for item in s3.list_objects_v2(Bucket=bucket_name, Prefix=prefix)["Contents"]:
        files.append(tmp_path / Path(item["Key"]).name)
        files[-1].write_bytes(s3.get_object(Bucket=bucket_name, Key=item["Key"])["Body"].read())
    assert len(files) == 1

    queries = named_queries(deployed.clients["athena"], f"{PREFIX}-lake")
    for report in REPORT_NAMES:
        assert run_on_parquet(queries[report]["QueryString"], files) == EDGE_REPORTS[report]
