"""A look at a file before importing it: header mapping, encoding so far, and the first rows as they would go in."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from insighta_desktop.ingest.file_format import DETECT, FileFormat
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.validators import Invalid


@dataclass(frozen=True)
class PreviewRow:
    line_number: int
    fields: list[str]
    verdict: str  # "ok" or the reason the row would be rejected
    detail: str


@dataclass(frozen=True)
class FilePreview:
    path: Path
    size: int
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: list[tuple[str, str]]  # (column as written, field or "ignored")
    extra_columns: list[str]
    rows: list[PreviewRow]
    newline: str = "LF"  # line endings seen: LF, CRLF, CR or mixed (…)
    format_notes: tuple[str, ...] = ()  # what format detection was not sure of
    file_format: FileFormat = DETECT  # what was chosen (to import it the same way)


def preview_file(path: Path | str, limit: int = 20, file_format: FileFormat = DETECT) -> FilePreview:
    """Raises ImportRefused when the file cannot be imported at all (the same checks as the import)."""
    csv_file = CsvFile(path, file_format=file_format)
    block = csv_file.preview(limit)
    validator = RowValidator(csv_file.mapping)
    rows = []
    for i, fields in enumerate(block.rows):
        problem = block.problems[i] if block.problems else None
        if problem:
            rows.append(PreviewRow(block.line_numbers[i], [block.raws[i]], "malformed_row", problem))
            continue
        result = validator(fields)
        if type(result) is Invalid:
            rows.append(PreviewRow(block.line_numbers[i], fields, result.reason, result.detail))
        else:
            rows.append(PreviewRow(block.line_numbers[i], fields, "ok", ""))
    return FilePreview(csv_file.path, csv_file.size, csv_file.encoding, csv_file.delimiter, list(csv_file.header),
                       csv_file.mapping.describe(), list(csv_file.mapping.extra), rows,
                       csv_file.format.newline, csv_file.format.notes, file_format)
