"""The careful CSV path: the csv module fed one physical line at a time, knowing which lines make each record.

Used for any block the fast path in reader.py cannot take: lines that do not decode, NUL bytes, stray carriage
returns, quotes that span lines or do not close. A record that cannot be a well-formed row and spans several lines
(an unterminated quote swallowing what follows) rejects only its first line; the following lines are parsed again.
"""
from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

MAX_LINE_BYTES = 4 * 1024 * 1024
BROKEN_ENCODING = "broken encoding: bytes that are not valid UTF-8"
NUL_BYTE = "NUL byte in the line"
UNTERMINATED = "unterminated quote"

# One physical line: (text with its "\n", or None when longer than MAX_LINE_BYTES; line number; byte offset just
# after it; decoded cleanly)
Line = tuple[str | None, int, int, bool]


class RecordBlock(NamedTuple):
    """Consecutive records, column by column of metadata: the pipeline walks them without per-record objects."""

    line_numbers: range | list[int]
    rows: list[list[str]]  # fields; [] for a malformed record
    raws: list[str]  # each record's text (a trailing "\r" may remain; strip it for display)
    ends: list[int]  # byte offset just after each record
    problems: list[str | None] | None  # why each record is malformed; None when none is


class _OversizeLine(Exception):
    pass


class _Feed:
    """The csv reader's line iterator; remembers the lines of the current record and takes lines back."""

    __slots__ = ("_source", "_pushed", "taken", "ran_out")

    def __init__(self, source: Iterator[Line]) -> None:
        self._source = source
        self._pushed: deque[Line] = deque()
        self.taken: list[Line] = []
        self.ran_out = False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self._pushed:
            item = self._pushed.popleft()
        else:
            try:
                item = next(self._source)
            except StopIteration:
                self.ran_out = True
                raise
        self.taken.append(item)
        if item[0] is None:
            raise _OversizeLine
        return item[0]

    def push_back(self, lines: list[Line]) -> None:
        self._pushed.extendleft(reversed(lines))
        self.ran_out = False


def line_text(line: Line) -> str:
    text = line[0]
    if text is None:
        return f"<line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB, not shown>"
    return text.rstrip("\r\n")


def _text(line: Line) -> str:
    """The text of a line the feed gave the csv reader (it raises _OversizeLine for a line it cannot hold)."""
    text = line[0]
    assert text is not None
    return text


def csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    if "new-line character seen in unquoted field" in text:
        return "a carriage return inside a field"
    return f"unreadable CSV: {text}"


class _Out:
    __slots__ = ("lines", "rows", "raws", "ends", "problems")

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.rows: list[list[str]] = []
        self.raws: list[str] = []
        self.ends: list[int] = []
        self.problems: list[str | None] = []

    def add(self, line_no: int, fields: list[str], raw: str, end: int, problem: str | None) -> None:
        self.lines.append(line_no)
        self.rows.append(fields)
        self.raws.append(raw)
        self.ends.append(end)
        self.problems.append(problem)

    def malformed(self, line: Line, problem: str) -> None:
        self.add(line[1], [], line_text(line), line[2], problem)

    def block(self) -> RecordBlock:
        return RecordBlock(self.lines, self.rows, self.raws, self.ends, self.problems)


def _reader(feed: _Feed, delimiter: str) -> Iterator[list[str]]:
    # Strict: a quote that closes before the end of its field, or never closes, is an error rather than a guess.
    return csv.reader(feed, delimiter=delimiter, strict=True)


def _add_single(out: _Out, line: Line, fields: list[str], width: int | None) -> None:
    _, line_no, end, ok = line
    text = _text(line)
    if not fields or (len(fields) == 1 and not fields[0].strip()):
        return
    problem = None
    if not ok:
        problem = BROKEN_ENCODING
    elif width is not None and len(fields) != width:
        problem = f"expected {width} fields, found {len(fields)}"
    elif "\x00" in text:
        problem = NUL_BYTE
    out.add(line_no, fields if problem is None else [], text.rstrip("\r\n"), end, problem)


def parse_lines(lines: list[Line], width: int | None, delimiter: str, final: bool) -> tuple[RecordBlock, list[Line]]:
    """Records from these lines, and the lines of a record still open at the end (when not `final`)."""
    out = _Out()
    feed = _Feed(iter(lines))
    reader = _reader(feed, delimiter)
    taken = feed.taken
    while True:
        taken.clear()
        try:
            fields = next(reader)
        except StopIteration:
            return out.block(), []
        except _OversizeLine:
            if len(taken) > 1:
                out.malformed(taken[0], UNTERMINATED)
                feed.push_back(taken[1:])
            else:
                out.malformed(taken[0], f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
            reader = _reader(feed, delimiter)
            continue
        except csv.Error as exc:
            reader = _reader(feed, delimiter)
            if feed.ran_out and not final:  # the quote may close in the lines still to come
                return out.block(), list(taken)
            if len(taken) == 1 and not feed.ran_out:
                # One line on its own: read it leniently, as the fast path does (`"a"b` gives `ab`).
                try:
                    fields = next(csv.reader((_text(taken[0]),), delimiter=delimiter), [])
                except csv.Error as again:
                    out.malformed(taken[0], csv_problem(again))
                    continue
                _add_single(out, taken[0], fields, width)
                continue
            out.malformed(taken[0], UNTERMINATED if len(taken) > 1 or feed.ran_out else csv_problem(exc))
            if len(taken) > 1:
                feed.push_back(taken[1:])
            continue
        if len(taken) == 1:
            _add_single(out, taken[0], fields, width)
            continue
        # A record over several physical lines: a quoted field holding line breaks.
        if width is not None and len(fields) != width:
            out.malformed(taken[0], UNTERMINATED)
            feed.push_back(taken[1:])
            reader = _reader(feed, delimiter)
            continue
        raw = "".join(map(_text, taken)).rstrip("\r\n")
        problem = None
        if not all(line[3] for line in taken):
            problem = BROKEN_ENCODING
        elif "\x00" in raw:
            problem = NUL_BYTE
        out.add(taken[0][1], fields if problem is None else [], raw, taken[-1][2], problem)
