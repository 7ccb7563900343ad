"""Fixtures of the lake tests: generated order files (bench/generate.py), cached per session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from support import REPO_ROOT

# The benchmark's generator is a module of the repository's ``bench`` package; appended,
# not prepended, so nothing in the repository root shadows a test import.
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))

from bench import generate


@pytest.fixture(scope="session")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``generated_file(rows, seed, orders, layout)``: a seeded order CSV, made once."""
    cache = tmp_path_factory.mktemp("generated-orders")

    def make(rows: int, seed: int, orders: int, layout: str = "shuffled") -> Path:
        path, _ = generate.ensure(generate.Params(rows, seed, orders, layout), cache)
        return path

    return make
