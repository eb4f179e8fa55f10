"""Highlights: turns a recruiter marks in a transcript (one turn or a range) with an optional note.

A highlight names its first and last turn by the transcript's stable turn ids; it is resolved against the
transcript when shown (model.resolve_highlights), so it lists the turns, their times and an excerpt. A highlight
whose turns are no longer in the transcript is still listed (marked as such) rather than silently dropped.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from insighta_desktop.db import highlights_store
from insighta_desktop.interviews.model import (
    Highlight,
    ResolvedHighlight,
    Transcript,
    Turn,
    resolve_highlights,
    turn_range,
)
from insighta_desktop.interviews.transcript import get_transcript
from insighta_desktop.resilience import Retrying

MAX_NOTE = 2000
_TAG = re.compile(r"^\[?T?\s*(\d+)\]?$", re.IGNORECASE)


class HighlightError(ValueError):
    """A highlight that cannot be made as asked; str() says why in one line."""

    transient = False


def find_turn(transcript: Transcript, ref: str) -> Turn:
    """A turn by its id, a unique prefix of its id (8 characters or more), or its tag (T4, 4)."""
    ref = ref.strip()
    if not ref:
        raise HighlightError("Name a turn: its id or its tag, such as T4")
    exact = transcript.turn_by_id(ref)
    if exact is not None:
        return exact
    tag = _TAG.match(ref)
    if tag is not None and len(ref) < 8:
        turn = transcript.turn_by_seq(int(tag.group(1)))
        if turn is not None:
            return turn
    elif len(ref) >= 8:
        matches = [t for t in transcript.turns if t.id.startswith(ref.lower())]
        if len(matches) == 1:
            return matches[0]
    span = f" (turns {transcript.turns[0].tag}–{transcript.turns[-1].tag})" if transcript.turns else \
        " (it has no transcript)"
    raise HighlightError(f"No turn {ref!r} in this interview{span}")


def clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise HighlightError(f"The note is {len(text):,} characters long; keep it under {MAX_NOTE:,}")
    return text or None


def new_highlight(transcript: Transcript, first: str, last: str | None, note: str | None,
                  created_at: datetime) -> Highlight:
    """Check a highlight against the transcript: turns named by id or tag, stored first to last."""
    if not transcript.turns:
        raise HighlightError("This interview has no transcript to highlight")
    first_turn = find_turn(transcript, first)
    last_turn = find_turn(transcript, last) if last else first_turn
    turns = turn_range(transcript, first_turn.id, last_turn.id)
    return Highlight(str(uuid.uuid4()), transcript.interview_id, turns[0].id, turns[-1].id, clean_note(note),
                     created_at)


class HighlightService:
    def __init__(self, engine: Engine, retrying: Retrying | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.retrying = retrying or Retrying()
        self.now = now

    async def list(self, interview_id: str, transcript: Transcript | None = None) -> list[ResolvedHighlight]:
        """The interview's highlights resolved against its transcript (loaded unless given)."""
        if transcript is None:
            transcript = await get_transcript(self.engine, interview_id, self.retrying)
        stored = await self.retrying.run_in_thread(highlights_store.list_highlights, self.engine, [interview_id],
                                                   task_name="Load highlights")
        return resolve_highlights(stored, transcript)

    async def add(self, interview_id: str, first: str, last: str | None = None,
                  note: str | None = None) -> ResolvedHighlight:
        """Highlight the turns from `first` to `last` (ids or tags such as T4); `last` None highlights one turn."""
        transcript = await get_transcript(self.engine, interview_id, self.retrying)
        highlight = new_highlight(transcript, first, last, note, self.now())
        await self.retrying.run_in_thread(highlights_store.add_highlight, self.engine, highlight,
                                          task_name="Save highlight")
        return resolve_highlights([highlight], transcript)[0]

    async def delete(self, highlight_id: str) -> Highlight:
        return await self.retrying.run_in_thread(highlights_store.delete_highlight, self.engine, highlight_id,
                                                 task_name="Delete highlight")
