"""The rejects CSV (line_number, reason, detail, raw_line), safe to open in a spreadsheet."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, TextIO

REJECT_COLUMNS = ("line_number", "reason", "detail", "raw_line")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Reject(NamedTuple):
    line_number: int
    reason: str
    detail: str
    raw_line: str


def neutralise(text: str) -> str:
    """A leading ' stops a spreadsheet from running a cell as a formula (=, +, -, @, tab, CR)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def default_rejects_path(csv_path: Path) -> Path:
    """`people.csv` -> `people.rejects.csv`, next to the imported file."""
    return csv_path.with_name(f"{csv_path.stem}.rejects.csv")


class RejectsWriter:
    """Appends rejects to a CSV file; `append=True` continues the file of a resumed run."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = append and self.path.exists() and self.path.stat().st_size > 0
        self._fh: TextIO = self.path.open("a" if existing else "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)
        if not existing:
            self._writer.writerow(REJECT_COLUMNS)

    def write(self, rejects: Iterable[Reject]) -> None:
        self._writer.writerows(
            (r.line_number, r.reason, neutralise(r.detail), neutralise(r.raw_line)) for r in rejects)

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> RejectsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_rejects_csv(path: Path, rejects: Iterable[Reject]) -> int:
    """Write a complete rejects file (for the GUI's export); returns the number of rows written."""
    count = 0
    with RejectsWriter(path) as writer:
        for chunk in _chunks(rejects, 1000):
            writer.write(chunk)
            count += len(chunk)
    return count


def _chunks(items: Iterable[Reject], size: int) -> Iterable[list[Reject]]:
    chunk: list[Reject] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
