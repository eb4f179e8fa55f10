"""The rejects CSV (line_number, reason, detail, raw_line), safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, TextIO

from insighta_desktop.ingest.errors import ImportRefused

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


def open_rejects(path: Path, input_path: Path) -> RejectsWriter:
    """The rejects file of an import of `input_path`, created (or emptied) now, before anything is imported.

    Refuses (ImportRefused) a path that is the input file itself (through links too) or that cannot be written,
    naming the path in one line."""
    path = Path(path)
    if _same_file(path, Path(input_path)):
        raise ImportRefused("rejects_is_input", f"the rejects file {path} is the file being imported; "
                                                "choose another path for --rejects")
    try:
        return RejectsWriter(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError) and exc.filename:  # a file stands where a folder on the path must be
            reason = f"{exc.filename} is not a folder"
        elif exc.filename and Path(exc.filename) != path:
            reason += f" ({exc.filename})"
        raise ImportRefused("rejects_unwritable", f"cannot write the rejects file {path}: {reason}") from exc


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.resolve() == b.resolve():
            return True
        return a.exists() and os.path.samefile(a, b)  # hard links
    except (OSError, RuntimeError):  # a link loop or an unreadable folder: not provably the same file
        return False


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

    def write_all(self, rejects: Iterable[Reject]) -> int:
        """Write every reject, a thousand at a time; returns how many."""
        count = 0
        for chunk in _chunks(rejects, 1000):
            self.write(chunk)
            count += len(chunk)
        return count

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
    with RejectsWriter(path) as writer:
        return writer.write_all(rejects)


def _chunks(items: Iterable[Reject], size: int) -> Iterable[list[Reject]]:
    chunk: list[Reject] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
