"""The deployed function's Lambda Python runtime, in this process.

moto runs Lambda code only in Docker, so ``make demo`` (demo/run_demo.py), the soak's
consumers and tests/e2e call ``orders_reports.handler.lambda_handler`` in-process, with
the deployed function's environment and a Lambda-like context
(:class:`ExecutionEnvironment`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import REAL_AWS_VARIABLES, emulator_client_env

HANDLER = "orders_reports.handler.lambda_handler"


@dataclass(frozen=True)
class DeployedFunction:
    """What the poller needs to know about the function terraform deployed."""

    name: str
    arn: str
    timeout: int
    memory_size: int
    environment: Mapping[str, str]
    log_group: str

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> DeployedFunction:
        return cls(
            name=outputs["function_name"],
            arn=outputs["function_arn"],
            timeout=int(outputs["function_timeout"]),
            memory_size=int(outputs["function_memory_size"]),
            environment=dict(outputs["function_environment"]),
            log_group=outputs["log_group_name"],
        )


class LambdaContext:
    """The attributes the Lambda Python runtime passes as ``context``."""

    def __init__(self, function: DeployedFunction) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = function.memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = function.log_group
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_runtime_env(function: DeployedFunction, endpoint_url: str) -> dict[str, str]:
    """The function's own environment plus what Lambda's runtime would set.

    boto3 inside the handler reaches the emulator through AWS_ENDPOINT_URL.
    """
    return {
        **emulator_client_env(endpoint_url),
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
        "_HANDLER": HANDLER,
        **function.environment,
    }


class ExecutionEnvironment:
    """One warm Lambda execution environment of the deployed function, in this process.

    Like Lambda's init phase, the first invocation imports a fresh instance of the
    handler module with the function's environment in place (the handler reads
    its configuration at import); later invocations reuse it, as a warm
    environment does. The fresh instance keeps it independent of any copy of the
    module imported elsewhere in the process (e.g. by other tests). The
    environment variables are set only for the duration of each call.
    """

    def __init__(self, function: DeployedFunction, endpoint_url: str) -> None:
        self.function = function
        self.env = lambda_runtime_env(function, endpoint_url)
        self._handler: Callable[[dict[str, Any], LambdaContext], Any] | None = None

    def _cold_start(self) -> Callable[[dict[str, Any], LambdaContext], Any]:
        module_name, _, attribute = HANDLER.rpartition(".")
        spec = importlib.util.find_spec(module_name)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(f"{module_name} is not installed (run `make setup`)")
        module = importlib.util.module_from_spec(spec)
        # Registered while it executes (dataclasses and pickling look modules up
        # by name), then the previous entry is put back.
        previous = sys.modules.get(module_name)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            if previous is None:
                sys.modules.pop(module_name, None)
            else:
                sys.modules[module_name] = previous
        handler: Callable[[dict[str, Any], LambdaContext], Any] = getattr(module, attribute)
        return handler

    def warm(self) -> Callable[[dict[str, Any], LambdaContext], Any]:
        """The handler, after running the init phase if it has not run yet.

        Called before the first event, it is a pre-warmed environment.
        """
        if self._handler is None:
            with patched_environ(self.env, remove=REAL_AWS_VARIABLES):
                self._handler = self._cold_start()
        return self._handler

    def __call__(self, event: dict[str, Any]) -> Any:
        handler = self.warm()
        with patched_environ(self.env, remove=REAL_AWS_VARIABLES):
            return handler(event, LambdaContext(self.function))


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str], remove: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and afterwards restore) process environment variables."""
    saved = {name: os.environ.get(name) for name in (*values, *remove)}
    try:
        for name in remove:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
