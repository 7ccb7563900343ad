"""Make the repository's ``bench`` package importable for the benchmark's own tests."""

from __future__ import annotations

import sys

from support import REPO_ROOT

# Appended, not prepended: nothing else in the repository root may shadow a test import.
# A regular package (bench/__init__.py) wins over the namespace-like tests/bench folder.
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))
