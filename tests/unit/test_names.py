"""Names in search: the folded key, trigram similarity, and the parser's rules for name words (profiles/names.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.profiles.errors import QueryError, UninterpretableQuery
from insighta_desktop.profiles.filters import build_filters, chips, from_dict
from insighta_desktop.profiles.links import parse_link, to_link
from insighta_desktop.profiles.names import (
    best_matches,
    fold,
    known_names,
    looks_like_name,
    name_terms,
    prefix_bounds,
    similarity,
)
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.typos import index, is_known_word
from insighta_desktop.profiles.vocabulary import tokenise


@pytest.mark.parametrize(("typed", "key"), [
    ("Kaboré", "kabore"), ("KABORÉ", "kabore"), ("  Aïssata   Traoré ", "aissata traore"),
    ("Jean-Luc N'Diaye", "jean luc n diaye"), ("Ouédraogo", "ouedraogo"), ("Straße", "strasse"),
    ("O'Brien", "o brien"), ("Zoë_Smith", "zoe smith"), ("Иван Петров", "иван петров"), ("!!", ""),
])
def test_fold_ignores_case_accents_and_punctuation(typed, key):
    assert fold(typed) == key


def test_terms_are_folded_words_without_repeats():
    assert name_terms("Amara  amara OBI") == ("amara", "obi")
    assert name_terms("—") == ()


def test_prefix_bounds_hold_exactly_the_words_that_start_with_the_term():
    low, high = prefix_bounds("kab")
    inside = ["kab", "kabore", "kabila", "kab\uffff"]
    outside = ["ka", "kaa", "kac", "jab", "kb"]
    assert all(low <= w < high for w in inside)
    assert not any(low <= w < high for w in outside)


def test_similarity_is_pg_trgm_similarity():
    assert similarity("kabore", "kabore") == 1.0
    assert similarity("kabroe", "kabore") == pytest.approx(3 / 11)  # pg_trgm says 0.272727
    assert similarity("abc", "xyz") == 0.0


def test_best_match_prefers_fewer_edits_among_equally_similar_words():
    assert best_matches("kabroe", [("kabila", 0.27), ("kabore", 0.27)]) == (("kabore", 0.27),)
    assert best_matches("kabroe", [("xy", 0.1)]) == ()  # under the threshold: no fuzzy match


# -- the parser's rules ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "name", "rest"), [
    ("named Amara", "Amara", {}),
    ("called Amara Obi", "Amara Obi", {}),
    ("women named Amara from Nigeria", "Amara", {"gender": "female", "country_id": "NG"}),
    ("men called Kofi aged 30 to 40", "Kofi", {"gender": "male", "min_age": 30, "max_age": 40}),
    ("people whose name is Kaboré in Burkina Faso", "Kaboré", {"country_id": "BF"}),
    ("named Niger", "Niger", {}),  # after "named", a country word is a name
    ("seniors called Kenya", "Kenya", {"age_group": "senior"}),
    ("Amara Obi", "Amara Obi", {}),
    ("kabore", "kabore", {}),  # a known name in lower case
    ("Nigerain", "Nigerain", {}),  # Capitalised and alone: a name, not corrected into a country
    ("Jean-Luc", "Jean-Luc", {}),
])
def test_name_words(text, name, rest):
    parsed = parse_query(text)
    assert parsed.filters == build_filters(name=name, **rest)
    assert parsed.corrections == () and parsed.unknown_words == ()
    assert any(i.field == "name" for i in parsed.interpretation)


@pytest.mark.parametrize(("text", "country"), [("niger", "NE"), ("Niger", "NE"), ("Nigeria", "NG"),
                                               ("kenya", "KE")])
def test_an_exact_country_word_alone_stays_a_country(text, country):
    parsed = parse_query(text)
    assert parsed.filters.name is None and parsed.filters.country_ids == (country,)


def test_typos_are_corrected_only_outside_names():
    assert parse_query("nigerain").filters.country_ids == ("NG",)  # not name-looking: corrected as before
    assert parse_query("Nigerain women").filters.country_ids == ("NG",)  # other filter words: corrected
    named = parse_query("women named Nigerain")
    assert named.filters.name == "Nigerain" and named.corrections == ()


@pytest.mark.parametrize("text", ["blue eyes", "asdf qwerty", "show me people", "nigeri", "hello"])
def test_words_that_do_not_look_like_names_are_still_not_understood(text):
    with pytest.raises(UninterpretableQuery):
        parse_query(text)


def test_name_filter_round_trips_through_links_saved_form_and_chips():
    filters = build_filters(name="  Aïssata   Kaboré ", gender="female")
    assert filters.name == "Aïssata Kaboré"
    assert filters.to_dict()["name"] == "Aïssata Kaboré"
    assert "name" not in build_filters(gender="female").to_dict()  # the contract is unchanged without a name
    assert from_dict(filters.to_dict()) == filters
    link = to_link(filters)
    assert "name=A%C3%AFssata+Kabor%C3%A9" in link
    assert parse_link(link).filters == filters
    assert [c.field for c in chips(filters)][0] == "name"
    assert filters.without("name") == build_filters(gender="female")
    with pytest.raises(QueryError):
        build_filters(name="???")


# -- properties ------------------------------------------------------------------------------------------------------
NAME_LETTERS = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéèïôü"), min_size=2, max_size=10)
# Number words ("Eighteen") are numbers, never names.
CAPITALISED = NAME_LETTERS.map(str.capitalize).filter(lambda w: [t.kind for t in tokenise(w)] == ["word"])
BEFORE = st.sampled_from(["women", "men", "seniors", "adult men", "young", ""])
AFTER = st.sampled_from(["from kenya", "in nigeria", "oldest first", "with gender probability at least 0.9", ""])


@given(CAPITALISED, BEFORE, AFTER)
@settings(max_examples=300, deadline=None)
def test_a_word_after_named_is_always_the_name_and_never_corrected(word, before, after):
    parsed = parse_query(f"{before} named {word} {after}".strip())
    assert parsed.filters.name == word
    assert all(c.from_ != word for c in parsed.corrections)


@given(st.lists(CAPITALISED, min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_a_query_of_capitalised_words_is_a_name_unless_a_word_means_something(words):
    text = " ".join(words)
    try:
        parsed = parse_query(text)
    except QueryError:  # only when a word is vocabulary that says nothing alone ("Recently")
        assert any(is_known_word(fold(w)) for w in words)
        return
    if parsed.filters.name is not None:
        assert parsed.filters.name == text
        assert parsed.corrections == ()  # a name is never typo-corrected
        assert not any(is_known_word(fold(w)) for w in words)
    else:  # some word is vocabulary, read exactly
        assert parsed.interpretation


SINGLE_VOCABULARY = sorted(p for p in index().by_phrase if " " not in p and p.isalpha() and len(p) > 3)


@given(st.sampled_from(SINGLE_VOCABULARY), st.booleans())
@settings(max_examples=300, deadline=None)
def test_an_exact_vocabulary_word_is_never_a_name_outside_named(word, capitalise):
    typed = word.capitalize() if capitalise else word
    try:
        parsed = parse_query(typed)
    except QueryError:
        return
    assert parsed.filters.name is None
    assert parsed.corrections == ()


@given(st.sampled_from(sorted(known_names())))
@settings(max_examples=200, deadline=None)
def test_known_names_look_like_names(name):
    assert looks_like_name(name)


@given(st.lists(CAPITALISED, min_size=1, max_size=3), BEFORE, AFTER)
@settings(max_examples=200, deadline=None)
def test_the_search_box_text_of_a_name_parses_back_to_it(words, before, after):
    from insighta_desktop.profiles.phrasing import to_query_text

    if any(is_known_word(fold(w)) for w in words):
        return  # a vocabulary word after the first ends the name (rule 1)
    filters = parse_query(f"{before} named {' '.join(words)} {after}".strip()).filters
    assert parse_query(to_query_text(filters)).filters == filters
