"""Talk-time over transcript turns: worked examples, and properties over any turns hypothesis can make."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.interviews.model import Turn, speaker_label, speaker_role, turn_id
from insighta_desktop.interviews.talk_time import (
    WORDS_PER_MINUTE,
    count_questions,
    count_words,
    format_duration,
    talk_time,
    turn_durations,
)


def make_turns(spec: list[tuple[str, str, float]]) -> list[Turn]:
    return [Turn(turn_id("s", seq), seq, speaker, speaker_label(speaker), content, 1_700_000_000 + at, at,
                 speaker_role(speaker)) for seq, (speaker, content, at) in enumerate(spec, start=1)]


def test_a_worked_interview():
    turns = make_turns([
        ("ai", "Hello! Could you introduce yourself?", 0),
        ("candidate", "Hi, I'm Ada. I build data pipelines.", 10),
        ("ai", "What was hard? Why?", 40),
        ("candidate", "Backfills. They took days, so we rewrote them in SQL and they now take an hour.", 50),
        ("candidate", "Also: monitoring.", 110),
    ])
    talk = talk_time(turns)
    interviewer, candidate = talk.speakers
    assert (interviewer.label, candidate.label) == ("Interviewer", "Candidate")
    assert (interviewer.role, candidate.role) == ("interviewer", "candidate")
    assert talk.shares_of("candidate") == (candidate.time_share, candidate.word_share)
    assert talk.shares_of("other") is None
    assert interviewer.words == 5 + 4 and candidate.words == 7 + 16 + 2
    assert talk.total_words == 34
    # 10 s + 10 s for the interviewer; 30 + 60 s, then the last turn's 2 words at 150 wpm = 0.8 s
    assert interviewer.seconds == 20 and candidate.seconds == pytest.approx(90.8)
    assert interviewer.time_share + candidate.time_share == pytest.approx(1.0)
    assert (interviewer.questions, candidate.questions) == (3, 0)
    assert (interviewer.turns, candidate.turns) == (2, 3)
    m = talk.longest_monologue
    assert m is not None and (m.label, m.sequence_no, m.turns) == ("Candidate", 4, 2)
    assert m.seconds == pytest.approx(60.8) and m.elapsed == "00:00:50"
    data = talk.to_json()
    assert data["last_turn_duration"] == f"estimated from its words at {WORDS_PER_MINUTE} words per minute"
    assert data["longest_monologue"]["turn_id"] == turns[3].id


def test_words_and_questions_are_counted_as_people_read_them():
    assert count_words("don't stop — state-of-the-art p95 … 300 ms") == 6
    assert count_words("  \n\t") == 0
    assert count_questions("What? Really?! Fine. And then?") == 3
    assert count_questions("Is it 3.5? No.") == 1
    assert count_questions("?? …?") == 0  # no words: no sentence
    assert count_questions("二つ目は？") == 1


def test_turns_stamped_out_of_order_get_no_negative_time():
    turns = make_turns([("ai", "one two", 30), ("candidate", "three", 10), ("ai", "four five six", 10)])
    assert turn_durations(turns) == [0.0, 0.0, pytest.approx(3 / 2.5)]


def test_empty_and_silent_transcripts():
    empty = talk_time([])
    assert empty.speakers == [] and empty.longest_monologue is None and empty.to_json()["last_turn_duration"] is None
    silent = talk_time(make_turns([("ai", "…", 0), ("candidate", "—", 0)]))
    assert [(s.word_share, s.time_share) for s in silent.speakers] == [(0.0, 0.0), (0.0, 0.0)]


def test_two_speakers_with_one_label_stay_apart():
    talk = talk_time(make_turns([("ai", "Hi there", 0), ("interviewer", "Hello", 5), ("candidate", "Hey", 9)]))
    assert [s.label for s in talk.speakers] == ["Interviewer (ai)", "Interviewer (interviewer)", "Candidate"]
    assert talk.shares_of("interviewer")[1] == pytest.approx(3 / 4)  # both interviewers' words together


def test_durations_read_as_text():
    assert (format_duration(42.4), format_duration(185), format_duration(3725)) == ("42 s", "3 min 05 s", "1 h 02 min")


SPEAKERS = st.sampled_from(["ai", "candidate", "interviewer", "hiring_manager", " candidate "])
WORD = st.text(st.characters(categories=("L", "Nd")), min_size=1, max_size=8)
NOISE = st.sampled_from(["", "—", "…", "?", "!", "--", "(", ")"])


@st.composite
def turn_specs(draw):
    """Turns built from known words (joined by spaces and word-free punctuation) and any timestamps."""
    count = draw(st.integers(0, 12))
    spec, known = [], []
    for _ in range(count):
        words = draw(st.lists(WORD, max_size=15))
        noise = draw(st.lists(NOISE, min_size=len(words) + 1, max_size=len(words) + 1))
        content = " ".join(n + " " + w for n, w in zip(noise, words, strict=False)) + " " + noise[-1]
        at = draw(st.floats(0, 10_000, allow_nan=False))
        spec.append((draw(SPEAKERS), content, at))
        known.append(len(words))
    return spec, known


@settings(max_examples=300, deadline=None)
@given(turn_specs(), st.floats(0.5, 6))
def test_shares_sum_to_one_never_negative_and_every_word_counted(spec_known, rate):
    spec, known = spec_known
    turns = make_turns(spec)
    talk = talk_time(turns, words_per_second=rate)
    assert talk.total_words == sum(known) == sum(s.words for s in talk.speakers)
    assert sum(s.turns for s in talk.speakers) == len(turns)
    for s in talk.speakers:
        assert s.seconds >= 0 and 0 <= s.word_share <= 1 and 0 <= s.time_share <= 1 and s.questions >= 0
    if talk.total_words:
        assert math.isclose(sum(s.word_share for s in talk.speakers), 1.0, rel_tol=1e-9)
    else:
        assert all(s.word_share == 0 for s in talk.speakers)
    if talk.total_seconds > 0:
        assert math.isclose(sum(s.time_share for s in talk.speakers), 1.0, rel_tol=1e-9)
    assert talk.total_seconds == pytest.approx(sum(turn_durations(turns, rate)))
    if turns:
        assert talk.longest_monologue is not None
        assert 0 <= talk.longest_monologue.seconds <= talk.total_seconds + 1e-9
        # the last turn lasts as long as its words take at the stated rate
        assert turn_durations(turns, rate)[-1] == pytest.approx(known[-1] / rate)
    else:
        assert talk.longest_monologue is None
