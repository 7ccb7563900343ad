"""The Lambda entry point: S3 notifications (via SQS or direct) -> the report engine.

Only wiring lives here. Configuration comes from the environment and is checked at
cold start: without OUTPUT_BUCKET the function fails to initialise, with a message
saying so, instead of failing one message at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes import S3Event, SQSRecord
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders_reports import layout, outputs, storage
from orders_reports.engine import build_reports
from orders_reports.schema import InputRefused
from orders_reports.sources import Provenance, SourceObject

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

SERVICE = "orders-reports"


class ConfigurationError(RuntimeError):
    """The function's environment is incomplete; no event can be processed."""


@dataclass(frozen=True)
class Settings:
    output_bucket: str
    output_prefix: str = "reports/"
    curated_prefix: str = "curated/orders/"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        bucket = environ.get("OUTPUT_BUCKET", "").strip()
        if not bucket:
            raise ConfigurationError(
                "OUTPUT_BUCKET is not set: the function needs the name of the bucket "
                "to write reports to in its environment"
            )
        settings = cls(
            output_bucket=bucket,
            output_prefix=layout.normalise_prefix(environ.get("OUTPUT_PREFIX", "reports/")),
            curated_prefix=layout.normalise_prefix(
                environ.get("CURATED_PREFIX", "curated/orders/")
            ),
            log_level=environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
        )
        reports, curated = settings.output_prefix, settings.curated_prefix
        if not curated or curated.startswith(reports) or reports.startswith(curated):
            raise ConfigurationError(
                f"CURATED_PREFIX {curated!r} and OUTPUT_PREFIX {reports!r} must be two"
                " separate, non-empty prefixes (the curated dataset is a table of its own)"
            )
        return settings


SETTINGS = Settings.from_env()
logger = Logger(service=SERVICE, level=SETTINGS.log_level)
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@cache
def s3_client() -> S3Client:
    # Created on first use (reused across warm invocations), not at import.
    return storage.s3_client()


def _s3_records(notification: Mapping[str, Any]) -> Iterator[S3EventRecord]:
    """The object records of an S3 notification; none for S3's test event."""
    if notification.get("Event") == "s3:TestEvent":
        logger.info("ignoring s3:TestEvent", extra={"bucket": notification.get("Bucket")})
        return
    for record in S3Event(dict(notification)).records:
        if record.event_name.startswith("ObjectCreated:"):
            yield record
        else:
            # Only creations carry a file to read (deletions etc. have nothing to report).
            logger.info(
                "ignoring S3 event",
                extra={"event_name": record.event_name, "source": _source(record).uri},
            )


def _source(record: S3EventRecord) -> SourceObject:
    s3_object = record.s3.get_object
    return SourceObject(
        bucket=record.s3.bucket.name,
        # Keys arrive URL-encoded ('+' for space, %xx for the rest).
        key=unquote_plus(s3_object.key),
        version_id=s3_object.version_id or None,
        etag=s3_object.etag or None,
    )


def process_record(record: S3EventRecord, settings: Settings | None = None) -> None:
    """Compute and write the outputs of one S3 object (or record its refusal)."""
    settings = settings or SETTINGS
    provenance = Provenance(_source(record), layout.parse_event_time(record.event_time))
    keys = layout.output_keys(settings.output_prefix, settings.curated_prefix, provenance)
    client = s3_client()
    described = {
        "source": provenance.source.uri,
        "version_id": provenance.source.version_id,
        "etag": provenance.source.etag,
        "event_time": record.event_time,
    }
    with storage.S3Keys(client, settings.output_bucket, keys) as target:
        try:
            with storage.open_s3_object(client, provenance.source) as body:
                result = build_reports(body, open_output=target.open_output, provenance=provenance)
        except InputRefused as refusal:
            target.discard()
            target.apply(outputs.refusal_plan(str(refusal), provenance, target.places))
            logger.warning(
                "input refused",
                extra={**described, "reason": str(refusal), "refusal": keys[outputs.REFUSAL]},
            )
            return
        target.apply(outputs.run_plan(result, provenance, target.places))
    logger.info(
        "reports written",
        extra={
            **described,
            "rows_total": result.rows_total,
            "rows_valid": result.rows_valid,
            "rows_rejected": result.rows_rejected,
            "manifest": keys[outputs.MANIFEST],
        },
    )


def _sqs_record_handler(record: SQSRecord) -> None:
    try:
        for s3_record in _s3_records(record.json_body):
            process_record(s3_record)
    except Exception:
        logger.exception(
            "message failed, it will be retried", extra={"message_id": record.message_id}
        )
        raise


def _is_sqs(event: Mapping[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and records[0].get("eventSource") == "aws:sqs"


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Mapping[str, Any]:
    """SQS batches get a partial-batch response; a direct S3 event raises if any record failed."""
    if _is_sqs(event):
        return process_partial_response(
            event=event, record_handler=_sqs_record_handler, processor=processor, context=context
        )
    failed = 0
    records = list(_s3_records(event))
    for s3_record in records:
        try:
            process_record(s3_record)
        except Exception:
            failed += 1
            logger.exception("record failed", extra={"source": _source(s3_record).uri})
    if failed:
        # Every record is attempted; the retry reprocesses them all, which the
        # deterministic output keys make harmless.
        raise RuntimeError(f"{failed} of {len(records)} S3 records failed")
    return {"processed": len(records)}
