from support import SAMPLE_CSV


def test_sample_is_the_byte_exact_original() -> None:
    data = SAMPLE_CSV.read_bytes()
    assert data.startswith(b"Order Id,Order Date,Ship Mode,")
    assert data.count(b"\r\n") == 20  # header + 20 rows, CRLF, no final newline
    assert not data.endswith(b"\n")
