"""An interview's transcript from the turns table or, when that is incomplete, the session's transcript_json.

Both sources give the same Turn objects: the same labels, elapsed times and ids. The more complete
source wins (the table is preferred when they hold as many turns); the result says which one served.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db import highlights_store
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.export import render_export
from insighta_desktop.interviews.model import (
    SOURCE_JSON,
    SOURCE_NONE,
    SOURCE_TURNS,
    Transcript,
    TranscriptExport,
    Turn,
    resolve_highlights,
    speaker_label,
    speaker_role,
    turn_id,
)
from insighta_desktop.resilience import Retrying

log = logging.getLogger(__name__)

REBUILT_NOTE = "Rebuilt from the session record: some turns were missing from the transcript table."


def parse_transcript_json(raw: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The turns held in transcript_json, normalised; and a note when the JSON could not be read."""
    if not raw:
        return [], None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return [], f"The session's transcript record is unreadable ({exc.msg})."
    if isinstance(data, dict):
        data = data.get("turns", [])
    if not isinstance(data, list):
        return [], "The session's transcript record is not a list of turns."
    turns: list[dict[str, Any]] = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            continue
        try:
            seq = int(item.get("sequence_no", index))
            stamp = float(item.get("timestamp_sec", item.get("timestamp", 0.0)) or 0.0)
        except (TypeError, ValueError):
            continue
        turns.append({"sequence_no": seq, "speaker": str(item.get("speaker") or ""),
                      "content": str(item.get("content") or ""), "timestamp_sec": stamp})
    turns.sort(key=lambda t: t["sequence_no"])
    return turns, None


def build_transcript(sources: repository.TranscriptSources) -> Transcript:
    json_turns, json_note = parse_transcript_json(sources.transcript_json)
    table_turns = [{"sequence_no": int(r["sequence_no"]), "speaker": r["speaker"], "content": r["content"],
                    "timestamp_sec": float(r["timestamp_sec"])} for r in sources.table_rows]
    if sources.session_id is None or (not table_turns and not json_turns):
        return Transcript(sources.interview_id, sources.session_id, [], SOURCE_NONE, json_note)
    if len(json_turns) > len(table_turns):
        chosen, source, note = json_turns, SOURCE_JSON, REBUILT_NOTE
        if table_turns:
            log.warning("Interview %s: the turns table holds %d turns, the session record %d; using the record",
                        sources.interview_id, len(table_turns), len(json_turns))
    else:
        chosen, source, note = table_turns, SOURCE_TURNS, None
    origin = chosen[0]["timestamp_sec"]
    if sources.started_at is not None:
        origin = min(origin, sources.started_at.timestamp())
    turns = []
    for t in chosen:
        label, role = _who(sources, t["speaker"])
        turns.append(Turn(id=turn_id(sources.session_id, t["sequence_no"]), sequence_no=t["sequence_no"],
                          speaker=t["speaker"], speaker_label=label, content=t["content"],
                          timestamp_sec=t["timestamp_sec"], elapsed_seconds=t["timestamp_sec"] - origin, role=role))
    return Transcript(sources.interview_id, sources.session_id, turns, source, note)


def _who(sources: repository.TranscriptSources, speaker: str) -> tuple[str, str]:
    """A speaker's label and part: the name recorded for the session, else what the key says."""
    return sources.speakers.get(speaker) or (speaker_label(speaker), speaker_role(speaker))


async def get_transcript(engine: Engine, interview_id: str, retrying: Retrying | None = None,
                         on_retry: Any = None) -> Transcript:
    retrying = retrying or Retrying()
    sources = await retrying.run_in_thread(repository.load_transcript_sources, engine, interview_id,
                                           task_name="Load transcript", on_retry=on_retry)
    return build_transcript(sources)


async def get_transcript_export(engine: Engine, interview_id: str, fmt: str = "txt",
                                retrying: Retrying | None = None,
                                on_retry: Any = None) -> TranscriptExport:
    retrying = retrying or Retrying()
    transcript = await get_transcript(engine, interview_id, retrying, on_retry)
    interview = await retrying.run_in_thread(repository.get_interview, engine, interview_id,
                                             task_name="Load interview", on_retry=on_retry)
    highlights = await retrying.run_in_thread(highlights_store.list_highlights, engine, [interview_id],
                                              task_name="Load highlights", on_retry=on_retry)
    return render_export(interview, transcript, fmt, resolve_highlights(highlights, transcript))

