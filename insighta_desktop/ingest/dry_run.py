"""`--dry-run` / "Check file": the whole file read and validated as an import would, duplicates looked up in the
database (and within the file), and the summary an import would give; no profile, run or rejects file is written.

The names the file would add are remembered to find later lines that repeat them (the import finds those in the
database, where its earlier batches put them), as 8-byte digests (ingest/name_hashes.py), so a check of a
2,000,000-line file holds about 32 MB of them however long the names are.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from insighta_desktop.db.bulk_insert import find_existing
from insighta_desktop.db.profile_store import ProfileStore
from insighta_desktop.db.profile_update import count_changes, stored_values
from insighta_desktop.ingest.batches import DUPLICATE, Batch, iter_batches
from insighta_desktop.ingest.mapping import as_chosen
from insighta_desktop.ingest.name_hashes import NameHashes, name_hash
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.run_start import ON_DUPLICATE, column_mapper
from insighta_desktop.ingest.summary import CANCELLED, COMPLETED, ImportProgress, ImportSummary, empty_reasons

if TYPE_CHECKING:
    from insighta_desktop.ingest.pipeline import CancelToken, ImportOptions


class _Counts:
    def __init__(self) -> None:
        self.total = self.inserted = self.skipped = self.updated = self.unchanged = 0
        self.reasons = empty_reasons()
        self.corrected = {"age_group": 0, "country_name": 0}

    def add_reject(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.reasons[reason] = self.reasons.get(reason, 0) + n


def check_file(store: ProfileStore, path: Path, options: ImportOptions, now: Callable[[], datetime],
               clock: Callable[[], float] = time.monotonic,
               on_progress: Callable[[ImportProgress], None] | None = None,
               cancel: CancelToken | None = None) -> ImportSummary:
    """The summary importing `path` now would give (status success, dry_run set); ImportRefused as the import."""
    from insighta_desktop.ingest.errors import ImportRefused

    if options.on_duplicate not in ON_DUPLICATE:
        raise ImportRefused("bad_option", f"on duplicate: {options.on_duplicate!r} is not one of skip, update")
    started = clock()
    mapper, _ = column_mapper(store.engine, options.columns)
    csv_file = CsvFile(path, map_columns=mapper, file_format=options.file_format)
    counts = _Counts()
    seen = NameHashes()
    update = options.on_duplicate == "update"
    status = COMPLETED
    last_report = -1e9
    with store.connect() as conn:
        for batch in iter_batches(csv_file, RowValidator(csv_file.mapping), options.batch_size,
                                  max_bytes=options.batch_bytes):
            _count_batch(conn, batch, counts, seen, update)
            if on_progress is not None and clock() - last_report >= options.progress_interval:
                last_report = clock()
                elapsed = last_report - started
                on_progress(ImportProgress(batch.end_offset, csv_file.size, counts.total, counts.inserted,
                                           counts.skipped, dict(counts.reasons), elapsed,
                                           counts.total / elapsed if elapsed > 0 else 0.0, None, "checking"))
            if cancel is not None and cancel.cancelled:
                status = CANCELLED
                break
    duration = clock() - started
    return ImportSummary(
        status="success" if status == COMPLETED else status, total_rows=counts.total, inserted=counts.inserted,
        skipped=counts.skipped, reasons=counts.reasons, file_name=path.name, encoding=csv_file.encoding,
        delimiter=csv_file.delimiter, format_notes=list(csv_file.format.notes),
        duration_s=round(duration, 3), rows_per_s=round(counts.total / duration, 1) if duration > 0 else 0.0,
        run_status=status, corrected=counts.corrected, extra_columns=list(csv_file.mapping.extra),
        updated=counts.updated, unchanged=counts.unchanged, on_duplicate=options.on_duplicate,
        mapping=as_chosen(csv_file.mapping), dry_run=True)


def _count_batch(conn: Connection, batch: Batch, counts: _Counts, seen: NameHashes, update: bool) -> None:
    counts.total += batch.records
    for key in counts.corrected:
        counts.corrected[key] += batch.corrected.get(key, 0)
    for reject in batch.rejects:
        counts.add_reject(reject.reason)
    keys = batch.columns.keys  # distinct within the batch
    hashes = list(map(name_hash, keys))
    known = list(map(seen.has_hash, hashes))
    repeats = sum(known)
    if repeats:
        counts.add_reject(DUPLICATE, repeats)
    fresh = [key for key, met in zip(keys, known, strict=True) if not met]
    existing = find_existing(conn, fresh)
    if existing and update:
        columns = batch.columns
        incoming = {key: values for key, values in zip(
            columns.keys, zip(columns.names, columns.genders, columns.gender_ps, columns.ages, columns.age_groups,
                              columns.country_ids, columns.country_names, columns.country_ps, strict=True),
            strict=True) if key in existing}
        changed, unchanged = count_changes(stored_values(conn, list(incoming)), incoming)
        counts.updated += changed
        counts.unchanged += unchanged
    elif existing:
        counts.add_reject(DUPLICATE, len(existing))
    counts.inserted += len(fresh) - len(existing)
    for h, met in zip(hashes, known, strict=True):
        if not met:
            seen.add_hash(h)

