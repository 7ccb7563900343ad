"""Session fixtures shared by every test package (helpers live in support.py)."""

from __future__ import annotations

import pytest

from support import require_tool, terraform_cli_config


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    return require_tool("terraform")


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return terraform_cli_config(tmp_path_factory.mktemp("terraform-cli"))
