"""Typo tolerance in the plain-language parser: the distance rules, "did you mean", undo, and their properties."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insighta_desktop.countries import normalise_phrase
from insighta_desktop.profiles.errors import QueryError, UninterpretableQuery
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.typos import allowed_distance, index, letters_of, osa_distance, typo_cost
from insighta_desktop.profiles.vocabulary import tokenise

VOCABULARY = sorted(index().by_phrase)
SINGLE_WORDS = [p for p in VOCABULARY if " " not in p and p.isalpha() and p.isascii()]


def corrections(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(c.from_, c.to) for c in parse_query(text, **kwargs).corrections]  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected", "country"), [
    ("nigerain women", [("nigerain", "Nigeria")], "NG"),
    ("Nigerain women", [("Nigerain", "Nigeria")], "NG"),
    ("keyna seniors", [("keyna", "Kenya")], "KE"),
    ("men from south afrika", [("south afrika", "South Africa")], "ZA"),
    ("ladies from the Untied Kingdom", [("Untied Kingdom", "United Kingdom")], "GB"),
    ("mozambiqeu adults", [("mozambiqeu", "Mozambique")], "MZ"),  # 10 letters: a transposition is 1
    ("xmozambique adults", [("xmozambique", "Mozambique")], "MZ"),  # first letter counts 2: allowed at 9+ letters
])
def test_misspelt_countries_are_corrected_and_reported(text, expected, country):
    parsed = parse_query(text)
    assert [(c.from_, c.to) for c in parsed.corrections] == expected
    assert parsed.filters.country_ids == (country,)
    assert parsed.unknown_words == ()
    assert parsed.corrections[0].text == f"interpreted {expected[0][0]!r} as {expected[0][1]}"
    assert parsed.corrections[0].to_dict() == {"from": expected[0][0], "to": expected[0][1]}


def test_gender_and_age_group_words_are_corrected():
    parsed = parse_query("femals adlts in kenya")
    assert corrections("femals adlts in kenya") == [("femals", "female"), ("adlts", "adults")]
    assert (parsed.filters.gender, parsed.filters.age_groups) == ("female", ("adult",))


def test_interpretation_shows_the_words_as_typed():
    parsed = parse_query("nigerain women")
    assert [i.words for i in parsed.interpretation] == ["nigerain", "women"]


def test_an_exact_match_wins():
    assert parse_query("niger women").filters.country_ids == ("NE",)
    assert parse_query("nigeria women").filters.country_ids == ("NG",)
    assert corrections("niger women") == []


def test_a_tie_between_meanings_corrects_nothing_and_asks():
    parsed = parse_query("nigeri women")
    assert parsed.corrections == ()
    assert parsed.unknown_words == ("nigeri",)
    assert [s.text for s in parsed.suggestions] == ["did you mean Niger or Nigeria?"]
    with pytest.raises(UninterpretableQuery) as err:
        parse_query("nigeri")
    assert str(err.value) == ("Unable to interpret query: no filter words understood (not understood: 'nigeri'); "
                              "did you mean Niger or Nigeria?")


def test_a_typo_in_the_first_letter_counts_two():
    assert typo_cost("bigeria", "nigeria", 2) == 2
    assert "NG" not in parse_query("bigeria women").filters.country_ids  # 7 letters allow 1
    assert corrections("ngeria women") == [("ngeria", "Nigeria")]  # the second letter deleted: 1


def test_short_words_are_never_corrected():
    assert corrections("mna from kenya") == []  # 3 letters: distance 0 only
    assert parse_query("mna from kenya").unknown_words == ("mna",)
    assert corrections("nigrai women") == []  # 6 letters, two edits from "nigeria"


def test_a_known_word_is_never_swallowed_into_a_correction():
    assert parse_query("nigerain women").filters.gender == "female"
    assert corrections("blue eyed engineers from kenya") == []


def test_literal_words_undo_a_correction():
    parsed = parse_query("nigerain women", literal=["nigerain"])
    assert parsed.corrections == ()
    assert parsed.unknown_words == ("nigerain",)
    assert parsed.filters.country_ids == ()
    assert corrections("south afrika men", literal=["south afrika"]) == []
    with pytest.raises(UninterpretableQuery, match="Unable to interpret query"):
        parse_query("nigerain", literal=["Nigerain"])


def test_the_default_query_stays_fast():
    queries = ["Nigerian females aged 20 to 45", "nigerain women", "south afrika men aged 30 to 40",
               "ladies from Untied Kingdom", "nigeri women", "adlts in keyna"]
    for q in queries:
        parse_query(q)
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        for q in queries:
            parse_query(q)
    per_query_ms = (time.perf_counter() - started) / (runs * len(queries)) * 1000
    assert per_query_ms < 1.0, f"{per_query_ms:.3f} ms per query"


# -- properties -------------------------------------------------------------------------------------------------------
def _reference_osa(a: str, b: str) -> int:
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@given(st.text("abcn", max_size=9), st.text("abcn", max_size=9), st.integers(0, 3))
def test_bounded_distance_agrees_with_the_full_table(a, b, limit):
    assert osa_distance(a, b, limit) == min(_reference_osa(a, b), limit + 1)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VOCABULARY), st.sampled_from(["", "women", "aged 20 to 30", "men in kenya"]))
def test_an_exact_vocabulary_word_is_never_changed(phrase, rest):
    try:
        parsed = parse_query(f"{phrase} {rest}".strip())
    except QueryError:
        return  # a short English word alone ("man" as a code) may be refused; it is still not corrected
    assert all(normalise_phrase(c.from_) != phrase for c in parsed.corrections)
    assert all(normalise_phrase(c.from_) not in index().by_phrase for c in parsed.corrections)


@st.composite
def misspelt(draw):
    word = draw(st.sampled_from(SINGLE_WORDS))
    k = draw(st.integers(0, len(word) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    edit = draw(st.sampled_from(["substitute", "insert", "delete", "swap"]))
    if edit == "substitute":
        return word[:k] + letter + word[k + 1:]
    if edit == "insert":
        return word[:k] + letter + word[k:]
    if edit == "delete":
        return word[:k] + word[k + 1:] or word
    return word[:k] + word[k + 1:k + 2] + word[k:k + 1] + word[k + 2:]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(misspelt(), st.sampled_from(["", "women", "aged 20 to 30"]))
def test_every_correction_is_reported_and_respects_the_rules(typo, rest):
    text = f"{typo} {rest}".strip()
    literal = [t.raw for t in tokenise(text)]
    try:
        strict = parse_query(text, literal=literal).filters
    except QueryError:
        strict = None
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    try:
        undone = parse_query(text, literal=[c.from_ for c in parsed.corrections]).filters
    except QueryError:
        undone = None
    # Nothing read from a misspelling without saying so: undoing the reported corrections gives the strict reading.
    assert undone == strict
    if not parsed.corrections:
        assert parsed.filters == strict
    for correction in parsed.corrections:
        typed = normalise_phrase(correction.from_)
        limit = allowed_distance(letters_of(typed))
        assert limit >= 1
        assert typed not in index().by_phrase
        targets = [c.phrase for cs in index().by_phrase.values() for c in cs if c.label == correction.to]
        assert min(typo_cost(typed, phrase, limit) for phrase in targets) <= limit
