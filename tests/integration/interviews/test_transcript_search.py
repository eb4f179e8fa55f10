"""Search across every transcript, on SQLite (FTS5) and PostgreSQL (tsvector + GIN), through the real schema."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insighta_desktop.db import schema
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.file_import import ImportOptions, import_path
from insighta_desktop.interviews.model import turn_id
from insighta_desktop.interviews.search_text import EmptySearch
from insighta_desktop.interviews.transcript import build_transcript
from insighta_desktop.interviews.transcript_search import find_hits

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"


def add_interview(engine, candidate: str, lines: list[str], scheduled: datetime = DAY,
                  session_started: datetime | None = None, interview_id: str | None = None) -> tuple[str, str]:
    """An interview whose session holds `lines` as alternating interviewer / candidate turns, 30 s apart."""
    interview_id = interview_id or str(uuid.uuid4())
    session_id = str(uuid.uuid4())
    started = session_started or scheduled + timedelta(minutes=2)
    with engine.begin() as conn:
        known = conn.execute(sa.select(schema.interviews.c.id).where(schema.interviews.c.id == interview_id)).first()
        if known is None:
            conn.execute(schema.interviews.insert().values(
                id=interview_id, candidate_name=candidate, role="Backend Engineer", status="completed",
                scheduled_at=scheduled, created_at=scheduled - timedelta(days=2)))
        conn.execute(schema.interview_sessions.insert().values(
            id=session_id, interview_id=interview_id, started_at=started, status="completed"))
        conn.execute(schema.transcript_turns.insert(), [
            {"id": str(uuid.uuid4()), "session_id": session_id, "sequence_no": i,
             "speaker": "ai" if i % 2 else "candidate", "content": text,
             "timestamp_sec": started.timestamp() + 30 * (i - 1)}
            for i, text in enumerate(lines, start=1)])
    return interview_id, session_id


@pytest.fixture
def corpus(db):
    amara = add_interview(db, "Amara Diallo", [
        "How do you choose indexes for a slow PostgreSQL query?",
        "I read the EXPLAIN ANALYZE plan. Then I add a composite index matching the filter and the sort.",
        "What happens when an API starts rate limiting you?",
        "I retry with exponential backoff and jitter, and honour Retry-After.",
        "Where did you work before?",
        "In Zürich, at a café-sized startup; before that I wrote C++ and Node.js services in São Paulo.",
    ], scheduled=DAY)
    kofi = add_interview(db, "Kofi Mensah", [
        "Tell me about real-time systems.",
        "We moved from a nightly batch job to real time dashboards on Kafka; RabbitMQ before that.",
        "Anything else?",
        "Backoff exponential is how my old team named it, jokingly. We ran Kubernetes and Redis.",
    ], scheduled=DAY + timedelta(days=5))
    return {"amara": amara, "kofi": kofi}


def texts(hits) -> list[str]:
    return [h.content for h in hits]


def test_words_find_the_turn_with_its_interview_time_speaker_and_sentence(db, corpus):
    interview, session = corpus["amara"]
    hits = find_hits(db, "composite INDEX")
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.interview_id, hit.candidate_name, hit.sequence_no) == (interview, "Amara Diallo", 2)
    assert hit.turn_id == turn_id(session, 2)  # the id the transcript view and chat citations use
    assert (hit.elapsed, hit.speaker_label) == ("00:00:30", "Candidate")
    assert hit.snippet.markdown() == "Then I add a **composite** **index** matching the filter and the sort."
    assert hit.to_json() == {"interview_id": interview, "turn_id": turn_id(session, 2), "time": "00:00:30",
                             "speaker": "Candidate", "snippet": hit.snippet.markdown()}


def test_all_words_must_appear_in_one_turn(db, corpus):
    assert find_hits(db, "composite kafka") == []


def test_a_quoted_phrase_needs_its_words_together_and_in_order(db, corpus):
    hits = find_hits(db, '"exponential backoff"')
    assert [h.candidate_name for h in hits] == ["Amara Diallo"]
    assert "**exponential backoff**" in hits[0].snippet.markdown()
    assert [h.candidate_name for h in find_hits(db, '"backoff exponential"')] == ["Kofi Mensah"]
    assert len(find_hits(db, "exponential backoff")) == 2  # unquoted: both words, any order


@pytest.mark.parametrize("query", ["zurich", "ZÜRICH", "Zürich", "zÜrIcH", "cafe", "CAFÉ", "sao paulo",
                                   '"são paulo"'])
def test_accents_and_case_do_not_matter(db, corpus, query):
    hits = find_hits(db, query)
    assert [h.sequence_no for h in hits] == [6]
    assert "**" in hits[0].snippet.markdown()


def test_no_match_is_an_empty_list(db, corpus):
    assert find_hits(db, "blockchain") == []
    assert find_hits(db, '"index composite"') == []


@pytest.mark.parametrize("query, expected", [
    ("C++", {"Amara Diallo"}),                 # punctuation separates words: c
    ("node.js", {"Amara Diallo"}),             # the phrase node js
    ("real-time", {"Kofi Mensah"}),            # real time, written with or without the hyphen
    ("retry-after", {"Amara Diallo"}),
    ("kafka or rabbitmq", {"Kofi Mensah"}),
    ("kubernetes or postgresql", {"Amara Diallo", "Kofi Mensah"}),
    ("backoff -kubernetes", {"Amara Diallo"}),
    ('-"exponential backoff" backoff', {"Kofi Mensah"}),
    ("it's", set()),
    ("(index) AND [sort]*", {"Amara Diallo"}),  # operators of FTS5 or tsquery are just punctuation here
    ('"unterminated phrase composite index', set()),
])
def test_punctuation_and_operators(db, corpus, query, expected):
    assert {h.candidate_name for h in find_hits(db, query)} == expected


@pytest.mark.parametrize("query", ['"', "-", "- -", "+++", '""', "-kafka", "   "])
def test_text_without_a_word_to_find_is_a_clear_error(db, corpus, query):
    with pytest.raises(EmptySearch, match="word"):
        find_hits(db, query)


def test_ties_list_the_newest_interview_first(db):
    older, _ = add_interview(db, "Older", ["Same words here."], scheduled=DAY)
    newer, _ = add_interview(db, "Newer", ["Same words here."], scheduled=DAY + timedelta(days=30))
    assert [h.interview_id for h in find_hits(db, "same words")] == [newer, older]


def test_turns_written_later_are_indexed_updated_and_removed(db, corpus):
    interview, session = corpus["kofi"]
    add_interview(db, "Late Import", ["We shipped Terraform modules weekly."])
    assert [h.candidate_name for h in find_hits(db, "terraform")] == ["Late Import"]
    turns = schema.transcript_turns
    with db.begin() as conn:
        conn.execute(turns.update().where(turns.c.session_id == session, turns.c.sequence_no == 4)
                     .values(content="We ran Nomad instead."))
    assert find_hits(db, "kubernetes") == []
    assert [h.sequence_no for h in find_hits(db, "nomad")] == [4]
    with db.begin() as conn:  # as a re-import does: the old turns go, the new ones come
        conn.execute(turns.delete().where(turns.c.session_id == session))
    assert find_hits(db, "nomad") == [] and find_hits(db, "kafka") == []
    with db.begin() as conn:
        conn.execute(schema.interviews.delete().where(schema.interviews.c.candidate_name == "Late Import"))
    assert find_hits(db, "terraform") == []


def test_an_imported_transcript_file_is_searchable_as_its_transcript_shows_it(db):
    outcome = import_path(db, DATA / "zoom.vtt", ImportOptions(candidate_name="Ngozi Okafor"))
    assert outcome.imported
    hits = find_hits(db, "order routing")
    transcript = build_transcript(repository.load_transcript_sources(db, outcome.interview_id))
    turn = transcript.turn_by_id(hits[0].turn_id)
    assert turn is not None and "order routing" in turn.content
    assert (hits[0].candidate_name, hits[0].elapsed, hits[0].speaker_label) == \
        ("Ngozi Okafor", turn.elapsed, turn.speaker_label) == ("Ngozi Okafor", turn.elapsed, "Ngozi Okafor")
    assert hits[0].speaker_role == "candidate"


def test_only_the_latest_session_of_an_interview_is_searched(db):
    interview, _ = add_interview(db, "Twice", ["First attempt mentions Elixir."], scheduled=DAY)
    _, latest = add_interview(db, "Twice", ["Second attempt mentions Haskell."], scheduled=DAY,
                              session_started=DAY + timedelta(days=1), interview_id=interview)
    assert find_hits(db, "elixir") == []
    assert [h.turn_id for h in find_hits(db, "haskell")] == [turn_id(latest, 1)]


def test_results_are_limited_and_ranked(db):
    add_interview(db, "Many", [f"Line {i} about latency." for i in range(80)] + ["latency latency latency"])
    hits = find_hits(db, "latency")
    assert len(hits) == 50
    assert hits[0].content == "latency latency latency"  # the densest turn ranks first on both back ends


SPECIAL = st.sampled_from(list('"-+*()^:.,\'\\`~|&!<>@#%$;[]{}/?=_ \t\n\x00') +
                          ["or", "OR", "AND", "NOT", "NEAR", "<->", "&&", "!!", "\\'", "''", "é", "ß", "İ", "中文"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=60), st.lists(SPECIAL | st.text(max_size=4), max_size=12).map("".join)))
def test_no_user_text_causes_a_database_error(db, text):
    add_interview_once(db)
    try:
        hits = find_hits(db, text)
    except EmptySearch:
        return
    assert all(h.snippet.text for h in hits)


def add_interview_once(db) -> None:
    with db.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(schema.interviews)).scalar_one():
            return
    add_interview(db, "Fuzz", ["Plain words, C++ and \"quotes\" -- NOT near || && 'single' \\ back"])
