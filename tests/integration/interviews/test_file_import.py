"""Importing transcript files into SQLite and PostgreSQL: what is stored, once per file, and what the interview
services then do with it (transcript, assessment, chat, email)."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import sqlalchemy as sa

from insighta_desktop.db import schema
from insighta_desktop.db.migrations import table_counts
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.file_import import (
    ALREADY_IMPORTED,
    CANDIDATE_UNKNOWN,
    NOT_A_TRANSCRIPT,
    ImportOptions,
    import_path,
)
from insighta_desktop.interviews.transcript import build_transcript
from tests.integration.interviews.test_assessments import GOOD

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"
CASES = [
    ("zoom.vtt", ImportOptions(candidate_name="Ngozi Okafor", role="Backend Engineer"), "Ngozi Okafor",
     ["Daniel Reyes"], 10),
    ("teams.vtt", ImportOptions(candidate_speaker="Lina Haddad"), "Lina Haddad", ["Priya Raman", "Samuel Osei"], 10),
    ("meet.vtt", ImportOptions(candidate_name="Tomás Álvarez"), "Tomás Álvarez", ["Grace Kim"], 7),
    ("interview.srt", ImportOptions(candidate_speaker="kofi mensah"), "Kofi Mensah", ["Fatima Hassan"], 7),
    ("meetmind-session.json", ImportOptions(), "Chidinma Eze", ["Meet Mind"], 6),
    ("meetmind-transcript.json", ImportOptions(candidate_name="Aisha Mwangi"), "Aisha Mwangi",
     ["Meet Mind", "Joseph Njoroge"], 7),
    ("meetmind-export.txt", ImportOptions(candidate_name="Paul Sidibé"), "Paul Sidibé", ["Meet Mind"], 7),
    ("bracketed-hours.txt", ImportOptions(), "Véronique Mukendi", ["Interviewer"], 6),
    ("otter.txt", ImportOptions(candidate_speaker="Amara Diallo"), "Amara Diallo", ["Kwame Asante"], 5),
]


def test_every_format_becomes_an_interview_with_named_speakers(db):
    for name, options, candidate, interviewers, turns in CASES:
        outcome = import_path(db, DATA / name, options)
        assert outcome.imported, (name, outcome.message)
        assert outcome.candidate_name == candidate and outcome.turns == turns
        assert outcome.speakers == [(candidate, "candidate")] + [(n, "interviewer") for n in interviewers]
        transcript = build_transcript(repository.load_transcript_sources(db, outcome.interview_id))
        assert transcript.source == "transcript_turns" and len(transcript.turns) == turns
        labels = {t.speaker_label: t.role for t in transcript.turns}
        assert labels == {candidate: "candidate", **{n: "interviewer" for n in interviewers}}
        assert transcript.turns[0].elapsed == "00:00:00"
        # the session's transcript_json holds the same turns, so the fallback serves the same names
        session = repository.load_transcript_sources(db, outcome.interview_id)
        rebuilt = build_transcript(repository.TranscriptSources(session.interview_id, session.session_id,
                                                                session.started_at, [], session.transcript_json,
                                                                session.speakers))
        assert [(t.speaker_label, t.content, t.elapsed) for t in rebuilt.turns] == \
               [(t.speaker_label, t.content, t.elapsed) for t in transcript.turns]
    with db.connect() as conn:
        sources = conn.execute(sa.select(schema.interview_sources).order_by(schema.interview_sources.c.file_name)).all()
        speakers = conn.execute(sa.select(sa.func.count()).select_from(schema.interview_speakers)).scalar_one()
    assert [s.file_name for s in sources] == sorted(name for name, *_ in CASES)
    assert {s.source_format for s in sources} == {"webvtt", "srt", "meetmind-json", "text-bracketed", "text-otter"}
    assert all(len(s.sha256) == 64 for s in sources)
    assert {s.file_name: s.skipped_cues for s in sources if s.skipped_cues} == {
        "meet.vtt": 1, "interview.srt": 1, "meetmind-transcript.json": 1, "meetmind-export.txt": 1}
    assert speakers == sum(1 + len(interviewers) for _, _, _, interviewers, _ in CASES)
    listed = {i.candidate_name: i for i in repository.list_interviews(db)}
    assert listed["Ngozi Okafor"].role == "Backend Engineer" and listed["Ngozi Okafor"].status == "completed"
    assert listed["Lina Haddad"].role == "Unspecified"
    assert listed["Chidinma Eze"].scheduled_at.isoformat() == "2026-01-05T08:00:00+00:00"


def test_importing_the_same_file_again_changes_nothing(db, tmp_path):
    first = import_path(db, DATA / "zoom.vtt", ImportOptions(candidate_name="Ngozi Okafor"))
    counts = table_counts(db)
    again = import_path(db, DATA / "zoom.vtt", ImportOptions(candidate_speaker="Daniel Reyes", role="Other"))
    renamed = import_path(db, Path(shutil.copy(DATA / "zoom.vtt", tmp_path / "renamed.vtt")), ImportOptions())
    for outcome in (again, renamed):
        assert not outcome.imported and outcome.reason == ALREADY_IMPORTED
        assert outcome.interview_id == first.interview_id and "as Ngozi Okafor" in outcome.message
        assert "nothing changed" in outcome.message
    assert table_counts(db) == counts
    assert repository.get_interview(db, first.interview_id).summary.role == "Unspecified"


def test_refusals_write_nothing(db):
    counts = table_counts(db)
    outcome = import_path(db, DATA / "not-a-transcript.txt", ImportOptions())
    assert outcome.reason == NOT_A_TRANSCRIPT and "not a transcript" in outcome.message
    outcome = import_path(db, DATA / "otter.txt", ImportOptions())
    assert outcome.reason == CANDIDATE_UNKNOWN and "“Kwame Asante”, “Amara Diallo”" in outcome.message
    assert table_counts(db) == counts


def test_two_imports_of_one_file_at_once_write_it_once(db):
    outcomes = []
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        outcomes.append(import_path(db, DATA / "teams.vtt", ImportOptions(candidate_speaker="Lina Haddad")))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.imported for o in outcomes) == [False, True]
    assert len({o.interview_id for o in outcomes}) == 1
    assert table_counts(db)["interviews"] == 1 and table_counts(db)["transcript_turns"] == 10


async def test_assessment_chat_and_email_work_on_an_imported_interview(db, services, fake_gemini, fake_resend):
    imported = import_path(db, DATA / "teams.vtt", ImportOptions(candidate_name="Lina Haddad", role="Data Analyst"))
    interview_id = imported.interview_id
    try:
        fake_gemini.answer(json.dumps(GOOD))
        assessment = await services.assessments.generate(interview_id)
        assert assessment.status == "completed"
        prompt = json.dumps(fake_gemini.calls("generateContent")[-1].body)
        assert "Samuel Osei (interviewer)" in prompt and "Lina Haddad (candidate)" in prompt

        fake_gemini.answer("She validates every row and keeps rejects with a reason [T9].")
        answer = await services.chat.ask(interview_id, "How does she handle messy CSV files?")
        assert answer.source == "gemini" and [c.speaker_label for c in answer.citations] == ["Lina Haddad"]

        transcript = await services.transcript(interview_id)
        assert [t.role for t in transcript.turns][:4] == ["interviewer", "candidate", "interviewer", "interviewer"]

        item = await services.outbox.queue_assessment(interview_id, "hiring@example.com", include_transcript=True)
        sent = await services.outbox.deliver(item.id)
        assert sent.status == "sent"
        body = fake_resend.calls("emails")[-1].body
        assert "Lina Haddad" in body["subject"] and "Priya Raman" in body["text"]
    finally:
        await services.aclose()


async def test_the_local_chat_answers_about_an_imported_interview(db, services):
    imported = import_path(db, DATA / "interview.srt", ImportOptions(candidate_speaker="Kofi Mensah"))
    services.chat.gemini = None
    try:
        answer = await services.chat.ask(imported.interview_id, "How do they prioritise escalations?")
    finally:
        await services.aclose()
    assert answer.source == "local"
    cited = [c.speaker_label for c in answer.citations]
    assert "Fatima Hassan" in cited and "Kofi Mensah" in cited  # the question and the answer that followed it
    assert "customer impact and revenue at risk" in answer.text

