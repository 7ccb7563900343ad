"""Every input rule (app/README.md, "Which rows count"), each with a case that fails
without it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from helpers_app import HEADER, PROVENANCE, csv_bytes, rejected, row, run

from orders_reports.schema import InputRefused

GOOD = row(order_id="G-1", region="West", list_price="30", cost_price="10")  # profit 20


def reports_of(data: bytes) -> dict[str, str]:
    return {name: body.decode() for name, body in run(data).reports.items()}


# --- header --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["order_id", "ship_mode", "region", "category", "sub_category"],
        ["ORDER-ID", "Ship-Mode", " REGION ", "Category", "Sub-Category"],
        ["order id", "ship  mode", "Region", "CATEGORY", " SUB_CATEGORY "],
        ["Order__Id", "ship -_ mode", "region", "category", "sub\tcategory"],
    ],
)
def test_header_spellings_are_normalised(spellings: list[str]) -> None:
    header = [*spellings, "COST_PRICE", "list-price", "Quantity ", "discount percent"]
    result = run(csv_bytes([GOOD], header=header))
    assert result.rows_valid == 1
    assert result.reports["most_profitable_region"] == b"region,profit\nWest,20.00\n"


def test_column_order_is_free_and_extra_columns_are_ignored() -> None:
    order = [8, 3, 0, 7, 2, 6, 1, 5, 4]
    header = ["Notes", *[HEADER[i] for i in order]]
    rows = [["note", *[GOOD[i] for i in order]]]
    result = run(csv_bytes(rows, header=header))
    assert result.reports["most_profitable_region"] == b"region,profit\nWest,20.00\n"
    assert result.reports["orders_by_category_subcategory"].endswith(b"Furniture,Chairs,1\n")


def test_missing_columns_are_refused_by_their_normalised_names() -> None:
    header = [name for name in HEADER if name not in ("Sub Category", "Quantity")]
    with pytest.raises(InputRefused, match=r"missing required columns: sub_category, quantity$"):
        run(csv_bytes([], header=header))


def test_a_required_column_given_twice_is_refused() -> None:
    with pytest.raises(InputRefused) as refused:
        run(csv_bytes([[*GOOD, "East"]], header=[*HEADER, "REGION"]))
    # Where, not what: a refusal never quotes the file.
    assert str(refused.value) == (
        "ambiguous columns, more than one header maps to: region (columns 3, 10)"
    )


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"], ids=["0-bytes", "bom", "blank"]
)
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(InputRefused, match="empty"):
        run(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Région,x\n".encode("latin-1"), "not UTF-8"),
        ("order_id,x\n".encode("utf-16"), "binary"),
        (csv_bytes([GOOD]) + "O-2,x,Réunion,a,b,1,2,1,0\n".encode("latin-1"), "not UTF-8"),
    ],
    ids=["png", "latin-1-header", "utf-16", "latin-1-row"],
)
def test_a_file_that_is_not_utf8_csv_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(InputRefused, match=reason):
        run(data)


def test_header_only_gives_three_header_only_reports() -> None:
    for data in (csv_bytes([]), csv_bytes([])[:-1], csv_bytes([], newline="\r\n")):
        result = run(data)
        assert result.reports == {
            "most_profitable_region": b"region,profit\n",
            "most_common_ship_mode_by_category": b"category,ship_mode,order_count\n",
            "orders_by_category_subcategory": b"category,sub_category,order_count\n",
        }
        assert (result.rows_total, result.rows_rejected) == (0, 0)
        assert result.result.outputs == {"curated"}  # no rejects file
        assert result.curated().num_rows == 0


# --- encoding and CSV dialect ----------------------------------------------------------


def test_bom_crlf_and_no_final_newline_read_like_plain_lf() -> None:
    rows = [GOOD, row(order_id="G-2", region="East")]
    plain = run(csv_bytes(rows))
    for data in (
        b"\xef\xbb\xbf" + csv_bytes(rows),
        csv_bytes(rows, newline="\r\n"),
        csv_bytes(rows, newline="\r\n")[:-2],
    ):
        result = run(data)
        assert result.reports == plain.reports
        assert result.rows_total == 2


def test_quoted_commas_quotes_and_newlines_are_values() -> None:
    odd = row(order_id="Q-1", category='Tables, "big"', sub_category="two\nlines")
    result = run(csv_bytes([odd]))
    assert result.rows_valid == 1
    parsed = list(
        csv.reader(io.StringIO(result.reports["orders_by_category_subcategory"].decode()))
    )
    assert parsed == [
        ["category", "sub_category", "order_count"],
        ['Tables, "big"', "two\nlines", "1"],
    ]


def test_blank_lines_are_skipped_and_not_counted() -> None:
    data = (
        csv_bytes([GOOD]) + b"\n\r\n   \n" + csv_bytes([row(order_id="G-2")])[len(csv_bytes([])) :]
    )
    result = run(b"\n" + data + b"\n\n")
    assert (result.rows_total, result.rows_valid, result.rows_rejected) == (2, 2, 0)


def test_values_are_trimmed() -> None:
    padded = row(
        order_id=" G-1 ",
        region=" West\t",
        category=" Furniture",
        sub_category="Chairs ",
        ship_mode=" Same Day ",
        cost_price=" 10 ",
        list_price="30 ",
        quantity=" 1",
        discount_percent=" 0 ",
    )
    result = run(csv_bytes([GOOD, padded]))
    assert result.rows_valid == 2
    assert result.reports["most_profitable_region"] == b"region,profit\nWest,40.00\n"
    # " G-1 " is order G-1: one distinct order, not two.
    assert result.reports["orders_by_category_subcategory"].endswith(b"Furniture,Chairs,1\n")


def test_rows_with_the_wrong_number_of_fields_are_rejected_not_fatal() -> None:
    data = csv_bytes([GOOD]) + b"X-1,Same Day,East\nX-2,a,b,c,d,1,2,1,0,surplus\n"
    result = run(data)
    assert (result.rows_total, result.rows_valid, result.rows_rejected) == (3, 1, 2)
    reasons = sorted(line["reject_reason"] for line in rejected(result))
    assert reasons == ["row has 10 fields, the header has 9", "row has 3 fields, the header has 9"]


# --- row validity ------------------------------------------------------------------------


REJECTIONS = [
    ({"order_id": ""}, "order_id is empty"),
    ({"order_id": "   "}, "order_id is empty"),
    ({"region": ""}, "region is empty"),
    ({"category": " "}, "category is empty"),
    ({"sub_category": ""}, "sub_category is empty"),
    ({"cost_price": ""}, "cost_price is missing"),
    ({"cost_price": "ten"}, "cost_price is not a number"),
    ({"cost_price": "NaN"}, "cost_price is not a number"),
    ({"cost_price": "1e999"}, "cost_price is out of the supported range"),
    ({"list_price": ""}, "list_price is missing"),
    ({"list_price": "1,5"}, "list_price is not a number"),
    ({"list_price": "inf"}, "list_price is not a number"),
    ({"quantity": ""}, "quantity is missing"),
    ({"quantity": "two"}, "quantity is not a number"),
    ({"discount_percent": ""}, "discount_percent is missing"),
    ({"discount_percent": "5%"}, "discount_percent is not a number"),
    ({"cost_price": "-0.01"}, "cost_price is negative"),
    ({"list_price": "-5"}, "list_price is negative"),
    ({"quantity": "0"}, "quantity is not a whole number >= 1"),
    ({"quantity": "1.5"}, "quantity is not a whole number >= 1"),
    ({"quantity": "-2"}, "quantity is not a whole number >= 1"),
    ({"discount_percent": "-0.5"}, "discount_percent is outside [0, 100]"),
    ({"discount_percent": "100.01"}, "discount_percent is outside [0, 100]"),
    # Several broken rules: the first in the documented order is reported.
    ({"order_id": "", "quantity": "0", "cost_price": "x"}, "order_id is empty"),
    ({"cost_price": "-1", "quantity": "x"}, "quantity is not a number"),
    ({"quantity": "0", "discount_percent": "101"}, "quantity is not a whole number >= 1"),
]


@pytest.mark.parametrize(("change", "reason"), REJECTIONS, ids=[r for _, r in REJECTIONS])
def test_each_rule_rejects_with_its_reason(change: dict[str, str], reason: str) -> None:
    bad = row(**{"order_id": "B-1", "region": "East", "list_price": "1000", **change})
    result = run(csv_bytes([GOOD, bad]))
    assert (result.rows_total, result.rows_valid, result.rows_rejected) == (2, 1, 1)
    assert [line["reject_reason"] for line in rejected(result)] == [reason]
    # The rejected row contributes nothing (it would have made East the winner).
    assert result.reports["most_profitable_region"] == b"region,profit\nWest,20.00\n"
    assert result.reports["orders_by_category_subcategory"].endswith(b"Furniture,Chairs,1\n")


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": "2.0"},
        {"quantity": "1e1"},
        {"discount_percent": "0"},
        {"discount_percent": "100"},
        {"discount_percent": "12.5"},
        {"cost_price": "0", "list_price": "0"},
        {"cost_price": "+5", "list_price": ".5"},
    ],
)
def test_boundary_values_are_valid(change: dict[str, str]) -> None:
    result = run(csv_bytes([row(**change)]))
    assert (result.rows_valid, result.rows_rejected) == (1, 0)


def test_rejected_rows_keep_original_columns_and_values() -> None:
    header = ["Notes", *HEADER, "Extra"]
    bad = ['a, "quoted" note', *row(order_id="  ", quantity=" 0 "), "kept"]
    result = run(csv_bytes([["n", *GOOD, "x"], bad], header=header))
    text = result.rejected_bytes().decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [*header, "reject_reason"]
    assert lines[1] == [*bad, "order_id is empty"]
    assert text.endswith("\n")
    assert "\r" not in text


# --- the reports' rules --------------------------------------------------------------------


@pytest.mark.parametrize("unknown", ["", "Not Available", "not available", " NOT AVAILABLE "])
def test_unknown_ship_modes_count_everywhere_but_the_ship_mode_report(unknown: str) -> None:
    rows = [
        row(order_id="1", ship_mode="First Class"),
        row(order_id="2", ship_mode=unknown),
        row(order_id="3", ship_mode=unknown),
        row(order_id="4", category="Technology", sub_category="Phones", ship_mode=unknown),
    ]
    result = run(csv_bytes(rows))
    assert result.rows_valid == 4
    # Without the rule the unknown mode would win Furniture and Technology would have a row.
    assert result.reports["most_common_ship_mode_by_category"] == (
        b"category,ship_mode,order_count\nFurniture,First Class,1\n"
    )
    assert result.reports["orders_by_category_subcategory"] == (
        b"category,sub_category,order_count\nFurniture,Chairs,3\nTechnology,Phones,1\n"
    )
    assert result.reports["most_profitable_region"] == b"region,profit\nEast,40.00\n"


def test_orders_are_distinct_order_ids() -> None:
    rows = [
        row(order_id="A", ship_mode="Same Day"),
        row(order_id="A", ship_mode="Same Day"),  # same order, second line
        row(order_id="A", sub_category="Tables", ship_mode="Same Day"),
        row(order_id="B", ship_mode="First Class"),
        row(order_id="C", ship_mode="First Class"),
    ]
    result = run(csv_bytes(rows))
    assert result.reports["most_common_ship_mode_by_category"] == (
        b"category,ship_mode,order_count\nFurniture,First Class,2\n"
    )
    assert result.reports["orders_by_category_subcategory"] == (
        b"category,sub_category,order_count\nFurniture,Chairs,3\nFurniture,Tables,1\n"
    )


def test_profit_formula_and_ties_after_rounding_to_cents() -> None:
    rows = [
        # (100 * (1 - 12.5/100) - 80) * 3 = 22.5
        row(
            order_id="1",
            region="North",
            list_price="100",
            discount_percent="12.5",
            cost_price="80",
            quantity="3",
        ),
        # 22.504 and 22.496 both round to 22.50: a tie with North.
        row(order_id="2", region="South", list_price="22.504", cost_price="0"),
        row(order_id="3", region="West", list_price="22.496", cost_price="0"),
        # 22.494 rounds to 22.49: not a winner.
        row(order_id="4", region="East", list_price="22.494", cost_price="0"),
    ]
    assert run(csv_bytes(rows)).reports["most_profitable_region"] == (
        b"region,profit\nNorth,22.50\nSouth,22.50\nWest,22.50\n"
    )


def test_profit_rounds_half_cents_up_and_sums_exactly() -> None:
    # 0.1 + 0.2 style float noise must not move a total across a half cent: 3 x 0.335.
    rows = [row(order_id=str(i), list_price="0.335", cost_price="0") for i in range(3)]
    assert run(csv_bytes(rows)).reports["most_profitable_region"] == b"region,profit\nEast,1.01\n"
    # 0.125 is a half cent: rounds up, not to even.
    half = [row(list_price="0.125", cost_price="0")]
    assert run(csv_bytes(half)).reports["most_profitable_region"] == b"region,profit\nEast,0.13\n"


def test_losses_pick_the_smallest_loss_and_never_print_negative_zero() -> None:
    rows = [
        row(order_id="1", region="East", list_price="10", cost_price="20"),
        row(order_id="2", region="West", list_price="10", cost_price="10.004"),
    ]
    assert run(csv_bytes(rows)).reports["most_profitable_region"] == b"region,profit\nWest,0.00\n"


def test_reports_are_sorted() -> None:
    rows = [
        row(order_id="1", category="b", sub_category="z", ship_mode="Z"),
        row(order_id="2", category="b", sub_category="a", ship_mode="A"),
        row(order_id="3", category="B", sub_category="m", ship_mode="M"),
        row(order_id="4", category="a", sub_category="q", ship_mode="Q"),
    ]
    result = reports_of(csv_bytes(rows))
    assert result["orders_by_category_subcategory"] == (
        "category,sub_category,order_count\nB,m,1\na,q,1\nb,a,1\nb,z,1\n"
    )
    assert result["most_common_ship_mode_by_category"] == (
        "category,ship_mode,order_count\nB,M,1\na,Q,1\nb,A,1\nb,Z,1\n"
    )


# --- exactness: rules and totals on the value as written --------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"quantity": "2.9999999999999999"}, "quantity is not a whole number >= 1"),
        ({"cost_price": "-1e-400"}, "cost_price is negative"),
        ({"discount_percent": "100.000000000000001"}, "discount_percent is outside [0, 100]"),
        ({"list_price": "1e308"}, "list_price is out of the supported range"),
        ({"list_price": "1000000000000.5"}, "list_price is out of the supported range"),
        ({"list_price": "1.00000001"}, "list_price is out of the supported range"),
        ({"quantity": "1e13"}, "quantity is out of the supported range"),
        (
            {"list_price": "1e12", "quantity": "1e12", "cost_price": "0"},
            "profit is out of the supported range",
        ),
    ],
)
def test_rules_are_decided_on_the_value_as_written(change: dict[str, str], reason: str) -> None:
    result = run(csv_bytes([GOOD, row(order_id="B-1", **change)]))
    assert [line["reject_reason"] for line in rejected(result)] == [reason]


@pytest.mark.parametrize(
    ("change", "profit"),
    [
        ({"list_price": "1.0049999", "cost_price": "0"}, "1.00"),  # one rounding, not two
        ({"list_price": "10.049999", "discount_percent": "90", "cost_price": "0"}, "1.00"),
        ({"list_price": "1.005", "cost_price": "0"}, "1.01"),  # half a cent: away from zero
        ({"list_price": "0", "cost_price": "1.005"}, "-1.01"),
        ({"list_price": "1e12", "cost_price": "0"}, "1000000000000.00"),
        (
            {"list_price": "999999999999.9999999", "cost_price": "0", "quantity": "9999999999"},
            "9999999998999999999000.00",
        ),
        ({"list_price": "0.30000000", "cost_price": "0.1", "quantity": "1E+0"}, "0.20"),
    ],
)
def test_a_total_is_exact_and_rounded_once(change: dict[str, str], profit: str) -> None:
    result = run(csv_bytes([row(order_id="X", region="North", **change)]))
    assert result.rows_rejected == 0
    assert result.reports["most_profitable_region"] == f"region,profit\nNorth,{profit}\n".encode()


def test_many_lines_sum_without_drift() -> None:
    rows = [row(order_id=str(i), list_price="0.1", cost_price="0") for i in range(10_000)]
    rows.append(row(order_id="x", list_price="0.005", cost_price="0"))
    assert (
        run(csv_bytes(rows)).reports["most_profitable_region"] == b"region,profit\nEast,1000.01\n"
    )


# --- shapes that once exhausted memory ----------------------------------------------------


def test_tens_of_thousands_of_category_pairs_in_a_small_file() -> None:
    rows = [
        row(order_id=f"O{i}", category=f"c{i % 200}", sub_category=f"s{i}") for i in range(40_000)
    ]
    result = run(csv_bytes(rows))
    body = result.reports["orders_by_category_subcategory"].decode().splitlines()
    assert len(body) == 40_001
    assert "c0,s0,1" in body


def test_one_huge_order_id_among_many_small_ones() -> None:
    huge = "H" * 100_000
    rows = [row(order_id=f"O{i % 5000}") for i in range(20_000)] + [row(order_id=huge)]
    result = run(csv_bytes(rows))
    assert result.reports["orders_by_category_subcategory"].endswith(b"Furniture,Chairs,5001\n")


def test_a_record_beyond_the_limit_refuses_the_file_wherever_it_is() -> None:
    from orders_reports.schema import Limits  # noqa: PLC0415

    limits = Limits(record_bytes=1000, fields=20)
    long_row = row(order_id="L" * 1001)
    for before in (0, 7, 300):  # the same record at other places of the file
        rows = [row(order_id=f"O{i}") for i in range(before)] + [long_row, row()]
        with pytest.raises(InputRefused, match="a record holds more than 1,000 bytes"):
            run(csv_bytes(rows), limits=limits)
    fine = run(csv_bytes([row(order_id="L" * 900)]), limits=limits)
    assert fine.rows_valid == 1


def test_the_limit_counts_the_bytes_of_every_column_of_a_record() -> None:
    """Columns the reports do not read count too, in UTF-8 bytes, not characters."""
    from orders_reports.schema import Limits  # noqa: PLC0415

    limits = Limits(record_bytes=1000, fields=20)
    room = limits.record_bytes - sum(len(value.encode()) for value in row())
    for extra, accepted in ((0, True), (1, False)):
        notes = "é" * ((room + extra) // 2) + "n" * ((room + extra) % 2)
        rows = [[*row(order_id=f"O{i}"), "short"] for i in range(50)] + [[*row(), notes]]
        data = csv_bytes(rows, header=[*HEADER, "notes"])
        if accepted:
            assert run(data, limits=limits).rows_valid == 51
        else:
            with pytest.raises(InputRefused, match="a record holds more than 1,000 bytes"):
                run(data, limits=limits)


@pytest.mark.parametrize(
    ("change", "curated"),
    [
        ({"cost_price": "0e99999999999"}, ("0", "20", "1", "0")),  # zero, however written
        ({"cost_price": "0e-99999999999"}, ("0", "20", "1", "0")),
        ({"list_price": "2." + "0" * 40}, ("10", "2", "1", "0")),  # trailing zeros don't count
        ({"list_price": "1" + "0" * 5000 + "e-5000"}, ("10", "1", "1", "0")),
        ({"list_price": "1" + "0" * 39 + "e-30"}, ("10", "1000000000", "1", "0")),
        ({"quantity": "3." + "0" * 40, "discount_percent": "5e0"}, ("10", "20", "3", "5")),
    ],
)
def test_any_spelling_of_a_valid_number_is_valid_and_exact_in_the_curated_file(
    change: dict[str, str], curated: tuple[str, str, str, str]
) -> None:
    result = run(csv_bytes([row(order_id="X", **change)]))
    assert (result.rows_valid, result.rows_rejected) == (1, 0)
    (line,) = result.curated().to_pylist()
    got = (line["cost_price"], line["list_price"], line["quantity"], line["discount_percent"])
    assert got == tuple(Decimal(value) for value in curated)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"cost_price": "-1e-9999999999999999999999"}, "cost_price is negative"),
        ({"quantity": "1e-9999999999999999999999"}, "quantity is not a whole number >= 1"),
        ({"discount_percent": "1e9999999999999999999999"}, "discount_percent is outside [0, 100]"),
        (
            {"discount_percent": "-1e-9999999999999999999999"},
            "discount_percent is outside [0, 100]",
        ),
        ({"list_price": "1e9999999999999999999999"}, "list_price is out of the supported range"),
        ({"quantity": "1e9999999999999999999999"}, "quantity is out of the supported range"),
    ],
)
def test_exponents_beyond_any_decimal_are_still_decided_by_the_rules(
    change: dict[str, str], reason: str
) -> None:
    result = run(csv_bytes([row(order_id="X", **change)]))
    assert [line["reject_reason"] for line in rejected(result)] == [reason]


def test_a_file_of_mostly_junk_lines_is_refused_past_the_limit() -> None:
    from orders_reports.schema import Limits  # noqa: PLC0415

    limits = Limits(record_bytes=1000, fields=20, odd_records=50)
    fine = run(csv_bytes([row()]) + b"junk\n" * 50, limits=limits)
    assert (fine.rows_total, fine.rows_rejected) == (51, 50)
    with pytest.raises(InputRefused, match="more than 50 lines are not records of its 9 fields"):
        run(csv_bytes([row()]) + b"junk\n" * 25 + b"  \n" * 26, limits=limits)


def test_thousands_of_short_records_stream_out_in_file_order() -> None:
    rows = [row(order_id=f"V{i}") for i in range(3)]
    data = csv_bytes(rows[:1]) + b"x\n" * 20_000 + csv_bytes(rows[1:])[len(csv_bytes([])) :]
    result = run(data)
    reasons = [line["reject_reason"] for line in rejected(result)]
    assert reasons == ["row has 1 fields, the header has 9"] * 20_000
    assert (result.rows_total, result.rows_valid) == (20_003, 3)


def test_the_header_has_the_same_limit_as_any_record() -> None:
    """Values count, not raw bytes: a header of exactly 1 MiB of values is read, one
    byte more is refused, as for a data record."""
    from orders_reports.schema import DEFAULT_LIMITS  # noqa: PLC0415

    names_bytes = sum(len(name.encode()) for name in HEADER)
    for extra, accepted in ((0, True), (1, False)):
        filler = "h" * (DEFAULT_LIMITS.record_bytes - names_bytes + extra)
        data = csv_bytes([[*row(), "x"]], header=[*HEADER, filler])
        if accepted:
            assert run(data).rows_valid == 1
        else:
            with pytest.raises(InputRefused, match="a record holds more than 1,048,576 bytes"):
                run(data)


def test_the_curated_file_holds_trimmed_values_dictionary_encoded() -> None:
    """Values that differ only in white space are one value in the curated file, row for
    row, and its text columns stay dictionary-encoded, with or without rejected rows in
    the block (given a dictionary that held a value twice, Parquet fell back to plain
    pages: three times the CPU and the bytes for the region column on the benchmark)."""
    regions = ["East", " West", "East  ", "\tWest ", " East"]
    order_ids = [" O-1", "O-2", "O-1 ", " O-2 "]
    rows = [row(order_id=order_ids[i % 4], region=regions[i % 5]) for i in range(40)]
    for extra in ([], [row(order_id="bad", quantity="0")]):
        result = run(csv_bytes(rows + extra))
        table = result.curated()
        assert table["region"].to_pylist() == [regions[i % 5].strip() for i in range(40)]
        assert table["order_id"].to_pylist() == [order_ids[i % 4].strip() for i in range(40)]
        chunks = result.curated_row_group()
        for index in range(chunks.num_columns):
            chunk = chunks.column(index)
            if chunk.physical_type == "BYTE_ARRAY":
                assert "RLE_DICTIONARY" in chunk.encodings, chunk.path_in_schema


def test_the_curated_file_has_statistics_for_its_provenance_only() -> None:
    """One value per file: min/max let a reader skip the row groups of older uploads."""
    chunks = run(csv_bytes([row()])).curated_row_group()
    with_statistics = {
        chunks.column(i).path_in_schema
        for i in range(chunks.num_columns)
        if chunks.column(i).is_stats_set
    }
    assert with_statistics == {"source_bucket", "source_key", "source_version", "event_time"}
    event_time = chunks.column(chunks.num_columns - 1).statistics
    assert event_time.min == event_time.max == PROVENANCE.event_time
