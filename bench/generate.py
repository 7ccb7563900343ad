"""Seeded generator of an orders file in the sample's exact schema.

The file looks like a real export of the sample's system, scaled up: an order has one
date, customer location, region and ship mode and spans one or more lines (products);
lines carry category, sub-category, product and prices. A small share of the lines is
messy the way real exports are (the proportions are in ``MESS``): unknown ship modes
(``Not Available`` in any case, or empty), values padded with spaces, a city with a comma
that has to be quoted, and rows that the input contract says must be rejected.

Prices, discounts and quantities are whole numbers, as in the sample, so the profit of
every line and every total is an exact number of cents: any correct implementation
prints the same 2-decimal figure, whatever order it sums in.

Strings are built column-wise with Arrow compute kernels and written in chunks, so
3 million rows take seconds and bounded memory. Output is a pure function of
(rows, seed, distinct orders, layout, GENERATOR_VERSION); files are cached under
``$BENCH_CACHE`` (default ``<repo>/.bench``) with a JSON sidecar holding what the
generator knows to be true of the file (rows, rejected rows, distinct orders).

    python bench/generate.py --rows 3000000 --seed 7 [--distinct-orders N] [--layout grouped]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

# Bump when the output for the same parameters changes, so stale cache files are not reused.
GENERATOR_VERSION = 1

HEADER = (
    "Order Id,Order Date,Ship Mode,Segment,Country,City,State,Postal Code,Region,"
    "Category,Sub Category,Product Id,cost price,List Price,Quantity,Discount Percent"
)
NEWLINE = "\r\n"  # the sample's line ending

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROWS = 3_000_000
DEFAULT_SEED = 20261127
# Rows per order on average when the number of orders is not given (the sample's source
# system, Superstore-like, has about two lines per order; three keeps orders realistic
# while leaving a lot of distinct ids to count).
DEFAULT_LINES_PER_ORDER = 3
CHUNK_ROWS = 250_000  # part of the output definition: per-chunk random draws

SHIP_MODES = ["Standard Class", "Second Class", "First Class", "Same Day"]
SHIP_MODE_P = [0.59, 0.20, 0.155, 0.055]
SEGMENTS = ["Consumer", "Corporate", "Home Office"]
SEGMENT_P = [0.52, 0.30, 0.18]

# (city, state, postal code, region). Washington, D.C. carries the comma that must be
# quoted; it sits before Region, so a parser that splits on every comma shifts the
# region and the reports disagree.
LOCATIONS = [
    ("San Francisco", "California", "94109", "West"),
    ("Los Angeles", "California", "90049", "West"),
    ("Seattle", "Washington", "98103", "West"),
    ("Orem", "Utah", "84057", "West"),
    ("Denver", "Colorado", "80219", "West"),
    ("Phoenix", "Arizona", "85023", "West"),
    ("Philadelphia", "Pennsylvania", "19140", "East"),
    ("New York City", "New York", "10035", "East"),
    ("Boston", "Massachusetts", "02108", "East"),
    ("Washington, D.C.", "District of Columbia", "20016", "East"),
    ("Columbus", "Ohio", "43229", "East"),
    ("Newark", "Delaware", "19711", "East"),
    ("Houston", "Texas", "77095", "Central"),
    ("Houston", "Texas", "77041", "Central"),
    ("Richardson", "Texas", "75080", "Central"),
    ("Chicago", "Illinois", "60653", "Central"),
    ("Fremont", "Nebraska", "68025", "Central"),
    ("Detroit", "Michigan", "48234", "Central"),
    ("Jacksonville", "Florida", "32216", "South"),
    ("Atlanta", "Georgia", "30318", "South"),
    ("Nashville", "Tennessee", "37211", "South"),
    ("Louisville", "Kentucky", "40214", "South"),
    ("Miami", "Florida", "33142", "South"),
]
LOCATION_P = np.array([9, 8, 6, 2, 3, 3, 9, 10, 3, 3, 4, 2, 5, 3, 2, 6, 1, 2, 3, 3, 2, 2, 2], float)

# (category, sub-category, product id prefix, typical list price in whole dollars, weight)
PRODUCTS = [
    ("Furniture", "Bookcases", "FUR-BO", 300, 2.3),
    ("Furniture", "Chairs", "FUR-CH", 350, 6.2),
    ("Furniture", "Furnishings", "FUR-FU", 60, 9.6),
    ("Furniture", "Tables", "FUR-TA", 600, 3.2),
    ("Office Supplies", "Appliances", "OFF-AP", 200, 4.7),
    ("Office Supplies", "Art", "OFF-AR", 30, 8.0),
    ("Office Supplies", "Binders", "OFF-BI", 40, 15.2),
    ("Office Supplies", "Envelopes", "OFF-EN", 25, 2.5),
    ("Office Supplies", "Fasteners", "OFF-FA", 10, 2.2),
    ("Office Supplies", "Labels", "OFF-LA", 15, 3.6),
    ("Office Supplies", "Paper", "OFF-PA", 25, 13.7),
    ("Office Supplies", "Storage", "OFF-ST", 200, 8.5),
    ("Office Supplies", "Supplies", "OFF-SU", 40, 1.9),
    ("Technology", "Accessories", "TEC-AC", 200, 7.8),
    ("Technology", "Copiers", "TEC-CO", 1500, 0.7),
    ("Technology", "Machines", "TEC-MA", 1000, 1.2),
    ("Technology", "Phones", "TEC-PH", 350, 8.9),
]
DISCOUNTS = np.array([0, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40])
DISCOUNT_P = np.array([40, 6, 8, 8, 6, 8, 8, 6, 5, 3, 2], float)

# Share of lines with each kind of mess. Every invalid kind breaks one input rule.
MESS = {
    "ship_mode_not_available": 0.010,
    "ship_mode_not_available_other_case": 0.001,
    "ship_mode_empty": 0.003,
    "padded_values": 0.002,  # region/category/quantity with spaces around: valid after trim
    "invalid": 0.002,
}
INVALID_KINDS = [
    "order_id_empty",
    "region_empty",
    "category_empty",
    "sub_category_empty",
    "cost_price_not_a_number",
    "list_price_negative",
    "quantity_zero",
    "quantity_fractional",
    "discount_over_100",
    "discount_missing",
]


@dataclass(frozen=True)
class Params:
    rows: int
    seed: int
    distinct_orders: int
    layout: str = "grouped"

    def stem(self) -> str:
        return (
            f"orders_r{self.rows}_s{self.seed}_d{self.distinct_orders}_{self.layout}"
            f"_v{GENERATOR_VERSION}"
        )


def default_distinct_orders(rows: int) -> int:
    return max(1, rows // DEFAULT_LINES_PER_ORDER)


def cache_dir() -> Path:
    return Path(os.environ.get("BENCH_CACHE") or REPO_ROOT / ".bench")


def cached_paths(params: Params, directory: Path | None = None) -> tuple[Path, Path]:
    base = directory or cache_dir()
    return base / f"{params.stem()}.csv", base / f"{params.stem()}.json"


def ensure(params: Params, directory: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Return the cached file for these parameters, generating it first if needed."""
    csv_path, meta_path = cached_paths(params, directory)
    if csv_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("bytes") == csv_path.stat().st_size:
            return csv_path, meta
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed, so an interrupted run never leaves a
    # truncated file that a later run would take for the cached one.
    tmp_csv = csv_path.with_suffix(f".tmp{os.getpid()}")
    started = time.perf_counter()
    try:
        meta = _write(params, tmp_csv)
        meta["generate_seconds"] = round(time.perf_counter() - started, 2)
        os.replace(tmp_csv, csv_path)
    finally:
        tmp_csv.unlink(missing_ok=True)
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return csv_path, meta


def _draw(rng: np.random.Generator, size: int, weights: np.ndarray | list[float]) -> np.ndarray:
    p = np.asarray(weights, float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int32)


def _take(values: list[str], idx: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(idx))


def _csv_field(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _order_table(params: Params, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Per-order attributes, indexed by order number."""
    n = params.distinct_orders
    days = rng.integers(0, 5 * 365, size=n)
    dates = pa.array(np.datetime64("2020-01-01") + days.astype("timedelta64[D]"))
    years = pc.cast(pc.year(dates), pa.string())
    numbers = pc.cast(pa.array(np.arange(100_000, 100_000 + n)), pa.string())
    location = _draw(rng, n, LOCATION_P)
    return {
        "order_id": pc.binary_join_element_wise("CA", years, numbers, "-"),
        "order_date": pc.cast(dates, pa.string()),
        "ship_mode": _take(SHIP_MODES, _draw(rng, n, SHIP_MODE_P)),
        "segment": _take(SEGMENTS, _draw(rng, n, SEGMENT_P)),
        "city": _take([_csv_field(loc[0]) for loc in LOCATIONS], location),
        "state": _take([loc[1] for loc in LOCATIONS], location),
        "postal": _take([loc[2] for loc in LOCATIONS], location),
        "region": _take([loc[3] for loc in LOCATIONS], location),
    }


def _row_orders(params: Params, rng: np.random.Generator) -> np.ndarray:
    """The order number of every line: each order at least once, then repeats."""
    n, d = params.rows, params.distinct_orders
    extra = rng.integers(0, d, size=n - d, dtype=np.int64)
    orders = np.concatenate([np.arange(d, dtype=np.int64), extra])
    if params.layout == "grouped":
        orders.sort(kind="stable")  # an order's lines are adjacent, as exports write them
    else:
        rng.shuffle(orders)
    return orders


def _replace(mask: np.ndarray, value: pa.Array | str, column: pa.Array) -> pa.Array:
    if not mask.any():
        return column
    return pc.if_else(pa.array(mask), value, column)


def _chunk_lines(
    orders: dict[str, pa.Array], order_idx: np.ndarray, rng: np.random.Generator
) -> tuple[pa.Array, np.ndarray]:
    """Build the text lines of one chunk; return them and the chunk's invalid-row mask."""
    size = len(order_idx)
    take = pa.array(order_idx)
    cols = {name: arr.take(take) for name, arr in orders.items()}

    product = _draw(rng, size, [p[4] for p in PRODUCTS])
    base = np.array([p[3] for p in PRODUCTS], float)[product]
    list_price = np.maximum(1, np.rint(base * rng.lognormal(0.0, 0.45, size))).astype(np.int64)
    # Cost mostly below list price; some lines are sold at a loss.
    cost_price = np.rint(list_price * rng.uniform(0.55, 1.08, size)).astype(np.int64)
    quantity = np.minimum(14, 1 + rng.poisson(2.6, size)).astype(np.int64)
    discount = DISCOUNTS[_draw(rng, size, DISCOUNT_P)]
    product_no = pc.cast(pa.array(rng.integers(10_000_000, 10_004_500, size)), pa.string())

    cols["country"] = pa.repeat(pa.scalar("United States"), size)
    cols["category"] = _take([p[0] for p in PRODUCTS], product)
    cols["sub_category"] = _take([p[1] for p in PRODUCTS], product)
    cols["product_id"] = pc.binary_join_element_wise(
        _take([p[2] for p in PRODUCTS], product), product_no, "-"
    )
    cols["cost_price"] = pc.cast(pa.array(cost_price), pa.string())
    cols["list_price"] = pc.cast(pa.array(list_price), pa.string())
    cols["quantity"] = pc.cast(pa.array(quantity), pa.string())
    cols["discount"] = pc.cast(pa.array(discount), pa.string())

    # Mess: one kind per line at most, so the expected counts are exact.
    kinds = list(MESS)
    p_mess = np.array([MESS[k] for k in kinds])
    mess = rng.choice(len(kinds) + 1, size=size, p=[*p_mess, 1.0 - p_mess.sum()])
    is_kind = {k: mess == i for i, k in enumerate(kinds)}

    cols["ship_mode"] = _replace(
        is_kind["ship_mode_not_available"], "Not Available", cols["ship_mode"]
    )
    other_case = pc.if_else(pa.array(rng.random(size) < 0.5), "not available", "NOT AVAILABLE")
    cols["ship_mode"] = _replace(
        is_kind["ship_mode_not_available_other_case"], other_case, cols["ship_mode"]
    )
    cols["ship_mode"] = _replace(is_kind["ship_mode_empty"], "", cols["ship_mode"])

    padded = is_kind["padded_values"]
    which = rng.integers(0, 3, size)
    for j, name in enumerate(["region", "category", "quantity"]):
        col = cols[name]
        cols[name] = _replace(
            padded & (which == j), pc.binary_join_element_wise(" ", col, "  ", ""), col
        )

    invalid = is_kind["invalid"]
    kind = rng.integers(0, len(INVALID_KINDS), size)
    bad = {k: invalid & (kind == i) for i, k in enumerate(INVALID_KINDS)}
    cols["order_id"] = _replace(bad["order_id_empty"], "", cols["order_id"])
    cols["region"] = _replace(bad["region_empty"], "", cols["region"])
    cols["category"] = _replace(bad["category_empty"], "", cols["category"])
    cols["sub_category"] = _replace(bad["sub_category_empty"], "", cols["sub_category"])
    cols["cost_price"] = _replace(bad["cost_price_not_a_number"], "n/a", cols["cost_price"])
    cols["list_price"] = _replace(
        bad["list_price_negative"],
        pc.binary_join_element_wise("-", cols["list_price"], ""),
        cols["list_price"],
    )
    cols["quantity"] = _replace(bad["quantity_zero"], "0", cols["quantity"])
    cols["quantity"] = _replace(bad["quantity_fractional"], "1.5", cols["quantity"])
    cols["discount"] = _replace(bad["discount_over_100"], "150", cols["discount"])
    cols["discount"] = _replace(bad["discount_missing"], "", cols["discount"])

    ordered = [
        cols[name]
        for name in (
            "order_id",
            "order_date",
            "ship_mode",
            "segment",
            "country",
            "city",
            "state",
            "postal",
            "region",
            "category",
            "sub_category",
            "product_id",
            "cost_price",
            "list_price",
            "quantity",
            "discount",
        )
    ]
    line = pc.binary_join_element_wise(*ordered, ",")
    return pc.binary_join_element_wise(line, "", NEWLINE), invalid


def _write(params: Params, path: Path) -> dict[str, Any]:
    if params.rows < params.distinct_orders:
        raise ValueError("rows must be >= distinct orders (every order has at least one line)")
    if params.layout not in ("grouped", "shuffled"):
        raise ValueError(f"unknown layout {params.layout!r}")
    rng = np.random.default_rng(params.seed)
    orders = _order_table(params, rng)
    row_orders = _row_orders(params, rng)
    rejected = 0
    valid_orders = np.zeros(params.distinct_orders, dtype=bool)
    with path.open("wb") as out:
        out.write((HEADER + NEWLINE).encode())
        for start in range(0, params.rows, CHUNK_ROWS):
            idx = row_orders[start : start + CHUNK_ROWS]
            lines, invalid = _chunk_lines(orders, idx, rng)
            rejected += int(invalid.sum())
            valid_orders[idx[~invalid]] = True
            # A string array without nulls keeps all its values back to back in one
            # buffer: that slice is exactly the chunk's bytes.
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
            first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
            out.write(memoryview(lines.buffers()[2])[first:last])
    return {
        "generator_version": GENERATOR_VERSION,
        "rows": params.rows,
        "seed": params.seed,
        "distinct_orders": params.distinct_orders,
        "layout": params.layout,
        "bytes": path.stat().st_size,
        "rows_total": params.rows,
        "rows_rejected": rejected,
        "rows_valid": params.rows - rejected,
        # Orders that keep at least one valid line (an order whose only line lost its
        # order id to an "invalid" mess is no longer in the reports).
        "distinct_orders_valid": int(valid_orders.sum()),
        "mess": MESS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--distinct-orders",
        type=int,
        default=None,
        help=f"distinct order ids (default rows/{DEFAULT_LINES_PER_ORDER})",
    )
    parser.add_argument("--layout", choices=["grouped", "shuffled"], default="grouped")
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="default $BENCH_CACHE or .bench/"
    )
    parser.add_argument("--json", action="store_true", help="print the sidecar metadata as JSON")
    args = parser.parse_args(argv)
    distinct = args.distinct_orders or default_distinct_orders(args.rows)
    params = Params(args.rows, args.seed, distinct, args.layout)
    csv_path, _ = cached_paths(params, args.cache_dir)
    was_cached = csv_path.exists()
    path, meta = ensure(params, args.cache_dir)
    if args.json:
        print(json.dumps({"path": str(path), "cached": was_cached, **meta}))
    else:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
