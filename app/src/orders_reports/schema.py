"""The input contract: column names, header spellings and the row validity rules.

Everything here is pure and vectorised: the rules take whole columns (already
trimmed) and return, per row, the reason of the first rule the row breaks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

_SEPARATOR_RUN = re.compile(r"[\s_\-]+")

TEXT_COLUMNS = ("order_id", "region", "category", "sub_category")
NUMBER_COLUMNS = ("cost_price", "list_price", "quantity", "discount_percent")
REQUIRED_COLUMNS = ("order_id", "ship_mode", "region", "category", "sub_category", *NUMBER_COLUMNS)

# Ship modes meaning "unknown" (compared after trimming, case-insensitively).
UNKNOWN_SHIP_MODES = frozenset({"", "not available"})

# Exactly the finite numbers Arrow's string->float64 cast accepts (ASCII digits, optional
# sign, optional fraction, optional exponent). The fast path relies on this equivalence:
# a chunk whose column casts cleanly and is all finite must get the same verdicts as the
# slow path that matches this pattern row by row; the chunk-size property test guards it.
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

BoolArray = npt.NDArray[np.bool_]
Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def normalise_column_name(name: str) -> str:
    """Trim, lower-case and fold every run of spaces, '-' and '_' into one '_'.

    ``"Sub-Category"``, ``"sub category"`` and ``" SUB_CATEGORY "`` all become
    ``"sub_category"``.
    """
    return _SEPARATOR_RUN.sub("_", name.strip().lower())


@dataclass(frozen=True)
class ParsedNumbers:
    """A numeric column: values (NaN where unusable) and why a value is unusable."""

    values: FloatArray
    missing: BoolArray
    not_a_number: BoolArray


def _to_bool(array: pa.Array) -> BoolArray:
    result: BoolArray = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return result


def is_empty(column: pa.Array) -> BoolArray:
    """Per row: the (trimmed) value is the empty string."""
    return _to_bool(pc.equal(pc.binary_length(column), 0))


def dictionary_indices(column: pa.DictionaryArray) -> Int64Array:
    """Per row, the position of its value in the column's dictionary."""
    return np.asarray(column.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def trim(column: pa.Array) -> pa.Array:
    """Values are trimmed of (Unicode) white space before any rule looks at them."""
    return pc.utf8_trim_whitespace(column)


def parse_numbers(column: pa.DictionaryArray) -> ParsedNumbers:
    """Parse a dictionary-encoded raw column as decimal numbers, per row.

    Only the distinct values are parsed. NaN and infinity count as not a number.
    """
    values, missing = _parse_distinct(column.dictionary)
    not_a_number = ~np.isfinite(values) & ~missing
    indices = np.asarray(column.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return ParsedNumbers(
        values=values[indices], missing=missing[indices], not_a_number=not_a_number[indices]
    )


def _parse_distinct(strings: pa.Array) -> tuple[FloatArray, BoolArray]:
    try:
        # Fast path: clean values (no blanks, no padding, no junk) cast in one pass.
        values = pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False)
        missing = np.zeros(len(strings), dtype=np.bool_)
    except pa.ArrowInvalid:
        strings = trim(strings)
        missing = is_empty(strings)
        well_formed = pc.match_substring_regex(strings, NUMBER_PATTERN)
        values = pc.cast(pc.if_else(well_formed, strings, "nan"), pa.float64()).to_numpy(
            zero_copy_only=False
        )
    return np.asarray(values, dtype=np.float64), missing


def is_unknown_ship_mode(value: str) -> bool:
    """An empty ship mode or 'Not Available' in any case (value already trimmed)."""
    return value.lower() in UNKNOWN_SHIP_MODES


def reject_rules(
    empty: Mapping[str, BoolArray], numbers: Mapping[str, ParsedNumbers]
) -> list[tuple[BoolArray, str]]:
    """Every rule of SPEC section 2 as (rows breaking it, reason), in precedence order.

    ``empty`` says per row whether each of TEXT_COLUMNS is empty after trimming.
    """
    rules: list[tuple[BoolArray, str]] = [
        (empty[name], f"{name} is empty") for name in TEXT_COLUMNS
    ]
    for name in NUMBER_COLUMNS:
        rules.append((numbers[name].missing, f"{name} is missing"))
        rules.append((numbers[name].not_a_number, f"{name} is not a number"))
    with np.errstate(invalid="ignore"):
        for name in ("cost_price", "list_price"):
            rules.append((numbers[name].values < 0, f"{name} is negative"))
        quantity = numbers["quantity"].values
        rules.append(
            (
                ~((quantity >= 1) & (np.floor(quantity) == quantity)),
                "quantity is not a whole number >= 1",
            )
        )
        discount = numbers["discount_percent"].values
        rules.append(
            (~((discount >= 0) & (discount <= 100)), "discount_percent is outside [0, 100]")
        )
    return rules


def first_failures(rules: list[tuple[BoolArray, str]], size: int) -> tuple[BoolArray, list[str]]:
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


def line_profit(numbers: Mapping[str, ParsedNumbers], rows: BoolArray | None = None) -> FloatArray:
    """(list_price * (1 - discount_percent / 100) - cost_price) * quantity, per row."""

    def col(name: str) -> FloatArray:
        values = numbers[name].values
        return values if rows is None else values[rows]

    profit: FloatArray = (
        col("list_price") * (1 - col("discount_percent") / 100) - col("cost_price")
    ) * col("quantity")
    return profit
