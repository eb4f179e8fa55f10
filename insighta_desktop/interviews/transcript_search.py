"""Search every interview's transcript: candidate, time and matching sentence of the best turns (no Qt)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from insighta_desktop.db.lexeme_stats import LexemeStatsCache
from insighta_desktop.db.transcript_search import RESULT_LIMIT, TextQuery, TurnMatch, search_turns
from insighta_desktop.interviews.model import format_elapsed, speaker_label, speaker_role, turn_id
from insighta_desktop.interviews.search_text import Snippet, make_snippet, parse_search_text
from insighta_desktop.resilience import Retrying


@dataclass(frozen=True)
class TranscriptHit:
    interview_id: str
    candidate_name: str
    role: str  # the job
    scheduled_at: datetime | None
    session_id: str
    turn_id: str  # the id the transcript view and the chat's citations use
    sequence_no: int
    speaker_label: str  # as the transcript shows it: the recorded name, else Interviewer / Candidate
    speaker_role: str  # candidate | interviewer | other
    elapsed: str  # HH:MM:SS into the interview, as in its transcript
    content: str
    snippet: Snippet

    def to_json(self) -> dict[str, Any]:
        return {"interview_id": self.interview_id, "turn_id": self.turn_id, "time": self.elapsed,
                "speaker": self.speaker_label, "snippet": self.snippet.markdown()}


def hit_of(match: TurnMatch, query: TextQuery) -> TranscriptHit:
    # as transcript.build_transcript does: elapsed from the session's start (or its first turn when earlier), and
    # the speaker's recorded name and part before what the speaker key says
    origin = match.first_timestamp
    if match.session_started_at is not None:
        origin = min(origin, match.session_started_at.timestamp())
    return TranscriptHit(
        interview_id=match.interview_id, candidate_name=match.candidate_name, role=match.role,
        scheduled_at=match.scheduled_at, session_id=match.session_id,
        turn_id=turn_id(match.session_id, match.sequence_no), sequence_no=match.sequence_no,
        speaker_label=match.speaker_name or speaker_label(match.speaker),
        speaker_role=match.speaker_role or speaker_role(match.speaker),
        elapsed=format_elapsed(match.timestamp_sec - origin), content=match.content,
        snippet=make_snippet(match.content, query))


def find_hits(engine: Engine, text: str, limit: int = RESULT_LIMIT,
              stats: LexemeStatsCache | None = None) -> list[TranscriptHit]:
    """Blocking: parse `text` (EmptySearch when it holds no word), search, and build each hit's snippet."""
    query = parse_search_text(text)
    return [hit_of(m, query) for m in search_turns(engine, query, limit=limit, stats=stats)]


class TranscriptSearchService:
    def __init__(self, engine: Engine, retrying: Retrying | None = None,
                 stats: LexemeStatsCache | None = None) -> None:
        self.engine = engine
        self.retrying = retrying or Retrying()
        self.stats = stats or LexemeStatsCache()

    async def search(self, text: str, limit: int = RESULT_LIMIT) -> list[TranscriptHit]:
        """The best turns for `text` across all interviews (the database work runs on a worker thread)."""
        parse_search_text(text)  # a query with nothing to find fails here, before any thread or retry
        return await self.retrying.run_in_thread(find_hits, self.engine, text, limit, self.stats,
                                                 task_name="Search transcripts")
