"""The import summary, its reasons (in priority order) and the progress snapshot sent to the GUI and CLI."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# A row with several problems counts once, under the first of these that applies.
REASONS = (
    "malformed_row",
    "missing_fields",
    "invalid_name",
    "invalid_gender",
    "invalid_age",
    "invalid_country",
    "invalid_probability",
    "duplicate_name",
)
RUNNING, COMPLETED, CANCELLED, FAILED = "running", "completed", "cancelled", "failed"


@dataclass
class ImportSummary:
    """Counts always satisfy total_rows == inserted + skipped; `status` is success for a run that finished."""

    status: str  # success | cancelled | failed
    total_rows: int = 0
    inserted: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    file_name: str = ""
    encoding: str = ""
    delimiter: str = ""  # the field delimiter the file was read with
    format_notes: list[str] = field(default_factory=list)  # what format detection was not sure of
    duration_s: float = 0.0
    rows_per_s: float = 0.0
    rejects_path: str | None = None
    run_id: int | None = None
    run_status: str = ""  # the import_runs status: completed | cancelled | failed
    corrected: dict[str, int] = field(default_factory=dict)  # supplied age_group / country_name that were wrong
    extra_columns: list[str] = field(default_factory=list)
    resumed_from_line: int | None = None
    error: str | None = None
    # This session's part of the run (the whole run's totals are above): a resumed run's session handles only the
    # rows after its resume point; duration_s and rows_per_s are this session's too.
    session_rows: int = 0
    session_inserted: int = 0

    def speed_text(self) -> str:
        """The time and rate beside the counts they belong to: this session's, and the whole file's when resumed."""
        timing = f"{self.duration_s:.1f} s ({self.rows_per_s:,.0f} rows/s)"
        if not self.resumed_from_line:
            return f"{self.total_rows:,} rows in {timing}"
        return (f"this session: {self.session_rows:,} rows from line {self.resumed_from_line:,} in {timing}, "
                f"{self.session_inserted:,} inserted; whole file: {self.total_rows:,} rows, "
                f"{self.inserted:,} inserted")
    updated: int = 0  # names already stored whose profile the file changed (--on-duplicate update)
    unchanged: int = 0  # names already stored whose profile the file holds as it is (--on-duplicate update)
    on_duplicate: str = "skip"
    mapping: dict[str, str | None] = field(default_factory=dict)  # field -> the file's column (None: not read)
    resume_note: str | None = None  # which run a --resume continued, or that it started a new one
    dry_run: bool = False  # the summary of a check: nothing was written

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        ordered = {k: data.pop(k) for k in ("status", "total_rows", "inserted", "skipped", "updated", "unchanged",
                                            "reasons")}
        ordered.update(data)
        return ordered


@dataclass(frozen=True)
class ImportProgress:
    """A snapshot for progress bars: plain values only, safe to hand across threads."""

    bytes_done: int  # the file offset up to which rows are committed
    bytes_total: int
    total_rows: int
    inserted: int
    skipped: int
    reasons: dict[str, int]
    elapsed_s: float
    rows_per_s: float  # rows handled per second in this session
    eta_s: float | None
    phase: str = "importing"  # starting | importing | retrying | finished
    message: str = ""
    run_id: int | None = None  # the run being written (known from the first snapshot on)

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 1.0


def empty_reasons() -> dict[str, int]:
    return {reason: 0 for reason in REASONS}
