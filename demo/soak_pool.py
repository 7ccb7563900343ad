"""The soak's consumer processes: started, watched, killed on cue, replaced, stopped.

Every child is started from the main thread (its parent-death signal is tied to the
thread that started it), in a session of its own (a Ctrl-C at the terminal reaches
the supervisor only, which then stops them in order) and with a parent-death signal
(a supervisor killed outright still takes them down).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import die_with_parent, stop_process_group

CONSUMER = Path(__file__).resolve().parent / "soak_consumer.py"


@dataclass
class Consumer:
    index: int
    process: subprocess.Popen[bytes]
    log: Path
    offset: int = 0
    started: bool = False
    last_batch: list[str] = field(default_factory=list)


class ConsumerPool:
    def __init__(
        self, work: Path, env: dict[str, str], config: dict[str, Any], faults: dict[str, Any]
    ) -> None:
        self.work = work
        self.env = env
        self.config = config  # endpoint, outputs
        self.faults = faults  # soak_faults.FaultPlan's fields but the per-process ones
        self.running: dict[int, Consumer] = {}
        self.finished: list[Consumer] = []
        self.kills: list[dict[str, Any]] = []
        self.crashes: list[str] = []
        self.pids: list[int] = []
        self.batches_done = 0
        self._next_index = 0

    def start(self, await_kill_at_write: int | None = None) -> Consumer:
        index = self._next_index
        self._next_index += 1
        log = self.work / f"consumer-{index}.jsonl"
        faults = {
            **self.faults,
            "seed": self.faults["seed"] * 1000 + index,
            "await_kill_at_write": await_kill_at_write,
        }
        path = self.work / f"consumer-{index}.json"
        path.write_text(
            json.dumps({**self.config, "consumer": index, "log": str(log), "faults": faults})
        )
        with (self.work / f"consumer-{index}.out").open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, str(CONSUMER), str(path)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509 - only sets PDEATHSIG
            )
        consumer = Consumer(index, process, log)
        self.running[index] = consumer
        self.pids.append(process.pid)
        return consumer

    def _new_events(self, consumer: Consumer) -> list[dict[str, Any]]:
        try:
            with consumer.log.open("rb") as handle:
                handle.seek(consumer.offset)
                data = handle.read()
        except FileNotFoundError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        consumer.offset += len(complete)
        return [json.loads(line) for line in complete.splitlines()]

    def supervise(self) -> None:
        """Kill whoever awaits it, replace whoever is gone."""
        for consumer in list(self.running.values()):
            for event in self._new_events(consumer):
                if event["event"] == "started":
                    consumer.started = True
                elif event["event"] == "batch":
                    consumer.last_batch = [m["id"] for m in event["messages"]]
                elif event["event"] == "batch_done":
                    self.batches_done += 1
                elif event["event"] == "awaiting_kill":
                    self._kill(consumer, event)
            if consumer.index in self.running and consumer.process.poll() is not None:
                self.crashes.append(
                    f"consumer {consumer.index} exited by itself ({consumer.process.returncode})"
                )
                self._retire(consumer)
                self.start()

    def wait_started(self, timeout: float) -> None:
        """Until every running consumer has its handler warm and polls the queue."""
        deadline = time.monotonic() + timeout
        while not all(c.started for c in self.running.values()):
            if time.monotonic() > deadline:
                raise RuntimeError(f"consumers did not start within {timeout:.0f}s")
            self.supervise()
            time.sleep(0.2)

    def _kill(self, consumer: Consumer, event: dict[str, Any]) -> None:
        os.kill(consumer.process.pid, signal.SIGKILL)
        consumer.process.wait()
        self.kills.append(
            {
                "consumer": consumer.index,
                "pid": consumer.process.pid,
                "t": time.time(),
                "during": f"{event['op']} {event['key']}",
                "batch": consumer.last_batch,
            }
        )
        self._retire(consumer)
        self.start()

    def _retire(self, consumer: Consumer) -> None:
        del self.running[consumer.index]
        self.finished.append(consumer)

    def stop(self) -> None:
        """Stop every consumer (idempotent; safe on every exit path)."""
        for consumer in list(self.running.values()):
            stop_process_group(consumer.process, grace_seconds=10.0)
            self._retire(consumer)

    def all_events(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for consumer in [*self.finished, *self.running.values()]:
            events.extend(
                json.loads(line)
                for line in consumer.log.read_bytes().splitlines()
                if line.endswith(b"}")
            )
        return events
