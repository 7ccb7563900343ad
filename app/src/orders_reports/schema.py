"""The input contract: columns, header spellings, limits and the reasons a row is rejected.

Every number the product promises lives here once; the README and ``app/README.md``
describe them and point here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TEXT_COLUMNS = ("order_id", "region", "category", "sub_category")
NUMBER_COLUMNS = ("cost_price", "list_price", "quantity", "discount_percent")
REQUIRED_COLUMNS = ("order_id", "ship_mode", "region", "category", "sub_category", *NUMBER_COLUMNS)
PRICE_COLUMNS = ("cost_price", "list_price")

# Ship modes meaning "unknown", compared after trimming and lower-casing.
UNKNOWN_SHIP_MODES = frozenset({"", "not available"})

# The numbers the product supports: every value with |value| <= MAX_ABS_VALUE and at
# most MAX_DECIMALS decimal places (trailing zeros do not count), and every line whose
# profit is below MAX_ABS_PROFIT in magnitude. Within that range every total is exact.
# The bounds follow from the curated Parquet types (decimal(20,7) prices,
# decimal(38,16) profit): every valid row fits them exactly.
MAX_ABS_VALUE = 10**12
MAX_DECIMALS = 7
MAX_ABS_PROFIT = 10**22

# A plain decimal number, optionally signed, with an optional exponent (ASCII digits
# only): what "a number" means for every number column.
NUMBER_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"

_SEPARATOR_RUN = re.compile(r"[\s_\-]+")


class InputRefused(ValueError):
    """The file as a whole cannot be processed (missing columns, empty, not a CSV).

    A permanent problem: retrying the same object cannot help.
    """


@dataclass(frozen=True)
class Limits:
    """The size of one CSV record the reader accepts.

    A record holding more than ``record_bytes`` bytes of values, or more than ``fields``
    fields, refuses the file, wherever it sits: the verdict depends on the record, never
    on the file's size. ``block_size`` is the parser's block, large enough that any
    record within the limits fits in one (quotes at most double a value's bytes).
    """

    record_bytes: int = 1 << 20
    fields: int = 10_000
    # Records with another number of fields than the header (white-space-only lines
    # among them) cost pyarrow and the engine about 25 us each: they leave pyarrow's fast
    # path. Past this many the file is not a CSV of its header, and refusing it keeps a
    # file of junk lines from running into the function's timeout (and retries).
    odd_records: int = 1_000_000

    @property
    def block_size(self) -> int:
        needed = 2 * self.record_bytes + 3 * self.fields + 2
        return -(-needed // 1024) * 1024

    def check(self, fields: Sequence[str]) -> None:
        """Refuse the file if this record is beyond the limits."""
        if len(fields) > self.fields or sum(len(f.encode()) for f in fields) > self.record_bytes:
            raise self.refusal()

    def refusal(self) -> InputRefused:
        return InputRefused(
            f"not a CSV file: a record holds more than {self.record_bytes:,} bytes of values"
            f" or {self.fields:,} fields"
        )

    def describe_odd(self, expected_fields: int) -> str:
        return (
            f"not a CSV file of its header: more than {self.odd_records:,} lines are not"
            f" records of its {expected_fields:,} fields"
        )


DEFAULT_LIMITS = Limits()


def normalise_column_name(name: str) -> str:
    """Trim, lower-case and fold every run of spaces, '-' and '_' into one '_'.

    ``"Sub-Category"``, ``"sub category"`` and ``" SUB_CATEGORY "`` all become
    ``"sub_category"``.
    """
    return _SEPARATOR_RUN.sub("_", name.strip().lower())


def locate_columns(header: Sequence[str]) -> dict[str, int]:
    """Position of each required column in ``header``; refuses a missing or doubled one."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalise_column_name(name), []).append(index)
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise InputRefused(f"missing required columns: {', '.join(missing)}")
    doubled = [name for name in REQUIRED_COLUMNS if len(positions[name]) > 1]
    if doubled:
        # Column numbers, not the names as written: a refusal never quotes the file.
        where = "; ".join(
            f"{name} (columns {', '.join(str(i + 1) for i in positions[name])})" for name in doubled
        )
        raise InputRefused(f"ambiguous columns, more than one header maps to: {where}")
    return {name: positions[name][0] for name in REQUIRED_COLUMNS}


def is_unknown_ship_mode(value: str) -> bool:
    """An empty ship mode or 'Not Available' in any case (value already trimmed)."""
    return value.lower() in UNKNOWN_SHIP_MODES


def is_blank_record(fields: Sequence[str]) -> bool:
    """A blank or white-space-only line: one field holding nothing but white space."""
    return len(fields) <= 1 and not "".join(fields).strip()


# Reasons, in the order the rules are checked: a row gets the reason of the first rule
# it breaks.
def wrong_field_count(fields: int, expected: int) -> str:
    return f"row has {fields} fields, the header has {expected}"


def empty(column: str) -> str:
    return f"{column} is empty"


def missing(column: str) -> str:
    return f"{column} is missing"


def not_a_number(column: str) -> str:
    return f"{column} is not a number"


def negative(column: str) -> str:
    return f"{column} is negative"


QUANTITY_NOT_WHOLE = "quantity is not a whole number >= 1"
DISCOUNT_OUTSIDE = "discount_percent is outside [0, 100]"


def out_of_range(column: str) -> str:
    return f"{column} is out of the supported range"


PROFIT_OUT_OF_RANGE = out_of_range("profit")
