"""Who the candidate is, and the rows an imported file becomes (pure: no database)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from insighta_desktop.interviews.file_import import (
    CANDIDATE_UNKNOWN,
    DEFAULT_ROLE,
    ImportOptions,
    ImportRefused,
    candidate_speaker_of,
    guess_candidate_speaker,
    plan_import,
    read_transcript_file,
)
from insighta_desktop.interviews.model import turn_id
from insighta_desktop.interviews.sources import parse_transcript_text

DATA = Path(__file__).resolve().parents[1] / "data" / "interviews"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
THREE = parse_transcript_text("[00:00] Priya Raman: Hello\n[00:05] Lina Haddad: Hi\n[00:09] Samuel Osei: Welcome\n")


def test_the_candidate_speaker_option_wins_and_ignores_case_and_spaces():
    assert candidate_speaker_of(THREE, ImportOptions(candidate_speaker="  lina   HADDAD ")) == "Lina Haddad"
    with pytest.raises(ImportRefused, match="no speaker is called “Lina” in it") as refused:
        candidate_speaker_of(THREE, ImportOptions(candidate_speaker="Lina"))
    assert refused.value.code == CANDIDATE_UNKNOWN
    assert "“Priya Raman”, “Lina Haddad”, “Samuel Osei”" in str(refused.value)


def test_then_the_speaker_the_file_marks_then_one_labelled_candidate():
    session = read_transcript_file(DATA / "meetmind-session.json").parsed
    assert guess_candidate_speaker(session, "Someone Else") == "Chidinma Eze"
    labelled = parse_transcript_text("[00:00] Interviewer: Hello\n[00:04] CANDIDATE: Hi\n")
    assert guess_candidate_speaker(labelled) == "CANDIDATE"


def test_then_the_speaker_named_like_the_candidate():
    assert guess_candidate_speaker(THREE, "lina haddad") == "Lina Haddad"
    assert guess_candidate_speaker(THREE, "Lina") == "Lina Haddad"  # a unique partial match
    assert guess_candidate_speaker(THREE, "Dr Lina Haddad") == "Lina Haddad"
    assert guess_candidate_speaker(THREE, "Ngozi") is None
    assert guess_candidate_speaker(THREE) is None
    with pytest.raises(ImportRefused, match="does not say which speaker is the candidate"):
        candidate_speaker_of(THREE, ImportOptions())


def test_the_rows_keep_each_interviewers_name_under_a_key_of_their_own():
    file = read_transcript_file(DATA / "teams.vtt")
    record = plan_import(file, ImportOptions(candidate_name="Lina Haddad"), NOW)
    assert [(s.key, s.name, s.role) for s in record.speakers] == [
        ("candidate", "Lina Haddad", "candidate"), ("interviewer", "Priya Raman", "interviewer"),
        ("interviewer-2", "Samuel Osei", "interviewer")]
    assert [t.speaker for t in record.turns][:4] == ["interviewer", "candidate", "interviewer", "interviewer-2"]
    assert record.role == DEFAULT_ROLE and record.candidate_name == "Lina Haddad"
    assert record.started_at == file.modified_at  # a VTT file carries no date
    assert record.turns[0].timestamp_sec == record.started_at.timestamp()
    assert record.turns[1].timestamp_sec == pytest.approx(record.started_at.timestamp() + 6.21 - 1.52)
    assert record.turns[2].id == turn_id(record.session_id, 3)
    assert (record.ended_at - record.started_at).total_seconds() == pytest.approx(75.9 - 1.52)
    assert record.sha256 == file.sha256 and record.file_name == "teams.vtt" and record.source_format == "webvtt"


def test_options_name_role_and_date_override_the_files():
    file = read_transcript_file(DATA / "meetmind-session.json")
    record = plan_import(file, ImportOptions(candidate_name="C. Eze", role="Senior Analyst", date=date(2026, 2, 3)),
                         NOW)
    assert (record.candidate_name, record.role) == ("C. Eze", "Senior Analyst")
    assert record.started_at == datetime(2026, 2, 3, tzinfo=UTC)
    plain = plan_import(file, ImportOptions(), NOW)
    assert (plain.candidate_name, plain.role) == ("Chidinma Eze", "Data Analyst")
    assert plain.started_at == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # the first turn's Unix time


def test_a_generic_candidate_label_takes_the_name_from_the_files_header():
    record = plan_import(read_transcript_file(DATA / "bracketed-hours.txt"), ImportOptions(), NOW)
    assert record.candidate_name == "Véronique Mukendi" and record.role == "Backend Engineer"
    assert [(s.key, s.name) for s in record.speakers] == [("candidate", "Véronique Mukendi"),
                                                          ("interviewer", "Interviewer")]


def test_same_file_same_ids():
    first = plan_import(read_transcript_file(DATA / "otter.txt"), ImportOptions(candidate_name="Amara Diallo"), NOW)
    again = plan_import(read_transcript_file(DATA / "otter.txt"), ImportOptions(candidate_speaker="Amara Diallo"), NOW)
    assert (first.interview_id, first.session_id) == (again.interview_id, again.session_id)


@pytest.mark.parametrize(("make", "reason"), [
    (lambda tmp: tmp / "missing.vtt", "does not exist"),
    (lambda tmp: tmp, "is a folder"),
])
def test_unreadable_paths(tmp_path, make, reason):
    with pytest.raises(ImportRefused, match=reason):
        read_transcript_file(make(tmp_path))
