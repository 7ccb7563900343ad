"""Two reference implementations of the three reports, to measure the CLI against.

* ``pandas``: the naive way most implementations go: ``pd.read_csv`` the whole file
  (every column as text, so that validation sees what was written), normalise the
  header, validate with the input rules of app/README.md, then ``groupby``.
* ``duckdb``: the same reports in SQL: ``read_csv`` with every column as VARCHAR,
  ``TRY_CAST``, the same validation rules, the same tie handling.

Both write what the CLI writes into ``--out``: the three report CSVs (byte for byte in
the reports' CSV layout, see reports.py), ``rejected_rows.csv`` (original columns plus
``reject_reason``) and ``manifest.json`` with the row counts, so the outputs can be
compared exactly and the work done is the same.

    python bench/baselines.py {pandas,duckdb} INPUT --out DIR

Exit codes as the CLI: 0 done, 2 the input is refused (missing columns, empty file).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reports import (
    NUMBER_PATTERN,
    ORDERS_REPORT,
    REGION_REPORT,
    REJECTED,
    SHIP_MODE_REPORT,
    format_profit,
    write_outputs,
)

REQUIRED = (
    "order_id",
    "ship_mode",
    "region",
    "category",
    "sub_category",
    "cost_price",
    "list_price",
    "quantity",
    "discount_percent",
)
TEXT_REQUIRED = ("order_id", "region", "category", "sub_category")
NUMERIC = ("cost_price", "list_price", "quantity", "discount_percent")
UNKNOWN_SHIP_MODES = ("", "not available")  # compared lower-cased

_SEPARATOR_RUN = re.compile(r"[\s_\-]+")


class Refused(Exception):
    """The whole input is unusable (the command line refuses it with exit code 2)."""


def normalise(name: str) -> str:
    # Same rule as orders_reports.schema.normalise_column_name; restated so the
    # baselines stay independent of the code they are compared with.
    return _SEPARATOR_RUN.sub("_", name.strip().lower())


def column_map(header: list[str]) -> dict[str, str]:
    """Normalised name -> the column's name in the file (first one wins)."""
    mapping: dict[str, str] = {}
    for original in header:
        mapping.setdefault(normalise(original), original)
    missing = [name for name in REQUIRED if name not in mapping]
    if missing:
        raise Refused(f"missing required columns: {', '.join(missing)}")
    return mapping


# Reasons, in the order the rules are checked: a row reports its first failing rule.
def _reasons() -> list[tuple[str, str]]:
    out = [(f"{c}_empty", f"{c} is empty") for c in TEXT_REQUIRED]
    out += [(f"{c}_nan", f"{c} is missing or not a number") for c in NUMERIC]
    out += [
        ("cost_negative", "cost_price is negative"),
        ("list_negative", "list_price is negative"),
        ("quantity_bad", "quantity is not a whole number >= 1"),
        ("discount_bad", "discount_percent is outside [0, 100]"),
    ]
    return out


REASONS = _reasons()


def _region_rows(profit_by_region: dict[str, float]) -> list[tuple[object, ...]]:
    cents = {region: round(total, 2) for region, total in profit_by_region.items()}
    if not cents:
        return []
    best = max(cents.values())
    return [(r, format_profit(p)) for r, p in sorted(cents.items()) if p == best]


def _ship_mode_rows(counts: dict[tuple[str, str], int]) -> list[tuple[object, ...]]:
    best: dict[str, int] = {}
    for (category, _), n in counts.items():
        best[category] = max(best.get(category, 0), n)
    return [(c, s, n) for (c, s), n in sorted(counts.items()) if n == best[c]]


def _orders_rows(counts: dict[tuple[str, str], int]) -> list[tuple[object, ...]]:
    return [(c, s, n) for (c, s), n in sorted(counts.items())]


def run_pandas(path: Path, out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    # Imported here, not at the top: each engine's process loads only its own library,
    # so the peak RSS measured for it is its own.
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    try:
        raw = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,  # an empty field stays "", "NA" stays "NA"
            skip_blank_lines=True,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError as exc:
        raise Refused("empty file: no header") from exc
    cols = column_map([str(c) for c in raw.columns])
    # Short rows leave NaN in the missing fields: treat them as empty.
    v = {name: raw[cols[name]].fillna("").str.strip() for name in REQUIRED}
    num: dict[str, Any] = {}
    for name in NUMERIC:
        text = v[name]
        is_number = text.str.fullmatch(NUMBER_PATTERN)
        num[name] = pd.to_numeric(text.where(is_number), errors="coerce").astype("float64")

    conditions = [v[c] == "" for c in TEXT_REQUIRED]
    conditions += [num[c].isna() for c in NUMERIC]
    q = num["quantity"]
    d = num["discount_percent"]
    conditions += [
        num["cost_price"] < 0,
        num["list_price"] < 0,
        (q < 1) | (q != np.floor(q)),
        (d < 0) | (d > 100),
    ]
    conditions = [np.asarray(c, dtype=bool) for c in conditions]
    rejected = np.logical_or.reduce(conditions)
    valid = ~rejected

    if rejected.any():
        reason = np.select(conditions, [text for _, text in REASONS], default="")
        bad = raw[rejected].copy()
        bad["reject_reason"] = reason[rejected]
        bad.to_csv(out_dir / REJECTED, index=False, lineterminator="\n")

    good = pd.DataFrame({name: v[name][valid] for name in (*TEXT_REQUIRED, "ship_mode")})
    good["profit"] = ((num["list_price"] * (1 - d / 100) - num["cost_price"]) * q)[valid]
    by_region = good.groupby("region")["profit"].sum()
    known = good[~good["ship_mode"].str.lower().isin(UNKNOWN_SHIP_MODES)]
    ship = known.groupby(["category", "ship_mode"])["order_id"].nunique()
    orders = good.groupby(["category", "sub_category"])["order_id"].nunique()

    reports = {
        REGION_REPORT: _region_rows({str(k): float(x) for k, x in by_region.items()}),
        SHIP_MODE_REPORT: _ship_mode_rows({(str(c), str(s)): int(n) for (c, s), n in ship.items()}),
        ORDERS_REPORT: _orders_rows({(str(c), str(s)): int(n) for (c, s), n in orders.items()}),
    }
    total = len(raw)
    n_rejected = int(rejected.sum())
    counts = {"rows_total": total, "rows_valid": total - n_rejected, "rows_rejected": n_rejected}
    write_outputs(out_dir, reports, str(path), counts)
    return counts


def _read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.reader(fh):
            if row:
                return row
    raise Refused("empty file: no header")


def _sql_text(expr: str) -> str:
    return f"coalesce(trim({expr}), '')"  # an empty field reads as NULL


def _sql_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run_duckdb(path: Path, out_dir: Path) -> dict[str, int]:
    import duckdb  # noqa: PLC0415  (see run_pandas)

    header = _read_header(path)
    cols = column_map(header)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    columns = "{" + ", ".join(f"{_sql_literal(h)}: 'VARCHAR'" for h in header) + "}"
    source = (
        f"read_csv({_sql_literal(str(path))}, header = true, delim = ',', quote = '\"', "
        f"escape = '\"', auto_detect = false, columns = {columns})"
    )
    # Every required value is trimmed once (t_*), numbers parsed once (n_*).
    trimmed = ", ".join(f"{_sql_text(_sql_quote(cols[c]))} AS t_{c}" for c in REQUIRED)
    pattern = _sql_literal(NUMBER_PATTERN)
    numbers = ", ".join(
        f"CASE WHEN regexp_full_match(t_{c}, {pattern}) THEN TRY_CAST(t_{c} AS DOUBLE) END AS n_{c}"
        for c in NUMERIC
    )
    checks = [f"t_{c} = ''" for c in TEXT_REQUIRED]
    checks += [f"n_{c} IS NULL" for c in NUMERIC]
    checks += [
        "n_cost_price < 0",
        "n_list_price < 0",
        "n_quantity < 1 OR n_quantity <> floor(n_quantity)",
        "n_discount_percent < 0 OR n_discount_percent > 100",
    ]
    reason = (
        "CASE "
        + " ".join(
            f"WHEN {check} THEN {_sql_literal(text_)}"
            for check, (_, text_) in zip(checks, REASONS, strict=True)
        )
        + " END"
    )
    original = ", ".join(_sql_quote(h) for h in header)
    # The reports sort their own rows; keeping the file's row order would only cost time.
    con.execute("SET preserve_insertion_order = false")
    # One pass over the file. Only what the reports need is kept for every line; the
    # original fields are kept (as a list) for the rejected lines only.
    con.execute(
        f"""
        CREATE TEMP TABLE lines AS
        SELECT t_order_id AS order_id, t_ship_mode AS ship_mode, t_region AS region,
               t_category AS category, t_sub_category AS sub_category,
               (n_list_price * (1 - n_discount_percent / 100) - n_cost_price) * n_quantity
                   AS profit,
               reject_reason,
               CASE WHEN reject_reason IS NOT NULL THEN [{original}] END AS raw
        FROM (
            SELECT *, {reason} AS reject_reason
            FROM (SELECT *, {numbers} FROM (SELECT *, {trimmed} FROM {source}))
        )
        """
    )
    total, n_rejected = con.execute(
        "SELECT count(*), count(reject_reason) FROM lines"
    ).fetchone() or (0, 0)
    if n_rejected:
        fields = ", ".join(f"raw[{i + 1}] AS {_sql_quote(h)}" for i, h in enumerate(header))
        con.execute(
            f"COPY (SELECT {fields}, reject_reason FROM lines WHERE reject_reason IS NOT NULL) "
            f"TO {_sql_literal(str(out_dir / REJECTED))} (HEADER, DELIMITER ',')"
        )
    con.execute(
        """
        CREATE TEMP VIEW valid AS
        SELECT order_id, ship_mode, region, category, sub_category, profit
        FROM lines WHERE reject_reason IS NULL
        """
    )
    region = con.execute(
        """
        WITH s AS (SELECT region, round(fsum(profit), 2) AS profit FROM valid GROUP BY region)
        SELECT region, profit FROM s WHERE profit = (SELECT max(profit) FROM s)
        ORDER BY region
        """
    ).fetchall()
    ship = con.execute(
        """
        WITH c AS (
            SELECT category, ship_mode, count(DISTINCT order_id) AS n FROM valid
            WHERE lower(ship_mode) NOT IN ('', 'not available')
            GROUP BY category, ship_mode
        ), m AS (SELECT category, max(n) AS best FROM c GROUP BY category)
        SELECT c.category, c.ship_mode, c.n FROM c JOIN m USING (category)
        WHERE c.n = m.best ORDER BY c.category, c.ship_mode
        """
    ).fetchall()
    orders = con.execute(
        """
        SELECT category, sub_category, count(DISTINCT order_id) FROM valid
        GROUP BY category, sub_category ORDER BY category, sub_category
        """
    ).fetchall()
    reports = {
        REGION_REPORT: [(r, format_profit(p)) for r, p in region],
        SHIP_MODE_REPORT: [tuple(row) for row in ship],
        ORDERS_REPORT: [tuple(row) for row in orders],
    }
    counts = {
        "rows_total": int(total),
        "rows_valid": int(total) - int(n_rejected),
        "rows_rejected": int(n_rejected),
    }
    write_outputs(out_dir, reports, str(path), counts)
    return counts


ENGINES = {"pandas": run_pandas, "duckdb": run_duckdb}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("input", type=Path)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        counts = ENGINES[args.engine](args.input, args.out)
    except Refused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print(f"{args.engine}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
