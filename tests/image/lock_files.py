"""Reading the hashed requirement locks that pip-compile and ``uv pip compile`` write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")
_HASH = re.compile(r"--hash=sha256:(?P<digest>[0-9a-f]{64})")
_VIA = re.compile(r"^\s+#\s+(?:via\s+)?(?P<source>\S.*)$")


def canonical(name: str) -> str:
    """A distribution name as PyPI compares names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    version: str
    hashes: set[str]
    required_by: set[str]  # canonical names, or the -r/-c file that asked for it


def read_lock(path: Path) -> dict[str, Pin]:
    """Canonical name -> its pin, hashes and the ``# via`` sources."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in path.read_text().splitlines():
        if match := _PIN.match(line):
            current = Pin(match["version"], set(), set())
            pins[canonical(match["name"])] = current
        elif current is not None and (found := _HASH.search(line)):
            current.hashes.add(found["digest"])
        elif current is not None and (via := _VIA.match(line)) and via["source"] != "via":
            source = via["source"].strip()
            current.required_by.add(source if source.startswith("-") else canonical(source))
    return pins
