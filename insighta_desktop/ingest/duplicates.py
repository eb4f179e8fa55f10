"""`--on-duplicate update` for one run: which stored names a batch updates, and which names this run already met.

A name the run inserted or updated carries the run's id in the database, so a later line with that name is found to
repeat it there. A name found unchanged is not rewritten (that would cost a new row version and an entry in every
index), so the run remembers it here, with its line; a resumed run first reads the names of the lines before its
resume point (`names_before`), so a repeat is recognised across a crash too. Those names are kept in a temporary
SQLite database (db/name_lines_file.py): a 2 MB cache in memory, the rest on disk, however many there are.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from insighta_desktop.db.bulk_insert import Existing, ProfileBatch
from insighta_desktop.db.name_lines_file import NameLinesFile
from insighta_desktop.db.profile_update import UpdateResult, update_profiles
from insighta_desktop.ingest.batches import iter_batches
from insighta_desktop.ingest.name_hashes import name_hash
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.rows import RowValidator


class UpdatePolicy:
    def __init__(self, run_id: int, seen: NameLinesFile | None = None) -> None:
        self.run_id = run_id
        self.met = seen if seen is not None else NameLinesFile()  # name_key -> its first line (not marked in the db)
        self._pending: dict[int, int] = {}  # name digest -> line: the last batch's names found unchanged

    def update(self, conn: Connection, profiles: ProfileBatch, existing: dict[str, Existing]) -> UpdateResult:
        """Update the stored names of the batch that this run has not met yet; the names it met become this run's
        in `existing` (so they are rejected as repeats of their line)."""
        by_hash = {name_hash(key): key for key, where in existing.items() if where.import_run_id != self.run_id}
        for h, line in self.met.lines_of(by_hash).items():
            existing[by_hash[h]] = Existing(self.run_id, line)
        stored_before = [key for key, where in existing.items() if where.import_run_id != self.run_id]
        result = update_profiles(conn, profiles, stored_before)
        self._pending = {name_hash(key): line
                         for key, line in zip(profiles.keys, profiles.source_lines, strict=True)
                         if key in result.unchanged_keys}
        return result

    def committed(self) -> None:
        """The batch whose update ran last is committed: remember its unchanged names."""
        self.met.update_lines(self._pending)
        self._pending = {}

    def close(self) -> None:
        self.met.close()


def names_before(csv_file: CsvFile, last_line: int, batch_size: int = 10_000) -> NameLinesFile:
    """Each valid name of the file's lines up to `last_line` -> the first line that has it."""
    names = NameLinesFile()
    if last_line < 1:
        return names
    for batch in iter_batches(csv_file, RowValidator(csv_file.mapping), batch_size):
        first: dict[int, int] = {}
        for key, line in zip(batch.columns.keys, batch.columns.lines, strict=True):
            if line <= last_line:
                first.setdefault(name_hash(key), line)
        names.update_lines(first)
        if batch.last_line >= last_line:
            break
    return names
