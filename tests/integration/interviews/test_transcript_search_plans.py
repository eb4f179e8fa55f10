"""PostgreSQL finds the newest matches three ways (walk back in time, read every match, or walk a window then read
the older matches); the word statistics choose one, and all three must give the same results."""
from __future__ import annotations

from datetime import timedelta

import pytest

from insighta_desktop.db import transcript_search
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.db.lexeme_stats import LexemeStats, LexemeStatsCache, read_lexeme_stats
from insighta_desktop.db.migrations import ensure_schema
from insighta_desktop.db.transcript_search import (
    _POSTGRES,
    _POSTGRES_FETCH,
    _POSTGRES_PROBE,
    postgres_statement,
    search_turns,
)
from insighta_desktop.interviews.search_text import parse_search_text
from tests.integration.interviews.test_transcript_search import DAY, add_interview


class FixedStats:
    """A statistics cache that answers with chosen figures."""

    def __init__(self, stats: LexemeStats | None) -> None:
        self.stats = stats

    def get(self, conn):  # noqa: ARG002 - same signature as LexemeStatsCache.get
        return self.stats


@pytest.fixture
def pg(pg_url):
    engine = create_engine_for(pg_url)
    ensure_schema(engine)
    for n in range(12):  # "team" in every turn, "kafka" in two interviews, "weekly review" often, "zephyr" once
        lines = [f"The team met on day {n}, turn {i}." for i in range(20)]
        if n in (3, 9):
            lines[5] = "We moved the queue to Kafka after a weekly review of incidents."
        if n % 2:
            lines[7] = "Our weekly review found the team slow; the review is weekly."
        if n == 4:
            lines[11] = "Project Zephyr shipped late."
        add_interview(engine, f"Candidate {n}", lines, scheduled=DAY + timedelta(days=n))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE transcript_turns")
    yield engine
    engine.dispose()


def keys(matches):
    return [(m.interview_id, m.sequence_no, round(m.rank, 6)) for m in matches]


@pytest.mark.parametrize("text", ["team", "kafka", "zephyr", '"weekly review"', "team -kafka", "kafka or zephyr",
                                  '"review weekly"', "nothing"])
def test_the_three_ways_give_the_same_turns(pg, monkeypatch, text):
    query = parse_search_text(text)
    expected = keys(search_turns(pg, query, candidates=30))  # the planner's own choice
    monkeypatch.setattr(transcript_search, "PROBE_WALK", 25)  # the window holds only part of the matches
    for statement in (_POSTGRES, _POSTGRES_FETCH, _POSTGRES_PROBE):
        monkeypatch.setattr(transcript_search, "postgres_statement", lambda q, s, c, chosen=statement: chosen)
        assert keys(search_turns(pg, query, candidates=30, stats=LexemeStatsCache())) == expected, statement[:80]


def test_statistics_choose_the_way(pg):
    with pg.connect() as conn:
        stats = read_lexeme_stats(conn)
    assert stats is not None and stats.rows == 240
    assert stats.share("team") == pytest.approx(1.0, abs=0.05) and stats.share("zephyr") <= stats.share("kafka")
    assert postgres_statement(parse_search_text("team"), stats, 20) is _POSTGRES
    assert postgres_statement(parse_search_text("zephyr"), stats, 20) is _POSTGRES_FETCH
    common = LexemeStats(1_000_000, {"weekly": 0.05, "review": 0.05}, 0.0001)
    assert postgres_statement(parse_search_text('"weekly review"'), common, 500) is _POSTGRES_PROBE
    assert postgres_statement(parse_search_text("weekly review"), common, 500) is _POSTGRES_FETCH
    assert postgres_statement(parse_search_text("weekly"), common, 500) is _POSTGRES
    assert postgres_statement(parse_search_text("weekly"), None, 500) is _POSTGRES


def test_statistics_are_read_once_per_period(pg):
    now = [0.0]
    cache = LexemeStatsCache(ttl=60, clock=lambda: now[0])
    with pg.connect() as conn:
        first = cache.get(conn)
        assert cache.get(conn) is first
        now[0] = 61
        assert cache.get(conn) is not first and cache.get(conn) == first


def test_a_never_analyzed_table_leaves_the_choice_to_the_planner(pg_url):
    engine = create_engine_for(pg_url)
    try:
        ensure_schema(engine)
        with engine.connect() as conn:
            assert read_lexeme_stats(conn) is None
        add_interview(engine, "Fresh", ["Nothing analyzed yet about Kafka."])
        hits = search_turns(engine, parse_search_text("kafka"), stats=FixedStats(None))  # type: ignore[arg-type]
        assert [h.candidate_name for h in hits] == ["Fresh"]
    finally:
        engine.dispose()
