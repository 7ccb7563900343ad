import pytest

from orders_reports.schema import normalise_column_name


@pytest.mark.parametrize(
    "spelling",
    [
        "Sub Category",
        "Sub-Category",
        "sub category",
        " SUB_CATEGORY ",
        "sub - _category",
        "Sub\tCategory",
    ],
)
def test_header_spellings_fold_to_one_name(spelling: str) -> None:
    assert normalise_column_name(spelling) == "sub_category"


def test_plain_names_are_only_lower_cased() -> None:
    assert normalise_column_name("Region") == "region"
    assert normalise_column_name("cost price") == "cost_price"
