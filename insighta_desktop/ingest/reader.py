"""Stream a CSV file as blocks of records (line numbers, raw text, byte offsets) in bounded memory.

The file is read in chunks of about 256 KB cut at line ends; b"\\n" is the same byte in UTF-8 and cp1252, so lines
are found before decoding; a lone CR (Excel for Mac ends lines so) becomes b"\\n" first, one byte for one, so
offsets stay exact. UTF-16 files go through wide_reader.py instead. A block of clean text takes the fast path: a
line without a quote character parses the same with str.split as with the csv module (a hypothesis test holds them
equal), a line with quotes goes through the csv module on its own. Anything else (quotes spanning lines, bad bytes,
NUL) goes to line_parser.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from itertools import accumulate, repeat
from operator import add
from pathlib import Path
from typing import BinaryIO

from insighta_desktop.ingest.decoding import (
    ASCII,
    CP1252,
    FIXED,
    UTF8,
    LineDecoder,
    binary_reason,
    control_reason,
    decode_cp1252,
    signature_reason,
)
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import (
    AUTO,
    DETECT,
    SAMPLE_BYTES,
    DetectedFormat,
    FileFormat,
    detect_format,
    sample_text,
)
from insighta_desktop.ingest.headers import HeaderMapping, map_headers
from insighta_desktop.ingest.line_parser import BROKEN_ENCODING, MAX_LINE_BYTES, Line, RecordBlock, parse_lines

CHUNK_SIZE = 256 * 1024
_LONE_CR = re.compile(rb"\r(?!\n|\Z)")  # at the very end it may be the first half of a CRLF still to come
_LINE_END = re.compile(rb"\r\n?|\n")

__all__ = ["CHUNK_SIZE", "CsvFile", "RecordBlock", "iter_blocks"]


def _byte_blocks(fh: BinaryIO, offset: int, chunk_size: int) -> Iterator[tuple[bytes | None, int, int]]:
    """(bytes of whole lines or None for one over-long line, start offset, length); the last may lack its \\n."""
    pending = b""
    pos = offset
    while True:
        chunk = fh.read(chunk_size)
        if not chunk:
            if pending:
                yield pending, pos, len(pending)
            return
        data = pending + chunk if pending else chunk
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
            data = _LONE_CR.sub(b"\n", data)
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut], pos, cut
            pos += cut
            pending = data[cut:]
            continue
        if len(data) <= MAX_LINE_BYTES:
            pending = data
            continue
        skipped, pending = len(data), b""
        while chunk := fh.read(chunk_size):
            line_end = _LINE_END.search(chunk)
            if line_end is None:
                skipped += len(chunk)
                continue
            skipped += line_end.end()
            pending = chunk[line_end.end():]
            break
        yield None, pos, skipped
        pos += skipped


def _decode(data: bytes, decoder: LineDecoder) -> tuple[list[str], list[bool] | None]:
    """The block's lines (without \\n) and, when some line does not decode, a per-line ok flag."""
    if decoder.state == CP1252:
        text = decode_cp1252(data)
    elif decoder.state == FIXED:
        try:
            text = data.decode(decoder.codec)
        except UnicodeDecodeError:
            pairs = [decoder.decode(part) for part in data.split(b"\n")]
            if data.endswith(b"\n"):
                pairs.pop()
            return [t for t, _ in pairs], [ok for _, ok in pairs]
    elif data.isascii():
        text = data.decode(ASCII)
    else:
        try:
            text = data.decode(UTF8)
            decoder.state = UTF8
        except UnicodeDecodeError:
            pairs = [decoder.decode(part) for part in data.split(b"\n")]
            if data.endswith(b"\n"):
                pairs.pop()
            return [t for t, _ in pairs], [ok for _, ok in pairs]
    lines = text.split("\n")
    if data.endswith(b"\n"):
        lines.pop()
    return lines, None


def _fast_rows(lines: list[str], delimiter: str, quoted: bool) -> list[list[str]] | None:
    """Each line as one record, or None when some line is not a complete record on its own."""
    if not quoted:
        return [line.split(delimiter) for line in lines]
    rows = []
    for line in lines:
        if '"' not in line:
            rows.append(line.split(delimiter))
            continue
        try:
            parsed = list(csv.reader((line,), delimiter=delimiter, strict=True))
        except csv.Error:
            return None
        if len(parsed) != 1:
            return None
        rows.append(parsed[0])
    return rows


def _block(lines: list[str], rows: list[list[str]], first_line: int, ends: list[int],
           width: int | None) -> RecordBlock:
    widths = set(map(len, rows))
    if width is not None and widths == {width}:
        return RecordBlock(range(first_line, first_line + len(rows)), rows, lines, ends, None)
    numbers: list[int] = []
    kept: list[list[str]] = []
    raws: list[str] = []
    kept_ends: list[int] = []
    problems: list[str | None] = []
    for i, fields in enumerate(rows):
        n = len(fields)
        if n == 1 and not fields[0].strip():
            continue
        numbers.append(first_line + i)
        raws.append(lines[i])
        kept_ends.append(ends[i])
        if width is None or n == width:
            kept.append(fields)
            problems.append(None)
        else:
            kept.append([])
            problems.append(f"expected {width} fields, found {n}")
    return RecordBlock(numbers, kept, raws, kept_ends, problems if any(problems) else None)


def iter_blocks(fh: BinaryIO, decoder: LineDecoder, offset: int, first_line: int, width: int | None,
                delimiter: str, chunk_size: int = CHUNK_SIZE) -> Iterator[RecordBlock]:
    """Blocks of records from `offset` (a record boundary) to the end of the file."""
    carry: list[Line] = []
    line_no = first_line
    for data, start, length in _byte_blocks(fh, offset, chunk_size):
        if data is None:
            lines: list[Line] = [(None, line_no, start + length, False)]
            line_no += 1
        else:
            texts, oks = _decode(data, decoder)
            if decoder.state in (UTF8, FIXED) and not data.isascii():
                sizes = map(len, data.split(b"\n"))
            else:
                sizes = map(len, texts)
            ends = list(accumulate(map(add, sizes, repeat(1)), initial=start))[1:len(texts) + 1]
            if not data.endswith(b"\n"):
                ends[-1] -= 1
            rows = None
            if not carry and oks is None:
                rows = _fast_block(texts, delimiter)
            if rows is not None:
                yield _block(rows[1], rows[0], line_no, ends, width)
                line_no += len(texts)
                continue
            newline = "\n"
            lines = [(t + newline, line_no + i, ends[i], True if oks is None else oks[i]) for i, t in enumerate(texts)]
            if not data.endswith(b"\n"):
                last = lines[-1]
                lines[-1] = (texts[-1], last[1], last[2], last[3])  # without the "\n" added above
            line_no += len(texts)
        block, carry = parse_lines(carry + lines, width, delimiter, final=False)
        if block.rows:
            yield block
    if carry:
        block, _ = parse_lines(carry, width, delimiter, final=True)
        if block.rows:
            yield block


def _fast_block(texts: list[str], delimiter: str) -> tuple[list[list[str]], list[str]] | None:
    """(rows, lines without CR) when every line is a record by itself and free of NUL and stray CR."""
    sample = "\n".join(texts)
    if "\x00" in sample or max(map(len, texts), default=0) > csv.field_size_limit():
        return None
    if "\r" in sample:
        if sample.count("\r") != sample.count("\r\n") + sample.endswith("\r"):
            return None
        sample = sample.replace("\r\n", "\n").removesuffix("\r")
        texts = sample.split("\n")
    rows = _fast_rows(texts, delimiter, '"' in sample)
    return None if rows is None else (rows, texts)


class CsvFile:
    """An opened (not yet imported) CSV file: its format, header mapping, and where the data starts.

    Opening reads only the first chunks; it raises ImportRefused for a file that cannot be imported at all.
    `file_format` overrides what detection would choose (encoding, delimiter).
    """

    def __init__(self, path: Path | str, *, chunk_size: int = CHUNK_SIZE,
                 file_format: FileFormat = DETECT,
                 map_columns: Callable[[list[str]], HeaderMapping] = map_headers) -> None:
        self.path = Path(path)
        self.map_columns = map_columns  # the header row -> which column feeds each field
        self.chunk_size = chunk_size
        self.requested = file_format
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise ImportRefused("unreadable", f"cannot read {self.path.name}: {exc.strerror or exc}") from None
        if self.path.is_dir():
            raise ImportRefused("not_a_file", f"{self.path.name} is a folder, not a CSV file")
        self.format: DetectedFormat
        self.header: list[str] = []
        self.mapping: HeaderMapping
        self.data_offset = 0
        self.decoder = LineDecoder()
        self._open()

    @property
    def delimiter(self) -> str:
        return self.format.delimiter

    @property
    def bom(self) -> bool:
        return self.format.bom > 0

    def _open(self) -> None:
        if self.size == 0:
            raise ImportRefused("empty_file", "the file is empty")
        with self.path.open("rb") as fh:
            head = fh.read(max(self.chunk_size, SAMPLE_BYTES))
        reason = signature_reason(head)
        if reason:
            raise ImportRefused("not_text", reason)
        try:
            self.format = detect_format(head, self.requested)
        except ValueError as exc:
            raise ImportRefused("bad_format", str(exc)) from None
        start = self.format.bom
        if self.format.wide:
            text = sample_text(head[:8192], self.format.encoding, start)
            reason = control_reason(text)
        else:
            reason = binary_reason(head)
            text = head[start:].decode("latin-1")
        if reason:
            raise ImportRefused("not_text", reason)
        if not text.strip():
            raise ImportRefused("empty_file", "the file holds only blank lines")
        self.decoder = self._new_decoder()
        with self.path.open("rb") as fh:
            fh.seek(start)
            header = None
            for block in self._iter_blocks(fh, self.decoder, start, 1, None):
                for i, fields in enumerate(block.rows):
                    if header is None:
                        problem = block.problems[i] if block.problems else None
                        if problem == BROKEN_ENCODING:
                            raise ImportRefused("not_text", "the header line is not readable text")
                        if problem:
                            raise ImportRefused("bad_header", f"the header line cannot be read: {problem}")
                        header = fields
                        self.header = fields
                        self.mapping = self._map_headers(fields)
                        self.data_offset = block.ends[i]
                    else:
                        return
        raise ImportRefused("header_only", "the file has a header but no data rows")

    def _map_headers(self, fields: list[str]) -> HeaderMapping:
        try:
            return self.map_columns(fields)
        except ImportRefused as exc:
            if not self.format.notes:
                raise
            raise ImportRefused(exc.code, f"{exc.message}; {'; '.join(self.format.notes)}") from None

    def _new_decoder(self) -> LineDecoder:
        fmt = self.format
        if fmt.encoding == AUTO:
            return LineDecoder(UTF8 if fmt.bom else ASCII, bom=fmt.bom > 0)
        return LineDecoder.chosen(fmt.encoding, bom=fmt.bom > 0)

    def _iter_blocks(self, fh: BinaryIO, decoder: LineDecoder, offset: int, first_line: int,
                     width: int | None) -> Iterator[RecordBlock]:
        if self.format.wide:
            from insighta_desktop.ingest.wide_reader import iter_wide_blocks

            return iter_wide_blocks(fh, self.format.encoding, offset, first_line, width, self.delimiter,
                                    self.chunk_size)
        return iter_blocks(fh, decoder, offset, first_line, width, self.delimiter, self.chunk_size)

    @property
    def encoding(self) -> str:
        return self.format.encoding if self.format.wide else self.decoder.encoding

    def blocks(self, start_offset: int | None = None) -> Iterator[RecordBlock]:
        """Record blocks from the first data line, or from `start_offset` (a record boundary, for resume)."""
        offset = self.data_offset if start_offset is None else max(start_offset, self.data_offset)
        decoder, line_no = self._state_at(offset)
        self.decoder = decoder
        with self.path.open("rb") as fh:
            fh.seek(offset)
            yield from self._iter_blocks(fh, decoder, offset, line_no, self.mapping.width)

    def preview(self, limit: int = 20) -> RecordBlock:
        """The first `limit` records, for a look before importing."""
        lines: list[int] = []
        rows: list[list[str]] = []
        raws: list[str] = []
        ends: list[int] = []
        problems: list[str | None] = []
        for block in self.blocks():
            for i, fields in enumerate(block.rows[:limit - len(rows)]):
                lines.append(block.line_numbers[i])
                rows.append(fields)
                raws.append(block.raws[i].rstrip("\r"))
                ends.append(block.ends[i])
                problems.append(block.problems[i] if block.problems else None)
            if len(rows) >= limit:
                break
        return RecordBlock(lines, rows, raws, ends, problems)

    def _state_at(self, offset: int) -> tuple[LineDecoder, int]:
        """The decoder state and line number at a record boundary, from the bytes before it."""
        decoder = self._new_decoder()
        start = self.format.bom
        if self.format.wide:
            from insighta_desktop.ingest.wide_reader import wide_line_number

            return decoder, wide_line_number(self.path, self.format.encoding, start, offset, self.chunk_size)
        breaks = 0
        last_cr = False
        with self.path.open("rb") as fh:
            fh.seek(start)
            remaining = offset - start
            pending = b""
            while remaining > 0:
                chunk = fh.read(min(self.chunk_size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                # Lines end at LF, CRLF or a lone CR, as the reader cuts them.
                breaks += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
                if last_cr and chunk.startswith(b"\n"):
                    breaks -= 1
                last_cr = chunk.endswith(b"\r")
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                decoder.observe(data[:cut])
                pending = data[cut:]
            decoder.observe(pending)
        return decoder, breaks + 1
