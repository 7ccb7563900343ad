"""A local Lambda Runtime API: the HTTP interface a runtime interface client polls.

It serves the calls the client makes, the way Lambda's service answers them:

    GET  /2018-06-01/runtime/invocation/next          the next queued event, with the
                                                      Lambda-Runtime-* headers (blocks)
    POST /2018-06-01/runtime/invocation/{id}/response 202; the function's result
    POST /2018-06-01/runtime/invocation/{id}/error    202; the function's error
    POST /2018-06-01/runtime/init/error               202; the initialisation error

Anything else is answered 404 and kept in ``unexpected``, so a test can assert the
client made no other call.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API = "/2018-06-01/runtime"
_RESULT_PATH = re.compile(rf"^{API}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


@dataclass(frozen=True)
class Invocation:
    """One event handed to the function, with what the service sends beside it."""

    event: dict[str, Any]
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:orders-processor"
    trace_id: str = "Root=1-67890abc-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
    timeout_seconds: int = 60

    def headers(self) -> dict[str, str]:
        deadline_ms = int((time.time() + self.timeout_seconds) * 1000)
        return {
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.function_arn,
            "Lambda-Runtime-Trace-Id": self.trace_id,
            "Content-Type": "application/json",
        }


@dataclass(frozen=True)
class Posted:
    """A body the client posted (a result or an error), parsed, with its headers."""

    kind: str  # "response", "error" or "init/error"
    request_id: str | None
    body: Any
    headers: dict[str, str]  # names in lower case: HTTP header names ignore case

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class RuntimeApi:
    """The Runtime API on a free loopback port; ``address`` is AWS_LAMBDA_RUNTIME_API."""

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._results: dict[str, Posted] = {}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self.polls = 0
        self.handed_out: list[str] = []
        self.init_errors: list[Posted] = []
        self.unexpected: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def __enter__(self) -> RuntimeApi:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def invoke(
        self, invocation: Invocation, alive: Callable[[], bool], timeout: float = 120.0
    ) -> Posted:
        """Queue ``invocation`` and wait for the function's response or error.

        ``alive`` tells whether the function's process still runs: a process that dies
        never answers, so waiting stops at once (and ``timeout`` bounds a hung one).
        """
        self._pending.put(invocation)
        deadline = time.monotonic() + timeout
        with self._changed:
            while invocation.request_id not in self._results:
                if not alive():
                    raise RuntimeError(f"the function exited during {invocation.request_id}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no result for {invocation.request_id} in {timeout}s")
                self._changed.wait(0.1)
            return self._results[invocation.request_id]

    def wait_for_init(self, alive: Callable[[], bool], timeout: float = 120.0) -> bool:
        """True once the function asks for its first event, False if it exits first.

        The client asks for an event only after the handler's module imported, so
        this is the end of the init phase either way.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.polls == 0 and alive():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the function neither polled nor exited in {timeout}s")
                self._changed.wait(0.1)
            return self.polls > 0

    def _next_invocation(self) -> Invocation | None:
        """Block like the service does until an event is queued (or the API stops)."""
        while not self._stopping.is_set():
            try:
                return self._pending.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    def _record(self, posted: Posted) -> HTTPStatus:
        with self._changed:
            if posted.kind == "init/error":
                self.init_errors.append(posted)
            elif posted.request_id not in self.handed_out or posted.request_id in self._results:
                return HTTPStatus.BAD_REQUEST  # unknown or already answered, as the service
            else:
                assert posted.request_id is not None
                self._results[posted.request_id] = posted
            self._changed.notify_all()
        return HTTPStatus.ACCEPTED

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test asserts on what was called, not on an access log."""

            def _reply(self, status: HTTPStatus, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path != f"{API}/invocation/next":
                    api.unexpected.append(f"GET {self.path}")
                    self._reply(HTTPStatus.NOT_FOUND)
                    return
                with api._changed:
                    api.polls += 1
                    api._changed.notify_all()
                invocation = api._next_invocation()
                if invocation is None:  # stopping; the client is usually gone already
                    self.close_connection = True
                    return
                with api._changed:
                    api.handed_out.append(invocation.request_id)
                body = json.dumps(invocation.event).encode()
                self.send_response(HTTPStatus.OK)
                for name, value in invocation.headers().items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                body = json.loads(raw) if raw else None
                if self.path == f"{API}/init/error":
                    status = api._record(Posted("init/error", None, body, headers))
                elif match := _RESULT_PATH.match(self.path):
                    posted = Posted(match["kind"], match["id"], body, headers)
                    status = api._record(posted)
                else:
                    api.unexpected.append(f"POST {self.path}")
                    status = HTTPStatus.NOT_FOUND
                self._reply(status)

        return Handler
