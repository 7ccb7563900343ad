"""Each validation pattern is written once per module, and KMS key ARNs mean one thing.

Copies of one regular expression drift apart as soon as one copy is fixed. A
module that checks several variables against the same pattern names it once
(a local) and every validation uses that name; and since the modules are used
together, a KMS key ARN accepted by one is accepted by all.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from support import MODULES_DIR

MODULE_DIRS = sorted(p for p in MODULES_DIR.iterdir() if p.is_dir() and any(p.glob("*.tf")))

# The pattern of regex("..."), or of a local ending in _pattern = "...".
_REGEX_LITERAL = re.compile(r'\bregex\(\s*"((?:[^"\\]|\\.)*)"')
_PATTERN_LOCAL = re.compile(r'^\s*\w+_pattern\s*=\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE)


def patterns(module_dir: Path) -> list[str]:
    source = "\n".join(p.read_text() for p in sorted(module_dir.glob("*.tf")))
    return _REGEX_LITERAL.findall(source) + _PATTERN_LOCAL.findall(source)


def test_the_pattern_reader_finds_literals_and_locals(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(
        'locals {\n  arn_pattern = "^arn:x$"\n}\n'
        'variable "a" {\n  validation {\n    condition = can(regex("^a\\\\.b$", var.a))\n'
        "  }\n}\n"
    )
    assert patterns(tmp_path) == ["^a\\\\.b$", "^arn:x$"]


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=lambda p: p.name)
def test_no_pattern_is_written_twice_in_a_module(module_dir: Path) -> None:
    repeated = {p: n for p, n in Counter(patterns(module_dir)).items() if n > 1}
    assert not repeated, f"{module_dir.name}: name these patterns once, in a local: {repeated}"


def test_every_module_reads_kms_key_arns_the_same_way() -> None:
    kms = {
        module_dir.name: [p for p in patterns(module_dir) if ":kms:" in p]
        for module_dir in MODULE_DIRS
    }
    assert sum(bool(found) for found in kms.values()) >= 2, kms
    assert len({p for found in kms.values() for p in found}) == 1, kms
