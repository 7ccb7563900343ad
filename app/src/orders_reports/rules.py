"""Row validity for a block: the reason of the first rule each row breaks.

The rules, in the order they are checked (a row gets the first reason that applies):
a text column empty; a number column missing, then not a number (column by column);
a price negative; the quantity not a whole number >= 1; the discount outside
[0, 100]; a number out of the supported range; the line's profit out of it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from orders_reports import schema
from orders_reports.numbers import NON_NEGATIVE, PERCENT, WHOLE_AT_LEAST_ONE, Kind, Rule

BoolArray = npt.NDArray[np.bool_]
Int8Array = npt.NDArray[np.int8]

COLUMN_RULES: dict[str, Rule] = {
    "cost_price": NON_NEGATIVE,
    "list_price": NON_NEGATIVE,
    "quantity": WHOLE_AT_LEAST_ONE,
    "discount_percent": PERCENT,
}
_BROKEN_RULE_REASONS = {
    "cost_price": schema.negative("cost_price"),
    "list_price": schema.negative("list_price"),
    "quantity": schema.QUANTITY_NOT_WHOLE,
    "discount_percent": schema.DISCOUNT_OUTSIDE,
}


def value_rules(
    empty: Mapping[str, BoolArray], kinds: Mapping[str, Int8Array]
) -> list[tuple[BoolArray, str]]:
    """Every rule decided on single values, as (rows breaking it, reason), in order.

    ``empty``: per text column, rows whose trimmed value is empty. ``kinds``: per number
    column, each row's :class:`~orders_reports.numbers.Kind`.
    """
    rules = [(empty[name], schema.empty(name)) for name in schema.TEXT_COLUMNS]
    for name in schema.NUMBER_COLUMNS:
        rules.append((kinds[name] == Kind.MISSING, schema.missing(name)))
        rules.append((kinds[name] == Kind.NOT_A_NUMBER, schema.not_a_number(name)))
    for name in schema.NUMBER_COLUMNS:
        rules.append((kinds[name] == Kind.BREAKS_RULE, _BROKEN_RULE_REASONS[name]))
    for name in schema.NUMBER_COLUMNS:
        rules.append((kinds[name] == Kind.OUT_OF_RANGE, schema.out_of_range(name)))
    return rules


def first_reasons(rules: list[tuple[BoolArray, str]], size: int) -> tuple[BoolArray, list[str]]:
    """Rows breaking any rule, and for those rows (in order) the first rule they break."""
    rejected = np.zeros(size, dtype=np.bool_)
    for mask, _ in rules:
        rejected |= mask
    if not rejected.any():
        return rejected, []
    reasons = np.select(
        [mask[rejected] for mask, _ in rules], [reason for _, reason in rules], default=""
    )
    return rejected, [str(reason) for reason in reasons]
