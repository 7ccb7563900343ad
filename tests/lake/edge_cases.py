"""Hand-written order files whose reports a subtly wrong query gets wrong.

Each file is small enough to check by hand; the expected reports are spelled out in
full, so the tests hold values, not shapes. Where a trap sits:

EDGE_CSV
- regions: South 10.004 and West 9.996 (three lines of 3.332) tie at 10.00; summing
  lines already rounded gives West 9.99, comparing before rounding gives South alone;
  East 9.994 = 20 x (1 - 50.03/100) becomes 20.00 if the discount is divided as an integer;
- Furniture: order S-1 has three Standard Class lines, orders N-1..N-3 one Same Day line
  each: distinct orders say Same Day (3), counting lines says a 3-3 tie;
- Technology: First Class and Second Class tie at one order each (W-1 has two lines);
- Office Supplies: four unknown ship modes (three spellings of Not Available, one
  empty) and one " Second Class " padded with spaces; Toys has unknown ones only;
- Zeta: order ids ca-1 and CA-1 are two orders; categories Zeta, apple and Émile sort
  by code point; a sub-category holding a comma and quotes is quoted in the report.

LOSSES_CSV: every region loses money. A's total -0.004 rounds to 0.00 (printed 0.00,
never -0.00) and wins; B's -0.005 rounds half away from zero to -0.01 (rounding half up
towards +infinity, or half to even, would make it a 0.00 tie).
"""

from __future__ import annotations

HEADER = (
    "Order Id,Ship Mode,Region,Category,Sub Category,cost price,List Price,Quantity,"
    "Discount Percent\r\n"
)

EDGE_CSV = HEADER + (
    "S-1,Standard Class,South,Furniture,Tables,0,10.004,1,0\r\n"
    "S-1,Standard Class, South ,Furniture,Chairs,5,5,1,0\r\n"
    "S-1,Standard Class,South,Furniture,Chairs,5,5,2,0\r\n"
    "N-1,Same Day,North,Furniture,Chairs,0,0.005,1,0\r\n"
    "N-2,Same Day,North,Furniture,Chairs,0,0.005,1,0\r\n"
    'N-3,Same Day,North,Furniture,"Chairs, ""Deluxe""",0,0.005,1,0\r\n'
    "W-1,First Class,West,Technology,Phones,0,3.332,1,0\r\n"
    "W-1,First Class,West,Technology,Phones,0,3.332,1,0\r\n"
    "W-2,Second Class,West,Technology,Copiers,0,3.332,1,0\r\n"
    "E-1,Standard Class,East,apple,Paper,0,20,1,50.03\r\n"
    "O-1,Not Available,North,Office Supplies,Binders,2,2,1,0\r\n"
    "O-2,NOT AVAILABLE,North,Office Supplies,Binders,2,2,1,0\r\n"
    "O-3,not available,North,Office Supplies,Binders,2,2,1,0\r\n"
    "O-4,,North,Office Supplies,Binders,2,2,1,0\r\n"
    "O-5, Second Class ,North,Office Supplies,Binders,2,2,1,0\r\n"
    "X-1,Not Available,North,Toys,Blocks,1,1,1,0\r\n"
    "ca-1,Standard Class,South,Zeta,Labels,3,3,1,0\r\n"
    "CA-1,Standard Class,South,Zeta,Labels,3,3,1,0\r\n"
    "É-1,First Class,East,Émile,Été,4,4,1,0\r\n"
)

EDGE_REPORTS = {
    "most_profitable_region": b"region,profit\nSouth,10.00\nWest,10.00\n",
    "most_common_ship_mode_by_category": (
        "category,ship_mode,order_count\n"
        "Furniture,Same Day,3\n"
        "Office Supplies,Second Class,1\n"
        "Technology,First Class,1\n"
        "Technology,Second Class,1\n"
        "Zeta,Standard Class,2\n"
        "apple,Standard Class,1\n"
        "Émile,First Class,1\n"
    ).encode(),
    "orders_by_category_subcategory": (
        "category,sub_category,order_count\n"
        "Furniture,Chairs,3\n"
        'Furniture,"Chairs, ""Deluxe""",1\n'
        "Furniture,Tables,1\n"
        "Office Supplies,Binders,5\n"
        "Technology,Copiers,1\n"
        "Technology,Phones,1\n"
        "Toys,Blocks,1\n"
        "Zeta,Labels,2\n"
        "apple,Paper,1\n"
        "Émile,Été,1\n"
    ).encode(),
}

LOSSES_CSV = HEADER + (
    "A-1,Standard Class,A,Furniture,Chairs,0.004,0,1,0\r\n"
    "B-1,Standard Class,B,Furniture,Chairs,0.005,0,1,0\r\n"
)

LOSSES_REGION_REPORT = b"region,profit\nA,0.00\n"

# Uploads of several objects: (bucket, key, version id, S3 event time, lines). Only each
# (bucket, key)'s latest upload counts (event time, then version id):
# - incoming/a.csv is uploaded twice; its first version (a North windfall, and the only
#   Bookcases order) must not count;
# - the same key in another bucket is another object: its West line counts;
# - incoming/c.csv has two versions with the same event time: "v-b" > "v-a" wins, so
#   the South windfall of "v-a" must not count;
# - order M-1 spans b.csv and a.csv's second version: one order for Furniture/Chairs.
MULTI_FILE_UPLOADS = [
    (
        "orders-input",
        "incoming/a.csv",
        "1",
        "2026-11-01T10:00:00+00:00",
        ["M-9,Standard Class,North,Furniture,Bookcases,0,1000,1,0"],
    ),
    (
        "orders-input",
        "incoming/b.csv",
        "7",
        "2026-11-02T09:00:00+00:00",
        [
            "M-1,Same Day,East,Furniture,Chairs,0,5,1,0",
            "M-2,Same Day,East,Furniture,Chairs,0,5,1,0",
        ],
    ),
    (
        "orders-input",
        "incoming/a.csv",
        "2",
        "2026-11-03T08:00:00+00:00",
        ["M-1,Standard Class,West,Furniture,Chairs,0,7,1,0"],
    ),
    (
        "orders-input-eu",
        "incoming/a.csv",
        "1",
        "2026-11-01T10:00:00+00:00",
        ["M-3,Standard Class,West,Furniture,Tables,0,4,1,0"],
    ),
    (
        "orders-input",
        "incoming/c.csv",
        "v-a",
        "2026-11-04T00:00:00+00:00",
        ["M-4,First Class,South,Technology,Phones,0,2000,1,0"],
    ),
    (
        "orders-input",
        "incoming/c.csv",
        "v-b",
        "2026-11-04T00:00:00+00:00",
        ["M-4,First Class,South,Technology,Phones,0,1,1,0"],
    ),
]

MULTI_FILE_REPORTS = {
    "most_profitable_region": b"region,profit\nWest,11.00\n",
    "most_common_ship_mode_by_category": (
        b"category,ship_mode,order_count\n"
        b"Furniture,Same Day,2\n"
        b"Furniture,Standard Class,2\n"
        b"Technology,First Class,1\n"
    ),
    "orders_by_category_subcategory": (
        b"category,sub_category,order_count\n"
        b"Furniture,Chairs,2\n"
        b"Furniture,Tables,1\n"
        b"Technology,Phones,1\n"
    ),
}
