"""Fixing rejected rows in place: each reject's fields as the file's columns gave them, the field at fault and the
reason in words, a re-check of an edited row by the import's own validator, and the file of fixed rows that is
imported as a new run linked to the original (its parent_run_id).

Pure apart from `layout_for_run` (reads the original file's header, when the file is still there) and
`write_fixed_rows` (writes the file).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from insighta_desktop.ingest import mapping as column_mapping
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.headers import FIELDS, REQUIRED_FIELDS, HeaderMapping
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.runs import RunRecord
from insighta_desktop.ingest.summary import REASONS
from insighta_desktop.ingest.validators import Invalid

REASON_WORDS = {
    "malformed_row": "malformed row",
    "missing_fields": "missing value",
    "invalid_name": "invalid name",
    "invalid_gender": "invalid gender",
    "invalid_age": "invalid age",
    "invalid_country": "unknown country",
    "invalid_probability": "invalid probability",
    "duplicate_name": "name already imported",
}
# The first word of a validator's detail names the field ("age 'abc' is not a whole number", "country_id is empty").
_DETAIL_FIELD = {**{field: field for field in FIELDS}, "country": "country_id"}
_REASON_FIELD = {"invalid_name": "name", "invalid_gender": "gender", "invalid_age": "age",
                 "invalid_country": "country_id", "duplicate_name": "name"}
STANDARD_HEADERS = ("name", "gender", "age", "country_id", "gender_probability", "country_probability")


def reason_words(reason: str) -> str:
    """A reason code in words, for the GUI (codes stay in CSV and JSON)."""
    return REASON_WORDS.get(reason, reason.replace("_", " "))


def problem_words(reason: str, detail: str) -> str:
    """What is wrong with a row, in words: the validator's detail ("age 'abc' is not a whole number") when there is
    one, else the reason's words."""
    detail = detail.strip()
    if not detail:
        return reason_words(reason)
    if reason == "duplicate_name":
        return f"name {detail}"  # "name already in the database", "name repeats line 12"
    if reason == "malformed_row":
        return f"malformed row: {detail}"
    return detail


def reasons_in_words(reasons: dict[str, int]) -> str:
    shown = [f"{reason_words(reason)} {reasons[reason]:,}" for reason in REASONS if reasons.get(reason)]
    shown += [f"{reason_words(r)} {n:,}" for r, n in reasons.items() if n and r not in REASONS]
    return " · ".join(shown) if shown else "none"


def reason_counts(rejects: Iterable[Reject]) -> dict[str, int]:
    """Rows per reason, in the reasons' priority order, only reasons that occur."""
    counts: dict[str, int] = {}
    for reject in rejects:
        counts[reject.reason] = counts.get(reject.reason, 0) + 1
    order = {reason: i for i, reason in enumerate(REASONS)}
    return dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(order))))


def field_at_fault(reason: str, detail: str) -> str | None:
    """The field whose value the reason is about, or None (a malformed row is about the whole line)."""
    if reason == "malformed_row":
        return None
    first = detail.strip().split(" ", 1)[0].rstrip(",")
    return _DETAIL_FIELD.get(first) or _REASON_FIELD.get(reason)


@dataclass(frozen=True)
class RejectLayout:
    """How a run's raw lines split into fields: its file's header row, delimiter and column for each field."""

    headers: tuple[str, ...]
    delimiter: str
    mapping: HeaderMapping

    @property
    def fields(self) -> tuple[str, ...]:
        """The profile fields the file has a column for, in canonical order: the editable columns."""
        return tuple(field for field in FIELDS if field in self.mapping.columns)


def standard_layout(delimiter: str = ",") -> RejectLayout:
    return RejectLayout(STANDARD_HEADERS, delimiter, column_mapping.resolve(STANDARD_HEADERS))


def layout_for_run(record: RunRecord) -> RejectLayout:
    """The original file's header (and the mapping chosen for the run); the standard columns if the file is gone."""
    from insighta_desktop.ingest.file_format import DETECT, resume_format
    from insighta_desktop.ingest.reader import CsvFile

    chosen = column_mapping.from_json(record.mapping_json)
    read_as = resume_format(DETECT, record.encoding, record.delimiter)  # as the run read it
    try:
        csv_file = CsvFile(record.file_name, map_columns=lambda headers: column_mapping.resolve(headers, chosen),
                           file_format=read_as)
    except ImportRefused:
        return standard_layout(record.delimiter or ",")
    return RejectLayout(tuple(csv_file.header), csv_file.delimiter, csv_file.mapping)


@dataclass(frozen=True)
class Check:
    """A row's verdict: ok, or the reason, its detail and the field at fault."""

    reason: str | None = None
    detail: str = ""
    field: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def words(self) -> str:
        return "ok" if self.reason is None else problem_words(self.reason, self.detail)


OK = Check()


@dataclass(frozen=True)
class EditableReject:
    """One rejected row as editable values per field; `check` is its verdict now, `edited` whether it was changed."""

    reject: Reject
    values: tuple[str, ...]  # one per layout field
    check: Check
    edited: bool = False

    @property
    def fixed(self) -> bool:
        """Edited and now valid: it goes into the fixed-rows import."""
        return self.edited and self.check.ok


def split_line(raw: str, delimiter: str) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter))
    except csv.Error:
        return raw.split(delimiter)
    return [value for row in rows for value in row] if len(rows) > 1 else (rows[0] if rows else [])


def editable(reject: Reject, layout: RejectLayout) -> EditableReject:
    """A reject's values as its line gave them (a short malformed line leaves the rest empty)."""
    cells = split_line(reject.raw_line, layout.delimiter)
    values = tuple(cells[layout.mapping.columns[f]] if layout.mapping.columns[f] < len(cells) else ""
                   for f in layout.fields)
    return EditableReject(reject, values, Check(reject.reason, reject.detail,
                                                field_at_fault(reject.reason, reject.detail)))


def check_values(values: Sequence[str], fields: Sequence[str]) -> Check:
    """The import's own validation of one row (duplicates aside: those are found by the import)."""
    mapping = HeaderMapping(tuple(fields), {field: i for i, field in enumerate(fields)})
    missing = [field for field in REQUIRED_FIELDS if field not in mapping.columns]
    if missing:
        return Check("missing_fields", f"{', '.join(missing)} has no column", missing[0])
    result = RowValidator(mapping)(list(values))
    if type(result) is Invalid:
        return Check(result.reason, result.detail, field_at_fault(result.reason, result.detail))
    return OK


def with_value(row: EditableReject, fields: Sequence[str], field: str, text: str) -> EditableReject:
    """The row with one value changed, checked again at once."""
    index = list(fields).index(field)
    values = (*row.values[:index], text, *row.values[index + 1:])
    if values == row.values:
        return row
    return replace(row, values=values, check=check_values(values, fields), edited=True)


def write_fixed_rows(path: Path, rows: Iterable[EditableReject], fields: Sequence[str]) -> int:
    """The fixed rows as a CSV file with the canonical field names as its header (so the import maps it exactly);
    returns how many rows it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            if row.fixed:
                writer.writerow(row.values)
                count += 1
    return count


def fixed_rows_path(folder: Path, parent_run_id: int, stamp: str) -> Path:
    return folder / f"run-{parent_run_id}-fixed-rows-{stamp}.csv"


def run_label(record: RunRecord) -> str:
    """How the history names a run: its file, or for a fixed-rows run the run it fixed."""
    if record.parent_run_id is not None:
        return f"fixed rows of run {record.parent_run_id}"
    return Path(record.file_name).name


def load_editable(engine: Engine, run_id: int, limit: int) -> tuple[list[EditableReject], tuple[str, ...]]:
    """A run's first `limit` rejects, editable, and the fields they are edited by (blocking: run it off the GUI
    thread)."""
    from insighta_desktop.ingest.runs import get_run, iter_rejects

    record = get_run(engine, run_id)
    layout = layout_for_run(record) if record is not None else standard_layout()
    rows: list[EditableReject] = []
    for reject in iter_rejects(engine, run_id):
        rows.append(editable(reject, layout))
        if len(rows) >= limit:
            break
    return rows, layout.fields
