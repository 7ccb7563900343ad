"""The soak's faults, injected inside a consumer process through botocore's event hooks.

Hooks rather than a fault-injecting proxy in front of moto_server: they see the
operation name and the bucket and key of every call (a proxy would have to parse
S3's REST paths and multipart query strings), they act on the handler's own client
whichever call it makes (``put_object``, ``upload_fileobj`` and its transfer threads,
multipart parts, deletes), a seeded generator per process makes the share of
failing calls reproducible, and every injection is counted where it happens. They
short-circuit a call before it is sent, so botocore's own retries never see them:
each injected error reaches the handler, as a persistent failure of the service
would, and must be survived by the SQS redelivery path.

Kinds, each recorded as one ``fault`` event:

- ``transient``: a share of the object calls fails with an error S3 returns under
  load (503 SlowDown, 500 InternalError, 503 ServiceUnavailable, 400 RequestTimeout)
  or a refused connection; a GetObject may instead have its body cut off half way;
- ``write_refused``: during a time window every write to the output bucket gets
  403 AccessDenied, as if a bucket policy refused it;
- ``awaiting_kill``: at a chosen write the consumer announces itself and waits to be
  killed with SIGKILL by the supervisor (demo/soak.py), in the middle of a batch.

Transient faults and kills are transient by construction: they hit only batches
whose messages were each received at most ``transient_max_receive`` times, so a
message's later deliveries see none of them and every file that can succeed does
within the queue's maxReceiveCount. The write window is shorter than the visibility
timeout, so it can fail a message's delivery once at most.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from botocore import handlers
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import EndpointConnectionError
from botocore.response import StreamingBody
from urllib3.exceptions import ProtocolError

# Writes to the output bucket: single-part, multipart, copies and deletes.
WRITE_OPERATIONS = frozenset(
    {
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "CopyObject",
        "DeleteObject",
        "DeleteObjects",
    }
)
READ_OPERATIONS = frozenset({"GetObject", "HeadObject"})
# Errors S3 returns under load or trouble: code -> (HTTP status, S3's message).
TRANSIENT_ERRORS = {
    "SlowDown": (503, "Please reduce your request rate."),
    "InternalError": (500, "We encountered an internal error. Please try again."),
    "ServiceUnavailable": (503, "Service is unable to handle request."),
    "RequestTimeout": (
        400,
        "Your socket connection to the server was not read from or written to"
        " within the timeout period.",
    ),
}
CONNECTION_REFUSED = "EndpointConnectionError"
BODY_CUT_OFF = "BodyCutOff"  # GetObject only
TRANSIENT_KINDS = (*TRANSIENT_ERRORS, CONNECTION_REFUSED, BODY_CUT_OFF)
# Outside a batch (no batch is being handled) nothing is injected.
NO_BATCH = 1 << 30


@dataclass(frozen=True)
class FaultPlan:
    """What one consumer process injects (the supervisor writes it, seeded per process)."""

    seed: int
    output_bucket: str
    transient_share: float
    transient_max_receive: int
    # {"from": t, "until": t} in epoch seconds; the supervisor writes it once the first
    # batches are done, so the window falls in the middle of the first wave.
    write_window_file: str
    await_kill_at_write: int | None = None  # the Nth write of an eligible batch waits
    kill_wait_seconds: float = 30.0
    transient_kinds: tuple[str, ...] = TRANSIENT_KINDS


class _CutOffStream:
    """A response body that breaks after ``limit`` bytes, as a dropped connection does."""

    def __init__(self, body: StreamingBody, limit: int, on_cut: Callable[[], None]) -> None:
        self._body = body
        self._limit = limit
        self._served = 0
        self._on_cut = on_cut

    def _cut(self) -> ProtocolError:
        self._on_cut()
        return ProtocolError("Connection broken: IncompleteRead (injected by the soak)")

    def read(self, amt: int | None = None) -> bytes:
        remaining = self._limit - self._served
        if amt is None or amt < 0 or remaining <= 0:
            raise self._cut()
        chunk = self._body.read(min(amt, remaining))
        self._served += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._body.close()


class FaultInjector:
    """Decides, injects and records the faults of one consumer process."""

    def __init__(self, plan: FaultPlan, record: Callable[[dict[str, Any]], None]) -> None:
        self.plan = plan
        self.record = record
        self._rng = random.Random(plan.seed)
        # The handler's transfer threads make calls too.
        self._lock = threading.Lock()
        self._batch_receives = NO_BATCH
        self._eligible_writes = 0
        self._window: tuple[float, float] | None = None

    def _writes_refused(self) -> bool:
        if self._window is None:
            try:
                window = json.loads(Path(self.plan.write_window_file).read_text())
            except (FileNotFoundError, ValueError):
                return False  # not written yet (or being written)
            self._window = (float(window["from"]), float(window["until"]))
        return self._window[0] <= time.time() < self._window[1]

    def hooks(self) -> list[tuple[str, Callable[..., Any]]]:
        """(event name, handler) pairs, for a botocore session's ``register``."""
        return [
            ("before-parameter-build.s3", self._remember_target),
            ("before-call.s3", self._before_call),
            ("after-call.s3", self._after_call),
        ]

    def install(self) -> None:
        """Hook every botocore session created from now on (the handler's among them)."""
        handlers.BUILTIN_HANDLERS.extend(self.hooks())

    def begin_batch(self, receive_counts: list[int]) -> None:
        with self._lock:
            self._batch_receives = max(receive_counts, default=NO_BATCH)

    def end_batch(self) -> None:
        with self._lock:
            self._batch_receives = NO_BATCH

    # --- hooks -----------------------------------------------------------------

    @staticmethod
    def _remember_target(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["soak_target"] = (params.get("Bucket"), params.get("Key"))

    def _before_call(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        operation = model.name
        bucket, key = context.get("soak_target", (None, None))
        is_write = operation in WRITE_OPERATIONS and bucket == self.plan.output_bucket
        if is_write and self._writes_refused():
            self._fault("write_refused", operation, bucket, key, "AccessDenied")
            return _error_response(params, "AccessDenied", 403, "Access Denied")
        with self._lock:
            eligible = self._batch_receives <= self.plan.transient_max_receive
            kill_now = False
            if eligible and is_write and self.plan.await_kill_at_write is not None:
                self._eligible_writes += 1
                kill_now = self._eligible_writes == self.plan.await_kill_at_write
            draw, pick = self._rng.random(), self._rng.random()
        if kill_now:
            self._await_kill(operation, bucket, key)
        relevant = operation in WRITE_OPERATIONS or operation in READ_OPERATIONS
        if not (eligible and relevant and draw < self.plan.transient_share):
            return None
        kinds = [
            k for k in self.plan.transient_kinds if k != BODY_CUT_OFF or operation == "GetObject"
        ]
        if not kinds:
            return None
        kind = kinds[int(pick * len(kinds))]
        if kind == BODY_CUT_OFF:
            context["soak_cut_off"] = True  # the body breaks half way (see _after_call)
            return None
        self._fault("transient", operation, bucket, key, kind)
        if kind == CONNECTION_REFUSED:
            raise EndpointConnectionError(endpoint_url=params.get("url", ""))
        status, message = TRANSIENT_ERRORS[kind]
        return _error_response(params, kind, status, message)

    def _after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        if http_response.status_code >= 300:
            return
        bucket, key = context.get("soak_target", (None, None))
        operation = model.name
        if operation in WRITE_OPERATIONS and bucket == self.plan.output_bucket:
            self.record({"event": "write", "op": operation, "key": key})
        length = int(parsed.get("ContentLength") or 0)
        if context.get("soak_cut_off") and length >= 2 and "Body" in parsed:
            cut_off = _CutOffStream(
                parsed["Body"],
                length // 2,
                lambda: self._fault("transient", operation, bucket, key, BODY_CUT_OFF),
            )
            # StreamingBody calls only read(), readinto() and close() on what it wraps.
            parsed["Body"] = StreamingBody(cast("IO[bytes]", cut_off), length)

    # --- helpers ---------------------------------------------------------------

    def _fault(
        self, kind: str, operation: str, bucket: str | None, key: str | None, code: str
    ) -> None:
        self.record(
            {
                "event": "fault",
                "kind": kind,
                "op": operation,
                "bucket": bucket,
                "key": key,
                "code": code,
            }
        )

    def _await_kill(self, operation: str, bucket: str | None, key: str | None) -> None:
        self.record({"event": "awaiting_kill", "op": operation, "bucket": bucket, "key": key})
        time.sleep(self.plan.kill_wait_seconds)
        # Still alive: the supervisor did not kill us; carry on, it reports the miss.
        self.record({"event": "kill_not_delivered"})


def _error_response(
    params: dict[str, Any], code: str, status: int, message: str
) -> tuple[AWSResponse, dict[str, Any]]:
    """What botocore would have parsed from S3's error reply (it raises it as ClientError)."""
    http = AWSResponse(params.get("url", ""), status, HTTPHeaders(), None)
    parsed = {
        "Error": {"Code": code, "Message": f"{message} (injected by the soak)"},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0},
    }
    return http, parsed
