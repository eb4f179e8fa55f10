"""Copy new and changed interviews from a MeetMind database into the app's database (Qt-free).

MeetMind is read through its own read-only engine (db/meetmind.py). One statement fingerprints every MeetMind
interview; only those whose fingerprint differs from the one stored at the last sync are read and copied, in
batches, each read in one snapshot and written in one transaction, so a second sync copies nothing and new
turns arrive on the next one. Every step goes through the retry layer: a dropped connection is retried.

The transcript is stored the way the app's fallback reads it (interviews/transcript.py): MeetMind's turns in
the turns table and its session's transcript_json on the session, both without the `user`/`assistant` turns
(a recruiter's notes and the assistant's replies), which are kept as notes. The fuller source wins on reading.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db import meetmind as mm
from insighta_desktop.db import synced_interviews as store
from insighta_desktop.db.engine import mask_url
from insighta_desktop.interviews.model import SOURCE_JSON, SOURCE_TURNS, speaker_label, turn_id
from insighta_desktop.interviews.repository import TranscriptSources
from insighta_desktop.interviews.transcript import build_transcript, parse_transcript_json
from insighta_desktop.resilience import RetryEvent, Retrying

log = logging.getLogger(__name__)

# Bumped when the mapping below changes, so every interview is copied again with the new mapping.
MAPPING_VERSION = "mm1"
AI_NAME = "Meet Mind"
NOTE_SPEAKERS = frozenset({"user", "assistant"})
_SESSION_NAMESPACE = uuid.UUID("5d1c0e8a-7b42-4f6e-9a3d-2c8b1e4f6a90")
STATUS_WIDTH = 16  # interviews.status

ProgressCallback = Callable[["SyncProgress"], Any]
RetryCallback = Callable[[RetryEvent], Any]


@dataclass(frozen=True)
class SyncProgress:
    stage: str  # connecting | comparing | copying | done
    done: int
    total: int

    @property
    def message(self) -> str:
        if self.stage == "connecting":
            return "Reading MeetMind's tables…"
        if self.stage == "comparing":
            return f"Comparing {self.total} MeetMind interviews with the last sync…"
        if self.stage == "copying":
            return f"Copying new and changed interviews: {self.done} of {self.total}"
        return f"Done: {self.total} interviews copied"


@dataclass(frozen=True)
class SyncedInterview:
    id: str
    candidate_name: str
    role: str
    outcome: str  # new | updated | unchanged
    transcript_source: str
    turns: int
    notes: int
    meetmind_assessment: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "candidate_name": self.candidate_name, "role": self.role, "outcome": self.outcome,
                "transcript_source": self.transcript_source, "turns": self.turns, "notes": self.notes,
                "meetmind_assessment": self.meetmind_assessment}


@dataclass(frozen=True)
class SyncReport:
    new: int
    updated: int
    unchanged: int
    interviews: list[SyncedInterview]
    missing_columns: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged,
                "interviews": [i.to_json() for i in self.interviews]}


def content_hash(fingerprint: str) -> str:
    return f"{MAPPING_VERSION}:{fingerprint}"


class MeetMindSync:
    """One sync run's collaborators: the app's engine, MeetMind's read-only engine, retries and a clock."""

    def __init__(self, app_engine: Engine, meetmind_engine: Engine, *, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), batch_size: int = 100):
        self.app_engine, self.meetmind_engine = app_engine, meetmind_engine
        self.retrying = retrying or Retrying(jitter=0.5)
        self.now = now
        self.batch_size = max(1, batch_size)
        self.source_label = mask_url(meetmind_engine.url.set(drivername="postgresql"))

    async def run(self, on_progress: ProgressCallback | None = None,
                  on_retry: RetryCallback | None = None) -> SyncReport:
        def report(stage: str, done: int = 0, total: int = 0) -> None:
            if on_progress is not None:
                on_progress(SyncProgress(stage, done, total))

        retry = self.retrying.run_in_thread
        report("connecting")
        schema = await retry(mm.detect_schema, self.meetmind_engine, task_name="Read MeetMind's tables",
                             on_retry=on_retry)
        if schema.missing:
            log.info("MeetMind database %s lacks %s; read as empty", self.source_label, ", ".join(schema.missing))
        fingerprints = await retry(mm.list_fingerprints, self.meetmind_engine, schema,
                                   task_name="Fingerprint MeetMind interviews", on_retry=on_retry)
        report("comparing", 0, len(fingerprints))
        states = await retry(store.sync_states, self.app_engine, task_name="Read synced interviews",
                             on_retry=on_retry)
        changed = [i for i, f in fingerprints.items()
                   if i not in states or states[i].content_hash != content_hash(f)]
        copied: dict[str, SyncedInterview] = {}
        report("copying", 0, len(changed))
        for start in range(0, len(changed), self.batch_size):
            batch = changed[start:start + self.batch_size]
            rows = await retry(mm.read_interviews, self.meetmind_engine, schema, batch,
                               task_name="Read MeetMind interviews", on_retry=on_retry)
            synced_at = self.now()
            records = [plan_record(row, self.source_label, synced_at) for row in rows]
            await retry(store.write_records, self.app_engine, records, task_name="Save synced interviews",
                        on_retry=on_retry)
            for r in records:
                copied[r.interview_id] = SyncedInterview(
                    r.interview_id, r.candidate_name, r.role, "updated" if r.interview_id in states else "new",
                    r.transcript_source, r.transcript_turns, len(r.notes), r.assessment is not None)
            report("copying", min(start + len(batch), len(changed)), len(changed))
        listed = []
        for ident in fingerprints:
            if ident in copied:
                listed.append(copied[ident])
            elif ident in states:  # unchanged (or gone between the fingerprint and the read)
                s = states[ident]
                listed.append(SyncedInterview(ident, s.candidate_name, s.role, "unchanged", s.transcript_source,
                                              s.turns, s.notes, s.has_assessment))
        counts = {o: sum(1 for i in listed if i.outcome == o) for o in ("new", "updated", "unchanged")}
        report("done", len(copied), len(copied))
        return SyncReport(counts["new"], counts["updated"], counts["unchanged"], listed, schema.missing)


async def sync_meetmind(app_engine: Engine, meetmind_url: str, *, retrying: Retrying | None = None,
                        on_progress: ProgressCallback | None = None, on_retry: RetryCallback | None = None,
                        batch_size: int = 100) -> SyncReport:
    """Open MeetMind read-only, sync, and close it again."""
    engine = mm.create_meetmind_engine(meetmind_url)
    try:
        return await MeetMindSync(app_engine, engine, retrying=retrying, batch_size=batch_size).run(
            on_progress, on_retry)
    finally:
        engine.dispose()


# --- mapping one MeetMind interview to the app's rows (pure) -------------------------------------------------

def _is_note(speaker: str) -> bool:
    return speaker.strip().lower() in NOTE_SPEAKERS


def _latest_turns(turns: list[mm.MeetMindTurn]) -> list[mm.MeetMindTurn]:
    """One turn per sequence number; a later transcript of the same interview replaces an earlier one's."""
    by_seq = {t.sequence_no: t for t in turns}
    return [by_seq[s] for s in sorted(by_seq)]


def _session_started(row: mm.MeetMindInterview, turns: list[mm.MeetMindTurn]) -> datetime:
    session = row.session
    stamps = [t.timestamp_sec for t in turns if t.timestamp_sec is not None]
    for value in (session.started_at if session else None, row.started_at):
        if value is not None:
            return value
    if stamps:
        return datetime.fromtimestamp(min(stamps), UTC)
    for value in (row.scheduled_start, session.created_at if session else None, row.created_at):
        if value is not None:
            return value
    return datetime.now(UTC)


def _json_parts(raw: str | None) -> tuple[str | None, list[dict[str, Any]]]:
    """The session JSON without notes (kept as it is when unreadable, so the app says so), and its notes."""
    items, problem = parse_transcript_json(raw)
    if problem is not None:
        return raw, []
    interview = [t for t in items if not _is_note(t["speaker"])]
    notes = [t for t in items if _is_note(t["speaker"])]
    return (json.dumps(interview, ensure_ascii=False) if interview else None), notes


def _rubric(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [str(v) for v in value if isinstance(v, (str, int, float))] if isinstance(value, list) else []


def _assessment(summaries: list[mm.MeetMindSummary]) -> tuple[dict[str, Any] | None, mm.MeetMindSummary | None]:
    """MeetMind's latest readable ai_assessment: observation, highlights and red flags."""
    def when(s: mm.MeetMindSummary) -> float:
        return s.generated_at.timestamp() if s.generated_at else 0.0

    for summary in sorted(summaries, key=when, reverse=True):
        try:
            data = json.loads(summary.ai_assessment or "")
        except ValueError:
            continue
        if isinstance(data, dict):
            def items(key: str, d: dict[str, Any] = data) -> list[str]:
                value = d.get(key) or []
                return [str(v) for v in value] if isinstance(value, list) else [str(value)]
            return ({"observation": str(data.get("observation") or ""), "highlights": items("highlights"),
                     "red_flags": items("red_flags")}, summary)
    return None, (max(summaries, key=when) if summaries else None)


def _speakers(turns: list[mm.MeetMindTurn], candidate: str) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for t in turns:
        kind = t.speaker.strip().lower()
        name = AI_NAME if kind == "ai" else (t.speaker_name or (candidate if kind == "candidate" else None))
        label = speaker_label(t.speaker)
        if name and name not in names.setdefault(label, []):
            names[label].append(name)
    return names


def plan_record(row: mm.MeetMindInterview, source_label: str, synced_at: datetime) -> store.SyncRecord:
    """The app's rows for one MeetMind interview, and which transcript source the app will serve."""
    # notes may be numbered apart from the interview's turns: one sequence per kind
    table_turns = _latest_turns([t for t in row.turns if not _is_note(t.speaker)])
    table_notes = _latest_turns([t for t in row.turns if _is_note(t.speaker)])
    session = row.session
    transcript_json, json_notes = _json_parts(session.transcript_json if session else None)

    session_row = None
    if session is not None or table_turns:
        session_id = str(uuid.uuid5(_SESSION_NAMESPACE, f"{row.id}:{session.id if session else ''}"))
        ended = session.completed_at if session else None
        session_row = store.SessionRow(session_id, _session_started(row, table_turns + table_notes), ended,
                                       ((session.status if session else None) or "completed")[:STATUS_WIDTH],
                                       transcript_json)
    turns = [store.TurnRow(turn_id(session_row.id, t.sequence_no), t.sequence_no, t.speaker, t.content,
                           t.timestamp_sec if t.timestamp_sec is not None else 0.0)
             for t in table_turns] if session_row else []
    transcript = build_transcript(TranscriptSources(
        row.id, session_row.id if session_row else None, session_row.started_at if session_row else None,
        [vars(t) for t in turns], transcript_json))

    if table_notes and len(table_notes) >= len(json_notes):
        notes = [store.NoteRow(t.sequence_no, t.speaker.strip().lower(), t.content, t.timestamp_sec)
                 for t in table_notes]
        notes_source = SOURCE_TURNS
    else:
        notes = [store.NoteRow(n["sequence_no"], n["speaker"].strip().lower(), n["content"], n["timestamp_sec"])
                 for n in json_notes]
        notes_source = SOURCE_JSON
    candidate = (session.candidate_name if session else None) or next(
        (t.speaker_name for t in table_turns if t.speaker.lower() == "candidate" and t.speaker_name),
        "Unknown candidate")
    spoken = [mm.MeetMindTurn("", t.sequence_no, t.speaker, None, t.content, t.timestamp_sec)
              for t in transcript.turns] if transcript.source == SOURCE_JSON else table_turns
    assessment, summary = _assessment(row.summaries)
    return store.SyncRecord(
        interview_id=row.id, candidate_name=candidate, role=row.role_title or (session.role if session else None)
        or "Interview", status=(row.status or (session.status if session else None) or "unknown")[:STATUS_WIDTH],
        rubric=_rubric(session.rubric_json if session else None),
        scheduled_at=row.scheduled_start or row.started_at or (session.started_at if session else None),
        created_at=row.created_at or synced_at, session=session_row, turns=turns, notes=notes,
        notes_source=notes_source, content_hash=content_hash(row.fingerprint), source_label=source_label,
        synced_at=synced_at, transcript_source=transcript.source, transcript_turns=len(transcript.turns),
        speakers=_speakers(spoken, candidate), assessment=assessment,
        assessment_status=summary.status if summary else None,
        assessment_generated_at=summary.generated_at if summary else None)


SOURCE_DESCRIPTIONS = {
    SOURCE_TURNS: "MeetMind's transcript turns",
    SOURCE_JSON: "the session's transcript_json (fallback: the turns were missing or fewer)",
}


def describe_source(source: str) -> str:
    return SOURCE_DESCRIPTIONS.get(source, "no transcript in MeetMind")


async def load_meetmind_copy(engine: Engine, interview_id: str,
                             retrying: Retrying | None = None) -> store.MeetMindCopy | None:
    """How the interview came from MeetMind (None for the app's own interviews)."""
    return await (retrying or Retrying()).run_in_thread(store.meetmind_copy, engine, interview_id,
                                                        task_name="Load MeetMind details")
