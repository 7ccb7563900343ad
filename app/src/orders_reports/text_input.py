"""The bytes of an input file as UTF-8 text, and its header record.

Two jobs that happen before the CSV parser sees a byte:

- :class:`CheckedText` passes the stream through unchanged while checking every byte:
  a NUL byte or a byte sequence that is not UTF-8, anywhere in the file, refuses it.
- :func:`read_header` finds the first non-blank record with Python's own ``csv``
  module, so line ends (LF, CRLF, CR alone, mixed), quoting and blank lines before the
  header are read exactly as ``csv`` reads them, and returns the bytes after it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyarrow as pa  # type: ignore[import-untyped]

from orders_reports.schema import InputRefused, Limits, is_blank_record

_BOM = codecs.BOM_UTF8
_READ = 64 << 10
# A line ends at LF, CRLF or a CR alone, as for a file opened with newline="".
_LINE_END = re.compile(rb"\r\n|\r|\n")


class ReadThrough(io.RawIOBase):
    """A readable stream whose subclasses implement ``read`` and hand its bytes on as
    they are. RawIOBase's own ``read`` goes through ``readinto`` and a scratch buffer,
    copying every block twice more (on the benchmark, reading through the stack cost
    1.5 s of CPU instead of 0.7), so here ``readinto`` goes through ``read``."""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        raise NotImplementedError

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


class CheckedText(ReadThrough):
    """A read-only view of ``stream`` that refuses NUL bytes and anything not UTF-8.

    The check runs as the bytes are read, so the reader gets a refusal at the first
    bad byte, wherever in the file it is. UTF-8 is checked by Arrow's validator
    (Python's incremental decoder built a str of every read: 0.42 s of CPU on the
    benchmark's 417 MiB, against 0.05 s); a character cut in two by the end of a
    read is checked with the next one.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._unfinished = b""  # the start of a character the last read cut short

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:
            return b""
        whole_rest = size is None or size < 0
        data = self._stream.read(-1 if size is None else size) or b""
        if b"\x00" in data:
            raise InputRefused("not a CSV file: the content is binary (NUL bytes)")
        checked = self._unfinished + data if self._unfinished else data
        # An empty read, or one of all the rest, is the end: a character cut short there
        # is not UTF-8 either.
        at_end = whole_rest or not data
        whole = len(checked) if at_end else _whole_characters(checked)
        self._unfinished = checked[whole:]
        if not _is_utf8(checked, whole):
            raise InputRefused("not a CSV file: the content is not UTF-8 text")
        # The unchecked start of a character returned here ends the read, after its last
        # line end: no record holding it is complete, so nothing parses it before the
        # next read has checked it (or refused the file).
        return data


def _whole_characters(data: bytes) -> int:
    """How many bytes of ``data`` come before a multi-byte character its end cuts short."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            break  # ASCII: nothing is cut short
        if byte >= 0xC0:  # the first byte of a character of this many bytes:
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if length > back else len(data)
    return len(data)


def _is_utf8(data: bytes, size: int) -> bool:
    """Whether the first ``size`` bytes of ``data`` are UTF-8."""
    offsets = pa.array([0, size], pa.int64()).buffers()[1]
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def allow_csv_fields(size: int) -> None:
    """Let ``csv`` read fields up to ``size`` characters (its default stops at 128 KiB).

    The limit is process-wide; it is only ever raised, to what the record limit allows.
    """
    if csv.field_size_limit() < size:
        csv.field_size_limit(size)


@dataclass(frozen=True)
class Header:
    """The header's fields as written, and the bytes read past the header record."""

    fields: list[str]
    rest: bytes


class _Lines:
    """Lines of a byte stream (terminators kept), fed one at a time to ``csv.reader``.

    Counts the bytes of the record being read, so an overlong header is refused
    before it is held whole.
    """

    def __init__(self, stream: io.RawIOBase, limits: Limits) -> None:
        self._stream = stream
        self._limits = limits
        self._buffer = b""
        self._position = 0
        self._eof = False
        self.record_bytes = 0
        self._fill(len(_BOM))
        if self._buffer.startswith(_BOM):
            self._position = len(_BOM)

    def __iter__(self) -> Iterator[str]:
        while (line := self._next_line()) is not None:
            self.record_bytes += len(line)
            # A record within the limits never takes more raw bytes than a block (its
            # values, doubled quotes and separators): past that it cannot be one.
            if self.record_bytes > self._limits.block_size:
                raise self._limits.refusal()
            yield line.decode("utf-8")

    def _next_line(self) -> bytes | None:
        while True:
            match = _LINE_END.search(self._buffer, self._position)
            # A CR at the end of what was read may be the first half of a CRLF.
            if match and (match.end() < len(self._buffer) or self._eof or match[0] != b"\r"):
                return self._take(match.end())
            unread = len(self._buffer) - self._position
            if self._eof or unread > self._limits.block_size:
                # The last line, or one longer than any record may be.
                return self._take(len(self._buffer)) if unread else None
            self._fill(unread + 1)

    def _take(self, end: int) -> bytes:
        line = self._buffer[self._position : end]
        self._position = end
        return line

    def _fill(self, size: int) -> None:
        """Read until ``size`` bytes are unread or the stream ends."""
        self._buffer = self._buffer[self._position :]
        self._position = 0
        while len(self._buffer) < size and not self._eof:
            chunk = self._stream.read(max(_READ, size - len(self._buffer))) or b""
            self._eof = not chunk
            self._buffer += chunk

    @property
    def rest(self) -> bytes:
        return self._buffer[self._position :]


def read_header(stream: io.RawIOBase, limits: Limits) -> Header:
    """The first record that is not blank, read as Python's ``csv`` module reads it.

    ``stream`` should be a :class:`CheckedText`. Refuses an empty file (nothing but
    blank lines), a header beyond ``limits`` (as any record), or one that ``csv``
    cannot read.
    """
    allow_csv_fields(limits.record_bytes)
    lines = _Lines(stream, limits)
    records = csv.reader(lines)
    try:
        for fields in records:
            if not is_blank_record(fields):
                break
            lines.record_bytes = 0
        else:
            raise InputRefused("the file is empty")
    except csv.Error as error:
        raise InputRefused(f"not a CSV file: {error}") from None
    limits.check(fields)
    return Header(fields=fields, rest=lines.rest)


class Resumed(ReadThrough):
    """The stream from just after the header: the bytes read past it, then the rest."""

    def __init__(self, read_past: bytes, stream: io.RawIOBase) -> None:
        self._read_past = memoryview(read_past)
        self._stream = stream

    def read(self, size: int | None = -1) -> bytes:
        if len(self._read_past):
            count = len(self._read_past) if size is None or size < 0 else size
            data = bytes(self._read_past[:count])
            self._read_past = self._read_past[len(data) :]
            return data
        return self._stream.read(-1 if size is None else size) or b""
