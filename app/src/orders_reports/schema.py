"""The input contract: column names and how a header spelling maps onto them."""

from __future__ import annotations

import re

_SEPARATOR_RUN = re.compile(r"[\s_\-]+")


def normalise_column_name(name: str) -> str:
    """Trim, lower-case and fold every run of spaces, '-' and '_' into one '_'.

    ``"Sub-Category"``, ``"sub category"`` and ``" SUB_CATEGORY "`` all become
    ``"sub_category"``.
    """
    return _SEPARATOR_RUN.sub("_", name.strip().lower())
