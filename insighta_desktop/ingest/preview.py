"""The first rows of a file as they would go in: each row's verdict, checked as the import checks it."""
from __future__ import annotations

from dataclasses import dataclass

from insighta_desktop.ingest.line_parser import RecordBlock
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.validators import Invalid


@dataclass(frozen=True)
class PreviewRow:
    line_number: int
    fields: list[str]
    verdict: str  # "ok" or the reason the row would be rejected
    detail: str


def check_rows(block: RecordBlock, validator: RowValidator) -> list[PreviewRow]:
    """Each row of the block with its verdict: malformed as read, or what the validator says of its fields."""
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
    return rows
