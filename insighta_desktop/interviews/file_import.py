"""Interviews from transcript files: read and parse a file, tell the candidate from the interviewers, write it once.

The same file (by SHA-256) is imported once: importing it again writes nothing and says which interview it became.
Blocking (file and database); the GUI calls it on a worker thread, the CLI directly.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db.interview_imports import (
    ExistingImport,
    ImportedInterview,
    SpeakerRow,
    TurnRow,
    find_import,
    insert_import,
)
from insighta_desktop.interviews.model import ROLE_CANDIDATE, ROLE_INTERVIEWER, turn_id
from insighta_desktop.interviews.sources import MAX_BYTES, NotATranscript, ParsedTranscript, parse_transcript

DEFAULT_ROLE = "Unspecified"
IMPORT_NAMESPACE = uuid.UUID("3b0f6a52-7c1e-4f0e-9d55-2a8e61c4b9d7")
ALREADY_IMPORTED, NOT_A_TRANSCRIPT, UNREADABLE, CANDIDATE_UNKNOWN = (
    "already_imported", "not_a_transcript", "unreadable", "candidate_unknown")


class ImportRefused(ValueError):
    """A file this import cannot take; str() is the reason ("it is a binary file, not text")."""

    transient = False

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ImportOptions:
    candidate_name: str | None = None
    role: str | None = None
    date: date | None = None
    candidate_speaker: str | None = None


@dataclass(frozen=True)
class TranscriptFile:
    path: Path
    sha256: str
    size: int
    modified_at: datetime
    parsed: ParsedTranscript

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class ImportOutcome:
    file: str
    imported: bool
    interview_id: str | None = None
    candidate_name: str | None = None
    reason: str | None = None  # why it was skipped: ALREADY_IMPORTED, NOT_A_TRANSCRIPT, …
    message: str | None = None
    role: str | None = None
    started_at: datetime | None = None
    turns: int = 0
    speakers: list[tuple[str, str]] = field(default_factory=list)  # (name, candidate | interviewer)
    duration_s: float = 0.0
    source_format: str | None = None
    skipped_cues: int = 0

    def to_json(self) -> dict[str, Any]:
        if not self.imported:
            return {"file": self.file, "reason": self.reason, "message": self.message, "id": self.interview_id,
                    "candidate_name": self.candidate_name}
        return {"id": self.interview_id, "candidate_name": self.candidate_name, "turns": self.turns,
                "speakers": [{"name": n, "role": r} for n, r in self.speakers], "duration_s": self.duration_s,
                "source_format": self.source_format, "file": self.file, "role": self.role,
                "date": self.started_at.isoformat() if self.started_at else None, "skipped_cues": self.skipped_cues}

    def describe(self) -> str:
        """One line for a person: what was imported, or why not."""
        name = Path(self.file).name
        if self.imported:
            damaged = f", {self.skipped_cues} damaged cue(s) skipped" if self.skipped_cues else ""
            return (f"Imported {name}: {self.candidate_name} — {self.role}, {self.turns} turns, "
                    f"{len(self.speakers)} speakers, {_clock(self.duration_s)} (id {self.interview_id}){damaged}")
        return f"Skipped {name}: {self.message}"


def _clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def read_transcript_file(path: Path) -> TranscriptFile:
    """The file's bytes parsed and hashed; ImportRefused (UNREADABLE or NOT_A_TRANSCRIPT) with the reason."""
    try:
        stat = path.stat()
        if path.is_dir():
            raise ImportRefused(UNREADABLE, "it is a folder, not a file")
        if stat.st_size > MAX_BYTES:
            raise ImportRefused(NOT_A_TRANSCRIPT, f"it is too large for a transcript ({stat.st_size / 1e6:.0f} MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused(UNREADABLE, "it does not exist") from None
    except OSError as exc:
        raise ImportRefused(UNREADABLE, f"it cannot be read ({exc.strerror or exc})") from None
    try:
        parsed = parse_transcript(data)
    except NotATranscript as exc:
        raise ImportRefused(NOT_A_TRANSCRIPT, str(exc)) from None
    return TranscriptFile(path, hashlib.sha256(data).hexdigest(), len(data),
                          datetime.fromtimestamp(stat.st_mtime, UTC), parsed)


def guess_candidate_speaker(parsed: ParsedTranscript, candidate_name: str | None = None) -> str | None:
    """The speaker the file marks as the candidate, else one labelled "candidate", else the one named like
    `candidate_name` (the whole name, or a unique speaker whose words are all in it or hold all of it)."""
    if parsed.candidate_speaker is not None:
        return parsed.candidate_speaker
    labelled = [s for s in parsed.speakers if _same(s, ROLE_CANDIDATE)]
    if labelled:
        return labelled[0]
    if not candidate_name or not candidate_name.strip():
        return None
    exact = [s for s in parsed.speakers if _same(s, candidate_name)]
    if exact:
        return exact[0]
    wanted = set(candidate_name.casefold().split())
    partial = [s for s in parsed.speakers
               if (words := set(s.casefold().split())) and (words <= wanted or wanted <= words)]
    return partial[0] if len(partial) == 1 else None


def candidate_speaker_of(parsed: ParsedTranscript, options: ImportOptions) -> str:
    speakers = ", ".join(f"“{s}”" for s in parsed.speakers)
    if options.candidate_speaker:
        chosen = next((s for s in parsed.speakers if _same(s, options.candidate_speaker)), None)
        if chosen is None:
            raise ImportRefused(CANDIDATE_UNKNOWN, f"no speaker is called “{options.candidate_speaker}” in it "
                                                   f"(its speakers: {speakers})")
        return chosen
    guessed = guess_candidate_speaker(parsed, options.candidate_name)
    if guessed is None:
        raise ImportRefused(CANDIDATE_UNKNOWN, f"it does not say which speaker is the candidate; name one with "
                                               f"--candidate-speaker (its speakers: {speakers}) or give "
                                               "--candidate the candidate's name")
    return guessed


def plan_import(file: TranscriptFile, options: ImportOptions, now: datetime) -> ImportedInterview:
    """The rows to write for this file: the candidate's turns under `candidate`, each interviewer under a key of
    their own (`interviewer`, `interviewer-2`, …) with their name, times from the interview's start."""
    parsed = file.parsed
    candidate = candidate_speaker_of(parsed, options)
    generic = _same(candidate, ROLE_CANDIDATE)
    candidate_name = (options.candidate_name or "").strip() or (parsed.candidate_name if generic else None) or candidate
    role = (options.role or "").strip() or parsed.role or DEFAULT_ROLE
    if options.date is not None:
        started_at = datetime.combine(options.date, time(0), UTC)
    else:
        started_at = parsed.started_at or file.modified_at
    interview_id = str(uuid.uuid5(IMPORT_NAMESPACE, f"interview:{file.sha256}"))
    session_id = str(uuid.uuid5(IMPORT_NAMESPACE, f"session:{file.sha256}"))
    keys: dict[str, SpeakerRow] = {candidate: SpeakerRow(ROLE_CANDIDATE, candidate_name[:200], ROLE_CANDIDATE)}
    for speaker in parsed.speakers:
        if speaker not in keys:
            number = sum(1 for row in keys.values() if row.role == ROLE_INTERVIEWER) + 1
            key = ROLE_INTERVIEWER if number == 1 else f"{ROLE_INTERVIEWER}-{number}"
            keys[speaker] = SpeakerRow(key, speaker[:200], ROLE_INTERVIEWER)
    base = started_at.timestamp()
    turns = [TurnRow(turn_id(session_id, seq), seq, keys[t.speaker].key, t.text, base + t.elapsed)
             for seq, t in enumerate(parsed.turns, start=1)]
    return ImportedInterview(
        interview_id=interview_id, session_id=session_id, candidate_name=candidate_name[:200], role=role[:200],
        started_at=started_at, ended_at=started_at + timedelta(seconds=parsed.duration),
        speakers=list(keys.values()), turns=turns,
        sha256=file.sha256, source_format=parsed.source_format, file_name=file.name[:500], file_size=file.size,
        cues=parsed.cues, skipped_cues=parsed.skipped, imported_at=now)


def _already(path: str, existing: ExistingImport) -> ImportOutcome:
    when = existing.imported_at.strftime("%Y-%m-%d %H:%M UTC")
    return ImportOutcome(path, False, existing.interview_id, existing.candidate_name, ALREADY_IMPORTED,
                         f"already imported on {when} as {existing.candidate_name} (id {existing.interview_id}); "
                         "nothing changed")


def import_file(engine: Engine, file: TranscriptFile, options: ImportOptions,
                now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ImportOutcome:
    """Import a file already read; a refusal or an earlier import of the same file comes back as skipped."""
    path = str(file.path)
    existing = find_import(engine, file.sha256)
    if existing is not None:
        return _already(path, existing)
    try:
        record = plan_import(file, options, now())
    except ImportRefused as exc:
        return ImportOutcome(path, False, reason=exc.code, message=str(exc))
    existing = insert_import(engine, record)
    if existing is not None:
        return _already(path, existing)
    names = {row.key: row.name for row in record.speakers}
    return ImportOutcome(
        path, True, record.interview_id, record.candidate_name, role=record.role, started_at=record.started_at,
        turns=len(record.turns), speakers=[(names[row.key], row.role) for row in record.speakers],
        duration_s=round(file.parsed.duration, 3), source_format=record.source_format,
        skipped_cues=record.skipped_cues)


def import_path(engine: Engine, path: Path, options: ImportOptions,
                now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ImportOutcome:
    try:
        file = read_transcript_file(path)
    except ImportRefused as exc:
        return ImportOutcome(str(path), False, reason=exc.code, message=str(exc))
    return import_file(engine, file, options, now)
