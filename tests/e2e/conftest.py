"""The e2e tests drive the demo's own code (demo/emulator.py, demo/pipeline_local.py)."""

from __future__ import annotations

import sys

from support import REPO_ROOT

DEMO_DIR = str(REPO_ROOT / "demo")
if DEMO_DIR not in sys.path:
    sys.path.insert(0, DEMO_DIR)
