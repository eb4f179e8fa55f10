"""Deterministic demo interviews: sessions, transcripts (turns table and/or transcript_json), assessments."""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

ROLES = {
    "Backend Engineer": ["Python", "Databases", "System design", "Communication"],
    "Data Analyst": ["SQL", "Statistics", "Data visualisation", "Communication"],
    "Product Designer": ["User research", "Interaction design", "Prototyping", "Communication"],
    "Customer Success Lead": ["Empathy", "Problem solving", "Stakeholder management", "Communication"],
}
CANDIDATES = [
    ("Amara Diallo", "amara.diallo@example.com"), ("Kwame Asante", "kwame.asante@example.com"),
    ("Fatima Hassan", "fatima.hassan@example.com"), ("Chidinma Eze", "chidinma.eze@example.com"),
    ("Paul Sidibé", "paul.sidibe@example.com"), ("Aisha Mwangi", "aisha.mwangi@example.com"),
    ("Kofi Mensah", "kofi.mensah@example.com"), ("Véronique Mukendi", "veronique.mukendi@example.com"),
]
OPENING = "Hello {first}, thanks for joining. Could you introduce yourself and your recent work?"
QUESTIONS = {
    "Backend Engineer": [
        ("Tell me about a service you designed that had to scale.",
         "At my last job I split a monolith's reporting into a queue-based worker; "
         "p95 latency fell from 4 s to 300 ms."),
        ("How do you choose indexes for a slow PostgreSQL query?",
         "I read the EXPLAIN ANALYZE plan, look for sequential scans on selective filters, and add a composite index "
         "that matches the filter and the sort order, then measure again."),
        ("What happens when a downstream API starts rate limiting you?",
         "I retry with exponential backoff and jitter, honour Retry-After, and degrade gracefully with cached data."),
    ],
    "Data Analyst": [
        ("Walk me through a dashboard you built end to end.",
         "I built a churn dashboard in SQL and Metabase; the cohort view showed churn concentrated in month two."),
        ("How would you explain a confidence interval to a manager?",
         "It is the range where we expect the true value to fall most of the time if we repeated the survey."),
        ("How do you handle messy CSV exports from partners?",
         "I validate every row, log the rejects with a reason, and never silently drop data."),
    ],
    "Product Designer": [
        ("Describe a design decision you changed after user research.",
         "Interviews showed users never found the filter panel, so we moved filters inline as removable chips."),
        ("How do you prototype quickly?",
         "Paper sketches first, then a clickable Figma prototype tested with five users."),
        ("How do you work with engineers on constraints?",
         "I join planning early and agree on what is feasible before polishing the visuals."),
    ],
    "Customer Success Lead": [
        ("Tell me about an unhappy customer you turned around.",
         "A logistics client was about to churn after an outage; I set up weekly calls and a shared fix plan. "
         "They renewed for two years."),
        ("How do you prioritise escalations?",
         "By customer impact and revenue at risk, and I always tell the customer when they will hear back."),
        ("How do you measure success in your team?",
         "Net revenue retention, time to first value and the satisfaction score after each ticket."),
    ],
}
CLOSING = "Thank you, that is all from me. Do you have any questions for us?"
CANDIDATE_CLOSING = "Yes: what does the first ninety days look like in this role?"


@dataclass
class DemoTurn:
    speaker: str
    content: str
    sequence_no: int
    timestamp_sec: float  # Unix seconds


@dataclass
class DemoInterview:
    id: str
    candidate_name: str
    candidate_email: str
    role: str
    status: str
    rubric: list[str]
    scheduled_at: datetime
    session_id: str
    session_started_at: datetime
    turns: list[DemoTurn]
    turns_in_table: int  # how many turns the transcript_turns table holds (0: only transcript_json)
    assessment: dict[str, Any] | None = field(default=None)

    def transcript_json(self) -> str:
        return json.dumps([t.__dict__ for t in self.turns], ensure_ascii=False)


def _turns(rng: random.Random, role: str, first: str, start: datetime) -> list[DemoTurn]:
    script = [("ai", OPENING.format(first=first)),
              ("candidate", f"Hi, I'm {first}. I have spent the last few years working as a {role.lower()}.")]
    for question, answer in QUESTIONS[role]:
        script += [("ai", question), ("candidate", answer)]
    script += [("ai", CLOSING), ("candidate", CANDIDATE_CLOSING)]
    t = start.timestamp()
    turns = []
    for seq, (speaker, content) in enumerate(script, start=1):
        turns.append(DemoTurn(speaker, content, seq, round(t, 1)))
        t += rng.randint(8, 75)
    return turns


_EVIDENCE_TURNS = (4, 6, 8, 2)  # the three answers, then the introduction (see _turns)


def _assessment(rng: random.Random, rubric: list[str], candidate: str) -> dict[str, Any]:
    scores = {skill: rng.randint(2, 5) for skill in rubric}
    best = max(scores, key=scores.__getitem__)
    return {
        "summary": f"{candidate} answered concretely and gave measurable results; strongest in {best.lower()}.",
        "highlights": [f"Clear, specific examples ({best})", "Structured answers"],
        "red_flags": [] if min(scores.values()) > 2 else ["Shallow answer on one rubric skill"],
        "recommendation": "advance" if sum(scores.values()) / len(scores) >= 3.5 else "hold",
        # each skill cites the answer that shows it ([T4]: the first answer, [T2]: the introduction)
        "scores": [{"skill": s, "score": v, "rationale": f"Evidence from the interview on {s.lower()} [T{turn}]."}
                   for (s, v), turn in zip(scores.items(), _EVIDENCE_TURNS, strict=False)],
    }


def generate_interviews(count: int = 8, seed: int = 2026) -> list[DemoInterview]:
    """`count` interviews; #1 has its turns only in transcript_json, #2 lost its last turns from the table."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    interviews = []
    roles = list(ROLES)
    for i in range(count):
        name, email = CANDIDATES[i % len(CANDIDATES)]
        role = roles[i % len(roles)]
        scheduled = base + timedelta(days=i * 2, hours=rng.randint(0, 6))
        turns = _turns(rng, role, name.split()[0], scheduled + timedelta(minutes=2))
        in_table = 0 if i == 1 else (len(turns) - 3 if i == 2 else len(turns))
        status = "scheduled" if i == count - 1 else "completed"
        interview = DemoInterview(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            candidate_name=name, candidate_email=email, role=role, status=status, rubric=ROLES[role],
            scheduled_at=scheduled, session_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            session_started_at=scheduled + timedelta(minutes=2),
            turns=[] if status == "scheduled" else turns,
            turns_in_table=0 if status == "scheduled" else in_table,
            assessment=_assessment(rng, ROLES[role], name) if i % 3 == 0 and status == "completed" else None,
        )
        interviews.append(interview)
    return interviews
