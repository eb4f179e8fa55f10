"""Local text search over a transcript: the chat's answer when Gemini cannot be reached."""
from __future__ import annotations

import math
import re
from collections import Counter

from insighta_desktop.interviews.model import ROLE_INTERVIEWER, Citation, Transcript, Turn

STOPWORDS = frozenset("""
a about above after again all am an and any are as at be because been before being below between both but by can
could did do does doing down during each few for from further had has have having he her here hers him his how i
if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
same she should so some such than that the their them then there these they this those through to too under until
up very was we were what when where which while who whom why will with would you your yours tell say said think
candidate interviewer interview
""".split())
MAX_PASSAGES = 3


def tokens(text: str) -> list[str]:
    words = re.findall(r"\w+", text.lower(), flags=re.UNICODE)
    return [_stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def search_turns(transcript: Transcript, question: str, limit: int = MAX_PASSAGES) -> list[tuple[Turn, float]]:
    """The turns most relevant to the question, by BM25 over the transcript's turns."""
    query = set(tokens(question))
    if not query or not transcript.turns:
        return []
    docs = [Counter(tokens(t.content)) for t in transcript.turns]
    avg_len = sum(sum(d.values()) for d in docs) / len(docs) or 1.0
    n = len(docs)
    k1, b = 1.2, 0.75
    scored = []
    for turn, doc in zip(transcript.turns, docs, strict=True):
        length = sum(doc.values())
        score = 0.0
        for term in query:
            freq = doc.get(term, 0)
            if not freq:
                continue
            df = sum(1 for d in docs if term in d)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / avg_len))
        if score > 0:
            scored.append((turn, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].sequence_no))
    return scored[:limit]


def local_answer(transcript: Transcript, question: str, reason: str) -> tuple[str, list[Citation]]:
    hits = search_turns(transcript, question)
    header = f"{reason} Local search of the transcript (not an AI answer):"
    if not hits:
        return f"{header}\nNo passage of the transcript matches the question's words.", []
    chosen = {turn.sequence_no: turn for turn, _ in hits}
    for turn, _ in hits:  # a matching question is only useful with the answer that followed it
        if turn.role == ROLE_INTERVIEWER:
            index = transcript.turns.index(turn)
            if index + 1 < len(transcript.turns) and transcript.turns[index + 1].role != ROLE_INTERVIEWER:
                reply = transcript.turns[index + 1]
                chosen.setdefault(reply.sequence_no, reply)
    passages = sorted(chosen.values(), key=lambda t: t.sequence_no)
    lines = [header] + [f"• [{t.tag}] {t.elapsed} {t.speaker_label}: {t.content}" for t in passages]
    citations = [Citation(t.id, t.sequence_no, t.elapsed, t.speaker_label) for t in passages]
    return "\n".join(lines), citations
