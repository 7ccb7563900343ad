"""Analytics reports over order CSVs."""

import os

# Arrow's allocator (mimalloc) keeps freed pages for a while before returning them to the
# system; over a file's blocks that retention, not live data, set the peak. Purging at once
# keeps every hostile shape of `bench/shapes.py` under 300 MB (every-value-distinct: 317
# -> 261 MiB, one-region-per-line: 287 -> 246 MiB) for well under a second of system time
# on the 3M-row benchmark. mimalloc reads it when pyarrow loads, so it is set before any
# module of this package imports pyarrow; an explicit setting in the environment wins.
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")

__version__ = "0.1.0"
