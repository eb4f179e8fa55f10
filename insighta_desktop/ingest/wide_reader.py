"""UTF-16 files (LE or BE): decoded chunk by chunk, cut into lines, each line's byte offset kept exact for resume.

Every offset handed out is just after a line's last code unit, so a resumed read starts on a code unit boundary.
Lines end at LF, CRLF or a lone CR (a lone CR is read as LF: both are one code unit, so offsets do not move).
Unpaired surrogates decode with surrogatepass (their two bytes count exactly) and mark the line broken.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from insighta_desktop.ingest.line_parser import MAX_LINE_BYTES, Line, RecordBlock, parse_lines

_LONE_CR = re.compile(r"\r(?!\n|\Z)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_END = re.compile(r"\r\n|\r|\n")
MAX_LINE_CHARS = MAX_LINE_BYTES // 2

# (lines without "\n" — a CRLF line keeps its "\r" — or None for one over-long line; byte offset after each line;
# whether the last line has its "\n")
WideLines = tuple[list[str] | None, list[int], bool]


def _byte_sizes(lines: list[str], piece: str, codec: str) -> list[int]:
    if len(piece.encode(codec, "surrogatepass")) == 2 * len(piece):  # no characters outside the BMP
        return [2 * len(line) + 2 for line in lines]
    return [len(line.encode(codec, "surrogatepass")) + 2 for line in lines]


def _wide_lines(fh: BinaryIO, codec: str, offset: int, chunk_size: int) -> Iterator[WideLines]:
    decoder = codecs.getincrementaldecoder(codec)("surrogatepass")
    pending = ""
    pos = offset  # the byte offset where `pending` starts
    consumed = offset  # bytes read so far
    skipping = False  # inside a line longer than MAX_LINE_BYTES
    while True:
        chunk = fh.read(chunk_size)
        consumed += len(chunk)
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError:  # an odd byte at the end of the file: a lone surrogate marks the line broken
            text = "\udcff"
        if skipping:
            end = _LINE_END.search(text)
            if end is None and not final:
                continue
            rest = text[end.end():] if end else ""
            after = consumed - len(decoder.getstate()[0]) - len(rest.encode(codec, "surrogatepass"))
            yield None, [after], True
            skipping, pending, pos = False, rest, after
            if not final:
                continue
            text = ""
        data = pending + text
        if "\r" in data:
            data = _LONE_CR.sub("\n", data)
        if final:
            if data:
                lines = data.split("\n")
                complete = data.endswith("\n")
                if complete:
                    lines.pop()
                ends = _ends(lines, data, codec, pos)
                ends[-1] = consumed  # the file's end, even after an odd byte
                yield lines, ends, complete
            return
        cut = data.rfind("\n") + 1
        if not cut:
            if len(data) > MAX_LINE_CHARS:
                skipping, pending = True, ""
            else:
                pending = data
            continue
        piece, pending = data[:cut], data[cut:]
        lines = piece[:-1].split("\n")
        ends = _ends(lines, piece, codec, pos)
        pos = ends[-1]
        yield lines, ends, True


def _ends(lines: list[str], piece: str, codec: str, start: int) -> list[int]:
    ends = []
    for size in _byte_sizes(lines, piece, codec):
        start += size
        ends.append(start)
    return ends


def iter_wide_blocks(fh: BinaryIO, codec: str, offset: int, first_line: int, width: int | None, delimiter: str,
                     chunk_size: int) -> Iterator[RecordBlock]:
    """Blocks of records from `offset` (a record boundary) to the end of the file, as reader.iter_blocks."""
    from insighta_desktop.ingest.reader import _block, _fast_block

    carry: list[Line] = []
    line_no = first_line
    for texts, ends, complete in _wide_lines(fh, codec, offset, chunk_size):
        if texts is None:
            lines: list[Line] = [(None, line_no, ends[0], False)]
            line_no += 1
        else:
            broken = _SURROGATE.search("".join(texts)) is not None
            if not carry and not broken:
                rows = _fast_block(texts, delimiter)
                if rows is not None:
                    yield _block(rows[1], rows[0], line_no, ends, width)
                    line_no += len(texts)
                    continue
            oks: list[bool] = []
            if broken:  # shown escaped, as 8-bit lines that do not decode are
                oks = [_SURROGATE.search(t) is None for t in texts]
                texts = [t if ok else _SURROGATE.sub(_escape, t) for t, ok in zip(texts, oks, strict=True)]
            lines = [(t + "\n", line_no + i, ends[i], not broken or oks[i]) for i, t in enumerate(texts)]
            if not complete:
                last = lines[-1]
                lines[-1] = (texts[-1], last[1], last[2], last[3])
            line_no += len(texts)
        block, carry = parse_lines(carry + lines, width, delimiter, final=False)
        if block.rows:
            yield block
    if carry:
        block, _ = parse_lines(carry, width, delimiter, final=True)
        if block.rows:
            yield block


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def wide_line_number(path: Path, codec: str, start: int, offset: int, chunk_size: int) -> int:
    """The line number at byte `offset` (a line boundary) of a UTF-16 file whose text starts at `start`."""
    decoder = codecs.getincrementaldecoder(codec)("surrogatepass")
    breaks = 0
    last_cr = False
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = offset - start
        while remaining > 0:
            chunk = fh.read(min(chunk_size, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            text = decoder.decode(chunk, remaining <= 0)
            if not text:
                continue
            breaks += text.count("\n") + text.count("\r") - text.count("\r\n")
            if last_cr and text.startswith("\n"):
                breaks -= 1
            last_cr = text.endswith("\r")
    return breaks + 1
