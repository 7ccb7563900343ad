"""The CLI with the curated Parquet file switched off: the bench's measure of what
writing that file costs (the difference to the real CLI). Not a product feature: the
writer is replaced here, in this process only, by one that writes nothing.

    python bench/without_curated.py INPUT --out DIR
"""

from __future__ import annotations

import sys
from typing import Any

from orders_reports import engine
from orders_reports.cli import main


class _NoCuratedFile:
    def __init__(self, *_: Any) -> None:
        pass

    def add(self, _: Any) -> None:
        pass

    def close(self) -> None:
        pass


if __name__ == "__main__":
    engine.CuratedWriter = _NoCuratedFile  # type: ignore[misc,assignment]
    sys.exit(main(["run", *sys.argv[1:]]))
