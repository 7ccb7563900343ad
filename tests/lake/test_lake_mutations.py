"""A query with a plausible bug fails the lake tests: each mutation below is applied to
a real query file and must change at least one report of the hand-written trap lakes,
which the unchanged query gets right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lake_sql import query_path, run_report
from scenarios import Lake, trap_lakes


@dataclass(frozen=True)
class Mutation:
    bug: str
    report: str
    replacements: tuple[tuple[str, str], ...]


REGION = "most_profitable_region"
SHIP_MODE = "most_common_ship_mode_by_category"
PAIRS = "orders_by_category_subcategory"
LATEST_LINES = "    FROM latest_lines\n    GROUP BY"

MUTATIONS = [
    Mutation(
        "counting lines instead of distinct orders (ship modes)",
        SHIP_MODE,
        (("count(DISTINCT order_id)", "count(*)"),),
    ),
    Mutation(
        "counting lines instead of distinct orders (sub-categories)",
        PAIRS,
        (("count(DISTINCT order_id)", "count(order_id)"),),
    ),
    Mutation(
        "order ids compared without case",
        PAIRS,
        (("count(DISTINCT order_id)", "count(DISTINCT lower(order_id))"),),
    ),
    Mutation(
        "rounding each line before summing",
        REGION,
        (("round(sum(profit), 2)", "sum(round(profit, 2))"),),
    ),
    Mutation(
        "comparing totals before rounding",
        REGION,
        (("round(sum(profit), 2) AS total", "sum(profit) AS total"),),
    ),
    Mutation(
        "a naive single winner",
        REGION,
        (("ORDER BY region\n", "ORDER BY region\nLIMIT 1\n"),),
    ),
    Mutation(
        "one ship mode per category, ties dropped",
        SHIP_MODE,
        (
            (
                "max(order_count) OVER (PARTITION BY category) AS top_count",
                "row_number() OVER (PARTITION BY category ORDER BY order_count DESC) AS top_rank",
            ),
            ("WHERE order_count = top_count", "WHERE top_rank = 1"),
        ),
    ),
    Mutation(
        "profit recomputed with integer division of the discount",
        REGION,
        (
            (
                "SELECT o.region, o.profit\n",
                "SELECT o.region, (o.list_price * (1 - CAST(o.discount_percent AS INTEGER) / 100)"
                " - o.cost_price) * o.quantity AS profit\n",
            ),
        ),
    ),
    Mutation(
        "unknown ship modes kept",
        SHIP_MODE,
        (("    WHERE lower(trim(ship_mode)) NOT IN ('', 'not available')\n", ""),),
    ),
    Mutation(
        "unknown ship modes matched case-sensitively",
        SHIP_MODE,
        (("lower(trim(ship_mode))", "trim(ship_mode)"),),
    ),
    Mutation(
        "every upload of a key counted (regions)",
        REGION,
        ((LATEST_LINES, "    FROM orders\n    GROUP BY"),),
    ),
    Mutation(
        "every upload of a key counted (sub-categories)",
        PAIRS,
        (("FROM latest_lines\nGROUP BY", "FROM orders\nGROUP BY"),),
    ),
    Mutation(
        "the earliest upload kept",
        REGION,
        (("ORDER BY event_time DESC,", "ORDER BY event_time ASC,"),),
    ),
    Mutation(
        "an object identified by its key alone",
        REGION,
        (("PARTITION BY object_bucket, object_key", "PARTITION BY object_key"),),
    ),
    Mutation(
        "the version tie-break reversed",
        REGION,
        (("object_version DESC", "object_version ASC"),),
    ),
]


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Lake]:
    return trap_lakes(tmp_path_factory.mktemp("trap-lakes"))


def mutate(sql: str, replacements: tuple[tuple[str, str], ...]) -> str:
    for old, new in replacements:
        # Exactly one occurrence: a mutation that no longer applies must not pass quietly.
        assert sql.count(old) == 1, f"{old!r} occurs {sql.count(old)} times"
        sql = sql.replace(old, new)
    return sql


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.bug)
def test_the_bug_changes_a_report_the_real_query_gets_right(
    mutation: Mutation, lakes: dict[str, Lake]
) -> None:
    real = query_path(mutation.report).read_text(encoding="utf-8")
    mutated = mutate(real, mutation.replacements)
    wrong = []
    for name, lake in lakes.items():
        expected = lake.expected[mutation.report]
        assert run_report(mutation.report, lake.files) == expected, name
        if run_report(mutation.report, lake.files, mutated) != expected:
            wrong.append(name)
    assert wrong, f"a query with {mutation.bug} returns every expected report"


def test_a_mutated_query_fails_the_comparison_the_lake_tests_make(tmp_path: Path) -> None:
    # What a failing run looks like: the sub-category query counting lines, not orders.
    lake = trap_lakes(tmp_path)["edge"]
    real = query_path(PAIRS).read_text(encoding="utf-8")
    mutated = mutate(real, (("count(DISTINCT order_id)", "count(order_id)"),))
    got = run_report(PAIRS, lake.files, mutated)
    assert b"Furniture,Chairs,4\n" in got  # S-1 has two Chairs lines: 4 lines, 3 orders
    assert b"Furniture,Chairs,3\n" in lake.expected[PAIRS]
    with pytest.raises(AssertionError):
        assert got == lake.expected[PAIRS]
