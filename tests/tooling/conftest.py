"""Fixtures for the tooling tests (Makefile, scripts, CI configuration)."""

from __future__ import annotations

import sys

import pytest

from support import REPO_ROOT

# The scripts import each other as top-level modules (python scripts/x.py puts
# scripts/ first on sys.path); the tests import them the same way.
sys.path.insert(0, str(REPO_ROOT / "scripts"))


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> str:
    """Credentials and region for moto; never real ones, whatever the shell has."""
    region = "eu-west-1"
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_REGION", region)
    return region
