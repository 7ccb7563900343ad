"""CheckedText: the same verdict as Python's UTF-8 decoder, however the reads cut the bytes."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_reports.schema import InputRefused
from orders_reports.text_input import CheckedText

# Pieces that make cut characters likely: ASCII, 2-, 3- and 4-byte characters, lone
# lead and continuation bytes, surrogates and overlong forms (both invalid).
_PIECES = st.sampled_from(
    [
        *(b"a", b",", b"\r\n", "é".encode(), "€".encode(), "😀".encode()),
        *(b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\x80", b"\xbf", b"\xff"),
        *(b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe0\x80\xaf"),
    ]
)


def _read_all(data: bytes, sizes: list[int]) -> bytes:
    """``data`` through CheckedText, read in ``sizes`` (then 7 bytes at a time)."""
    text = CheckedText(io.BytesIO(data))
    chunks = [text.read(size) for size in sizes]
    assert text.read(0) == b""  # asks for nothing: not the end of the stream
    while chunk := text.read(7):
        chunks.append(chunk)
    assert text.read(7) == b""  # the end of the stream, read again
    return b"".join(chunks)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(_PIECES, max_size=40).map(b"".join),
    sizes=st.lists(st.integers(min_value=1, max_value=9), max_size=20),
)
def test_the_verdict_is_pythons_whatever_the_reads(data: bytes, sizes: list[int]) -> None:
    if _is_utf8(data):
        assert _read_all(data, sizes) == data
    else:
        with pytest.raises(InputRefused, match="not UTF-8"):
            _read_all(data, sizes)


@pytest.mark.parametrize("character", ["é", "€", "😀"])
def test_a_character_cut_by_every_read_boundary_passes(character: str) -> None:
    data = f"a{character}b".encode()
    for cut in range(1, len(data)):
        assert _read_all(data, [cut, 1, 1]) == data


@pytest.mark.parametrize("cut_short", ["€".encode()[:2], "😀".encode()[:3], b"\xc3"])
def test_a_character_cut_short_by_the_end_of_the_file_is_refused(cut_short: bytes) -> None:
    with pytest.raises(InputRefused, match="not UTF-8"):
        _read_all(b"order_id\n" + cut_short, [9])


def test_a_nul_byte_is_binary() -> None:
    with pytest.raises(InputRefused, match="binary"):
        _read_all(b"a,b\n\x00", [2])


@pytest.mark.parametrize("size", [-1, None])
def test_a_read_of_everything_is_the_end_of_the_file(size: int | None) -> None:
    text = CheckedText(io.BytesIO("a€".encode()))
    assert text.read(size) == "a€".encode()
    with pytest.raises(InputRefused, match="not UTF-8"):
        CheckedText(io.BytesIO("a€".encode()[:-1])).read(size)


def test_asking_for_nothing_keeps_a_cut_character_for_the_next_read() -> None:
    text = CheckedText(io.BytesIO("a€b".encode()))
    assert text.read(2) == b"a\xe2"
    assert text.read(0) == b""
    assert text.read(10) == "€b".encode()[1:]
