"""How an import starts: which run it continues (if any), which column mapping it reads the file with, and the
ownership of the run. Never starts over silently: the returned note says which it did."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine

from insighta_desktop.db import import_mappings
from insighta_desktop.db import run_ownership as stored
from insighta_desktop.ingest import mapping as column_mapping
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import FileFormat, resume_format
from insighta_desktop.ingest.headers import HeaderMapping
from insighta_desktop.ingest.ownership import RunOwner, check_owner, describe_owner
from insighta_desktop.ingest.reader import CsvFile
from insighta_desktop.ingest.runs import RunRecord
from insighta_desktop.ingest.summary import RUNNING

log = logging.getLogger(__name__)

SKIP, UPDATE = "skip", "update"
ON_DUPLICATE = (SKIP, UPDATE)


@dataclass
class ResumeChoice:
    run: RunRecord | None  # None: a new run
    owner: RunOwner | None  # holds the run's lock when resuming
    note: str  # "resuming run 12 at line 250,001" / "starting a new run: no unfinished run of this file"


def choose_resume(engine: Engine, sha256: str, now: Callable[[], datetime]) -> ResumeChoice:
    """The latest unfinished run of this file, owned by this process from now on; ImportRefused when its owner is
    still alive; a new run (saying so) when there is none."""
    from insighta_desktop.ingest.same_file import latest_runs

    finished, run = latest_runs(engine, sha256)
    if run is None:
        why = f"its last run ({finished.id}) finished" if finished else "no unfinished run of this file"
        return ResumeChoice(None, None, f"starting a new run: {why}")
    liveness = check_owner(engine, run, now)
    if liveness.alive or liveness.holder is None:
        raise ImportRefused("run_in_progress",
                            f"run {run.id} of this file is still being imported by {describe_owner(run, now())}; "
                            "wait for it to finish, or cancel it, before resuming")
    how = "was interrupted" if run.status == RUNNING else f"was {run.status}"
    return ResumeChoice(run, liveness.holder,
                        f"resuming run {run.id} at line {run.last_line + 1:,} (it {how})")


def column_mapper(engine: Engine, chosen: column_mapping.Chosen | None,
                  *, use_saved: bool = True) -> tuple[Callable[[list[str]], HeaderMapping], list[str]]:
    """A header row -> mapping function for CsvFile: the chosen fields as given, the rest from the mapping saved
    for these headers (if any), the rest automatic. The list receives "saved" when a saved mapping was used."""
    used: list[str] = []

    def mapper(headers: list[str]) -> HeaderMapping:
        combined: dict[str, str | None] = {}
        if use_saved:
            saved = saved_mapping(engine, headers)
            if saved is not None:
                combined.update(saved)
                used.append("saved")
        combined.update({column_mapping.field_name(k, headers): v for k, v in (chosen or {}).items()})
        return column_mapping.resolve(headers, combined)

    return mapper, used


def saved_mapping(engine: Engine, headers: list[str]) -> dict[str, str | None] | None:
    """The mapping saved for this header row, if its columns are all still there."""
    found = import_mappings.get_mapping(engine, column_mapping.header_signature(headers))
    if found is None:
        return None
    chosen = column_mapping.from_json(found[1])
    if chosen is None:
        return None
    try:
        column_mapping.resolve(headers, chosen)
    except ImportRefused:
        return None
    return chosen


def remember_mapping(engine: Engine, mapping: HeaderMapping, now: datetime) -> None:
    """Keep a mapping that differs from the automatic one for the next file with these headers (or forget the
    saved one when the automatic mapping is what was used)."""
    headers = list(mapping.headers)
    signature = column_mapping.header_signature(headers)
    if column_mapping.differs_from_automatic(headers, mapping):
        import_mappings.save_mapping(engine, signature, json.dumps(headers, ensure_ascii=False),
                                     column_mapping.to_json(column_mapping.as_chosen(mapping)), now)
    elif import_mappings.get_mapping(engine, signature) is not None:
        import_mappings.forget_mapping(engine, signature)


def record_details(engine: Engine, run_id: int, *, mapping: HeaderMapping, delimiter: str, on_duplicate: str) -> None:
    stored.set_details(engine, run_id, {"mapping_json": column_mapping.to_json(column_mapping.as_chosen(mapping)),
                                        "delimiter": delimiter, "on_duplicate": on_duplicate})


def check_file_exists(path: Path) -> None:
    if path.is_dir():
        raise ImportRefused("not_a_file", f"{path.name} is a folder, not a CSV file")
    if not path.is_file():
        raise ImportRefused("unreadable", f"cannot read {path.name}: no such file")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Start:
    """An import about to run: its file opened with its mapping, the run it resumes (owned already) or none yet."""

    engine: Engine
    now: Callable[[], datetime]
    csv_file: CsvFile
    sha256: str
    resumed: RunRecord | None
    owner: RunOwner | None
    note: str | None
    on_duplicate: str
    chosen: dict[str, str | None]  # the mapping used: every field -> column or None

    def own(self, run_id: int) -> RunOwner:
        """A new run: take its lock, record the owner, the mapping and the policy, and keep the mapping for the next
        file with these headers."""
        owner = RunOwner(self.engine, run_id, now=self.now)
        if not owner.try_acquire():  # a fresh id nobody else can know yet
            raise RuntimeError(f"import run {run_id} is locked by another process")
        try:
            owner.claim()
            record_details(self.engine, run_id, mapping=self.csv_file.mapping, delimiter=self.csv_file.delimiter,
                           on_duplicate=self.on_duplicate)
            remember_mapping(self.engine, self.csv_file.mapping, self.now())
        except BaseException:
            owner.release()
            raise
        return owner


def begin(engine: Engine, path: Path, options: ImportOptionsLike, now: Callable[[], datetime]) -> Start:
    """Choose the run to resume (when asked), open the file with its mapping; ImportRefused when it cannot start."""
    if options.on_duplicate not in ON_DUPLICATE:
        raise ImportRefused("bad_option", f"on duplicate: {options.on_duplicate!r} is not one of skip, update")
    resumed: RunRecord | None = None
    owner: RunOwner | None = None
    note: str | None = None
    digest = ""
    if options.resume:
        check_file_exists(path)
        digest = file_sha256(path)
        choice = choose_resume(engine, digest, now)
        resumed, owner, note = choice.run, choice.owner, choice.note
        log.info("Import of %s: %s", path.name, note)
    try:
        stored_mapping = column_mapping.from_json(resumed.mapping_json) if resumed else None
        mapper, _ = column_mapper(engine, stored_mapping or options.columns, use_saved=stored_mapping is None)
        # A resumed run reads the rest of the file as it read the start (its encoding and delimiter).
        file_format = (resume_format(options.file_format, resumed.encoding, resumed.delimiter) if resumed
                       else options.file_format)
        csv_file = CsvFile(path, map_columns=mapper, file_format=file_format)
        if not options.resume:
            digest = file_sha256(path)
    except BaseException:
        if owner is not None:
            owner.release()
        raise
    on_duplicate = (resumed.on_duplicate or SKIP) if resumed else options.on_duplicate
    return Start(engine, now, csv_file, digest, resumed, owner, note, on_duplicate,
                 column_mapping.as_chosen(csv_file.mapping))


class ImportOptionsLike(Protocol):
    @property
    def resume(self) -> bool: ...
    @property
    def on_duplicate(self) -> str: ...
    @property
    def columns(self) -> dict[str, str | None] | None: ...
    @property
    def file_format(self) -> FileFormat: ...
