"""Who talked how much in an interview: a pure function over the transcript's turns.

- **Words**: the whitespace-separated tokens of a turn that hold at least one letter or digit ("don't", "p95" and
  "state-of-the-art" are one word each; a lone "—" or "…" is none).
- **Time**: a turn lasts from its start to the next turn's start (a next turn stamped earlier or at the same second
  gives 0, never a negative time). The last turn has no next start: its duration is estimated from its words at
  WORDS_PER_MINUTE (150, a usual conversational rate; the WebVTT export ends its last cue the same way).
- **Longest monologue**: the longest run of consecutive turns by one speaker, by duration; it names the run's first
  turn, where a reader would start.
- **Questions**: the sentences of a speaker's turns that end in a question mark ("?", or the full-width "？").

Shares are of the interview's totals and sum to 1; when the total is 0 (no words, or no time) every share is 0.
Speakers are told apart by the speaker key the turns carry, shown by their label.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from insighta_desktop.interviews.model import Turn, format_elapsed

WORDS_PER_MINUTE = 150
WORDS_PER_SECOND = WORDS_PER_MINUTE / 60
# A sentence: some text with a letter or digit, then its end mark(s). "What? Really?!" is two questions.
_SENTENCE = re.compile(r"[^.!?。！？\n]*\w[^.!?。！？\n]*([.!?。！？]+|$)", re.MULTILINE)


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def count_questions(text: str) -> int:
    return sum(1 for m in _SENTENCE.finditer(text) if "?" in m.group(1) or "？" in m.group(1))


def estimated_seconds(words: int, words_per_second: float = WORDS_PER_SECOND) -> float:
    """How long saying `words` takes at the stated rate."""
    return words / words_per_second


def turn_durations(turns: Sequence[Turn], words_per_second: float = WORDS_PER_SECOND) -> list[float]:
    """Each turn's duration in seconds: up to the next turn's start (never negative); the last one estimated."""
    durations = []
    for i, turn in enumerate(turns):
        if i + 1 < len(turns):
            durations.append(max(0.0, turns[i + 1].elapsed_seconds - turn.elapsed_seconds))
        else:
            durations.append(estimated_seconds(count_words(turn.content), words_per_second))
    return durations


def format_duration(seconds: float) -> str:
    """1 h 02 min, 3 min 05 s, 42 s."""
    total = int(round(max(0.0, seconds)))
    if total >= 3600:
        return f"{total // 3600} h {total % 3600 // 60:02d} min"
    if total >= 60:
        return f"{total // 60} min {total % 60:02d} s"
    return f"{total} s"


@dataclass(frozen=True)
class SpeakerTalk:
    speaker: str  # the key the turns carry (ai, candidate, interviewer, …)
    label: str  # how it is shown (Interviewer, Candidate, a name…)
    role: str  # candidate | interviewer | other
    turns: int
    words: int
    seconds: float
    word_share: float  # 0..1 of all words
    time_share: float  # 0..1 of all time
    questions: int

    def to_json(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "label": self.label, "role": self.role, "turns": self.turns,
                "words": self.words,
                "seconds": round(self.seconds, 3), "word_share": round(self.word_share, 4),
                "time_share": round(self.time_share, 4), "questions": self.questions}


@dataclass(frozen=True)
class Monologue:
    """The longest run of consecutive turns by one speaker."""

    speaker: str
    label: str
    seconds: float
    turn_id: str  # the run's first turn
    sequence_no: int
    elapsed: str  # when it starts, HH:MM:SS
    turns: int  # how many consecutive turns the run holds

    def to_json(self) -> dict[str, Any]:
        return {"speaker": self.speaker, "label": self.label, "seconds": round(self.seconds, 3),
                "turn_id": self.turn_id, "sequence_no": self.sequence_no, "elapsed": self.elapsed,
                "turns": self.turns}


@dataclass(frozen=True)
class TalkTime:
    speakers: list[SpeakerTalk]  # in order of first appearance
    total_words: int
    total_seconds: float
    longest_monologue: Monologue | None
    last_turn_estimated: bool  # the last turn's duration comes from its words at words_per_minute
    words_per_minute: float

    def speaker(self, label: str) -> SpeakerTalk | None:
        return next((s for s in self.speakers if s.label == label), None)

    def shares_of(self, role: str) -> tuple[float, float] | None:
        """The (time, words) shares of every speaker in that part together; None when nobody had it."""
        speakers = [s for s in self.speakers if s.role == role]
        if not speakers:
            return None
        return sum(s.time_share for s in speakers), sum(s.word_share for s in speakers)

    def to_json(self) -> dict[str, Any]:
        return {"speakers": [s.to_json() for s in self.speakers], "total_words": self.total_words,
                "total_seconds": round(self.total_seconds, 3),
                "longest_monologue": self.longest_monologue.to_json() if self.longest_monologue else None,
                "last_turn_duration": f"estimated from its words at {self.words_per_minute:g} words per minute"
                if self.last_turn_estimated else None}


def _labels(turns: Sequence[Turn]) -> dict[str, str]:
    """Speaker key -> label; two keys with one label (ai and interviewer) keep apart as "Interviewer (ai)"."""
    keys: dict[str, str] = {}
    for t in turns:
        keys.setdefault(t.speaker.strip(), t.speaker_label)
    labels = list(keys.values())
    return {key: label if labels.count(label) == 1 else f"{label} ({key or 'unnamed'})" for key, label in keys.items()}


def talk_time(turns: Sequence[Turn], words_per_second: float = WORDS_PER_SECOND) -> TalkTime:
    """Words, time, questions per speaker and the longest monologue of a transcript's turns (in their order)."""
    if words_per_second <= 0:
        raise ValueError("The speaking rate must be positive")
    durations = turn_durations(turns, words_per_second)
    labels = _labels(turns)
    words: dict[str, int] = {}
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    questions: dict[str, int] = {}
    roles: dict[str, str] = {}
    for turn, duration in zip(turns, durations, strict=True):
        key = turn.speaker.strip()
        words[key] = words.get(key, 0) + count_words(turn.content)
        seconds[key] = seconds.get(key, 0.0) + duration
        counts[key] = counts.get(key, 0) + 1
        questions[key] = questions.get(key, 0) + count_questions(turn.content)
        roles.setdefault(key, turn.role)
    total_words = sum(words.values())
    total_seconds = sum(seconds.values())
    speakers = [SpeakerTalk(key, labels[key], roles[key], counts[key], words[key], seconds[key],
                            words[key] / total_words if total_words else 0.0,
                            seconds[key] / total_seconds if total_seconds else 0.0, questions[key])
                for key in labels]
    return TalkTime(speakers, total_words, total_seconds, _longest_monologue(turns, durations, labels),
                    bool(turns), words_per_second * 60)


def _longest_monologue(turns: Sequence[Turn], durations: list[float], labels: dict[str, str]) -> Monologue | None:
    best: Monologue | None = None
    start = 0
    while start < len(turns):
        key = turns[start].speaker.strip()
        end = start
        while end + 1 < len(turns) and turns[end + 1].speaker.strip() == key:
            end += 1
        length = sum(durations[start:end + 1])
        if best is None or length > best.seconds:
            first = turns[start]
            best = Monologue(key, labels[key], length, first.id, first.sequence_no,
                             format_elapsed(first.elapsed_seconds), end - start + 1)
        start = end + 1
    return best
