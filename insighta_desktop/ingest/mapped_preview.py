"""The preview with its column mapping: which column feeds each field (chosen, saved for these headers, or
automatic), the first rows under each column, and each row's verdict once every required field has a column.

Unlike the import, a required field without a column does not refuse the preview: it is listed in `missing`, so the
person can choose its column in the preview before starting.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.ingest import mapping as column_mapping
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import DETECT, FileFormat
from insighta_desktop.ingest.headers import FIELDS, REQUIRED_FIELDS, HeaderMapping
from insighta_desktop.ingest.preview import PreviewRow, check_rows
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.run_start import saved_mapping

AUTOMATIC, SAVED, CHOSEN = "automatic", "saved", "chosen"


@dataclass(frozen=True)
class MappedPreview:
    path: Path
    size: int
    encoding: str
    delimiter: str
    headers: list[str]
    columns: dict[str, int | None]  # every field -> the column index feeding it, or None
    source: str  # automatic | saved | chosen
    missing: list[str]  # required fields no column feeds: the import cannot start
    samples: list[list[str]]  # the first rows' fields, as read
    rows: list[PreviewRow]  # the first rows' verdicts (empty while a required field is missing)
    newline: str = "LF"  # line endings seen: LF, CRLF, CR or mixed (…)
    format_notes: tuple[str, ...] = ()  # what format detection was not sure of (an ambiguous delimiter)
    file_format: FileFormat = DETECT  # the encoding / delimiter chosen, None where detected

    @property
    def mapping(self) -> list[tuple[str, str]]:
        """(column as written, field or "ignored") in file order, as the preview panel shows it."""
        by_index = {i: name for name, i in self.columns.items() if i is not None}
        return [(h, by_index.get(i, "ignored")) for i, h in enumerate(self.headers)]

    @property
    def extra_columns(self) -> list[str]:
        used = {i for i in self.columns.values() if i is not None}
        return [h for i, h in enumerate(self.headers) if i not in used]

    def chosen(self) -> dict[str, str | None]:
        return {name: self.headers[i].strip() if i is not None else None for name, i in self.columns.items()}

    def column_values(self, index: int, limit: int = 3) -> list[str]:
        return [row[index] for row in self.samples[:limit] if index < len(row)]


def _lenient(headers: list[str], chosen: column_mapping.Chosen) -> HeaderMapping:
    try:
        return column_mapping.resolve(headers, chosen)
    except ImportRefused as exc:
        if exc.code != "missing_columns":
            raise
    fixed: dict[str, int | None] = {}
    for name, column in chosen.items():
        fixed[column_mapping.field_name(name, headers)] = (column_mapping.column_index(headers, column)
                                                 if column else None)
    columns = column_mapping.auto_columns(headers, fixed)
    claimed = set(columns.values())
    return HeaderMapping(tuple(headers), columns, tuple(h for i, h in enumerate(headers) if i not in claimed))


def preview_mapped(path: Path | str, engine: Engine | None, chosen: column_mapping.Chosen | None = None,
                   limit: int = 15, **csv_options: Any) -> MappedPreview:
    """Raises ImportRefused when the file cannot be imported whatever the mapping (not text, empty, …)."""
    source = [CHOSEN if chosen is not None else AUTOMATIC]

    def mapper(headers: list[str]) -> HeaderMapping:
        wanted: dict[str, str | None] = dict(chosen or {})
        if chosen is None and engine is not None:
            saved = saved_mapping(engine, headers)
            if saved is not None and column_mapping.resolve(headers, saved).columns != _auto(headers):
                wanted, source[0] = saved, SAVED
        return _lenient(headers, wanted)

    csv_file = CsvFile(path, map_columns=mapper, **csv_options)
    mapping = csv_file.mapping
    missing = [name for name in REQUIRED_FIELDS if name not in mapping.columns]
    block = csv_file.preview(limit)
    rows: list[PreviewRow] = []
    if missing:
        rows = [PreviewRow(block.line_numbers[i], fields, "not checked", f"no column for {', '.join(missing)}")
                for i, fields in enumerate(block.rows) if fields]
    else:
        rows = check_rows(block, RowValidator(mapping))
    return MappedPreview(csv_file.path, csv_file.size, csv_file.encoding, csv_file.delimiter,
                         list(csv_file.header), {name: mapping.columns.get(name) for name in FIELDS}, source[0],
                         missing, [list(r) for r in block.rows if r], rows, csv_file.format.newline,
                         csv_file.format.notes, csv_file.requested)


def _auto(headers: list[str]) -> dict[str, int] | None:
    try:
        return column_mapping.resolve(headers).columns
    except ImportRefused:
        return None
