"""The plain-language parser: the Insighta contract examples, a table of our own queries, and properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.profiles.errors import InvalidQueryParameters, QueryError, UninterpretableQuery
from insighta_desktop.profiles.filters import ProfileFilters, build_filters
from insighta_desktop.profiles.parser import parse_query
from insighta_desktop.profiles.phrasing import to_query_text


def conditions(text: str) -> dict:
    """The filters a text parses to, without the keys left unset."""
    return {k: v for k, v in parse_query(text).filters.to_dict().items() if v is not None}


DEFAULT_SORT = {"sort_by": "created_at", "order": "desc"}

CONTRACT = [
    ("young males", {"gender": "male", "min_age": 16, "max_age": 24}),
    ("females above 30", {"gender": "female", "min_age": 30}),
    ("people from angola", {"country_id": "AO"}),
    ("adult males from kenya", {"gender": "male", "age_group": "adult", "country_id": "KE"}),
    ("male and female teenagers above 17", {"age_group": "teenager", "min_age": 17}),
    ("Nigerian females between ages 20 and 45", {"gender": "female", "country_id": "NG", "min_age": 20, "max_age": 45}),
    ("Women aged 20–45 living in Nigeria", {"gender": "female", "country_id": "NG", "min_age": 20, "max_age": 45}),
]


@pytest.mark.parametrize(("text", "expected"), CONTRACT)
def test_contract_examples(text, expected):
    assert conditions(text) == {**expected, **DEFAULT_SORT}


def test_young_is_a_range_never_an_age_group():
    parsed = parse_query("young males")
    assert parsed.filters.age_groups == ()
    assert [(i.words, i.meaning) for i in parsed.interpretation] == [
        ("young", "age 16–24 (young)"), ("males", "gender: male")]


def test_both_phrasings_of_the_nigerian_query_share_a_cache_key():
    a = parse_query("Nigerian females between ages 20 and 45").filters
    b = parse_query("Women aged 20–45 living in Nigeria").filters
    assert a == b and a.cache_key() == b.cache_key()


OWN = [
    # gender words
    ("men", {"gender": "male"}),
    ("Women", {"gender": "female"}),
    ("boys", {"gender": "male"}),
    ("girls from ghana", {"gender": "female", "country_id": "GH"}),
    ("ladies", {"gender": "female"}),
    ("gentlemen over 50", {"gender": "male", "min_age": 50}),
    ("both genders from kenya", {"country_id": "KE"}),
    ("men and women in uganda", {"country_id": "UG"}),
    # age groups
    ("children", {"age_group": "child"}),
    ("kids from egypt", {"age_group": "child", "country_id": "EG"}),
    ("teens", {"age_group": "teenager"}),
    ("seniors", {"age_group": "senior"}),
    ("elderly women", {"gender": "female", "age_group": "senior"}),
    ("old people in japan", {"age_group": "senior", "country_id": "JP"}),
    ("old men", {"gender": "male", "age_group": "senior"}),
    ("children and seniors", {"age_group": ["child", "senior"]}),
    ("teenagers and adults under 30", {"age_group": ["teenager", "adult"], "max_age": 30}),
    ("young adults", {"age_group": "adult", "max_age": 24}),
    # age phrases
    ("people over 40", {"min_age": 40}),
    ("older than 65", {"min_age": 65}),
    ("at least 18 years old", {"min_age": 18}),
    ("from 21 in kenya", {"min_age": 21, "country_id": "KE"}),
    ("under 18", {"max_age": 18}),
    ("below 12", {"max_age": 12}),
    ("younger than 30", {"max_age": 30}),
    ("at most 40", {"max_age": 40}),
    ("up to 25", {"max_age": 25}),
    ("no older than 35", {"max_age": 35}),
    ("between 30 and 40", {"min_age": 30, "max_age": 40}),
    ("aged 18 to 25", {"min_age": 18, "max_age": 25}),
    ("18-25", {"min_age": 18, "max_age": 25}),
    ("18 – 25 year olds", {"min_age": 18, "max_age": 25}),
    ("25 to 35 years", {"min_age": 25, "max_age": 35}),
    ("from 20 to 30", {"min_age": 20, "max_age": 30}),
    ("between 45 and 20", {"min_age": 20, "max_age": 45}),
    ("in their 30s", {"min_age": 30, "max_age": 39}),
    ("women in their thirties", {"gender": "female", "min_age": 30, "max_age": 39}),
    ("men in their early 20s", {"gender": "male", "min_age": 20, "max_age": 23}),
    ("late 40s", {"min_age": 46, "max_age": 49}),
    ("60+", {"min_age": 60}),
    ("40+ women", {"gender": "female", "min_age": 40}),
    ("30 or older", {"min_age": 30}),
    ("aged 65 and over", {"min_age": 65}),
    ("25 or younger", {"max_age": 25}),
    ("over twenty", {"min_age": 20}),
    ("under twenty-five", {"max_age": 25}),
    ("between thirty and forty five", {"min_age": 30, "max_age": 45}),
    ("aged 30", {"min_age": 30, "max_age": 30}),
    ("30 year old men", {"gender": "male", "min_age": 30, "max_age": 30}),
    ("a 42-year-old woman", {"gender": "female", "min_age": 42, "max_age": 42}),
    ("over the age of 50", {"min_age": 50}),
    ("people above 20 and below 30", {"min_age": 20, "max_age": 30}),
    ("over 30 over 40", {"min_age": 40}),
    # countries
    ("people from south africa", {"country_id": "ZA"}),
    ("bosnia and herzegovina", {"country_id": "BA"}),
    ("from dr congo", {"country_id": "CD"}),
    ("drc", {"country_id": "CD"}),
    ("democratic republic of the congo", {"country_id": "CD"}),
    ("republic of the congo", {"country_id": "CG"}),
    ("ivory coast", {"country_id": "CI"}),
    ("côte d'ivoire", {"country_id": "CI"}),
    ("cote d’ivoire", {"country_id": "CI"}),
    ("uk", {"country_id": "GB"}),
    ("usa", {"country_id": "US"}),
    ("people in the U.S.A.", {"country_id": "US"}),
    ("British men", {"gender": "male", "country_id": "GB"}),
    ("Americans", {"country_id": "US"}),
    ("Kenyans and Ugandans", {"country_id": ["KE", "UG"]}),
    ("from nigeria, ghana or senegal", {"country_id": ["GH", "NG", "SN"]}),
    ("KE", {"country_id": "KE"}),
    ("people from NG or GH", {"country_id": ["GH", "NG"]}),
    ("NGA and KEN", {"country_id": ["KE", "NG"]}),
    ("from ng", {"country_id": "NG"}),
    ("Niger", {"country_id": "NE"}),
    ("Nigeriens", {"country_id": "NE"}),
    ("sao tome and principe", {"country_id": "ST"}),
    ("guinea-bissau women", {"gender": "female", "country_id": "GW"}),
    ("Equatorial Guinea", {"country_id": "GQ"}),
    ("south sudanese adults", {"age_group": "adult", "country_id": "SS"}),
    ("swaziland", {"country_id": "SZ"}),
    ("Tanzanian kids", {"age_group": "child", "country_id": "TZ"}),
    # probabilities, sorting, limits
    ("gender probability at least 0.9", {"min_gender_probability": 0.9}),
    ("country confidence above 80%", {"min_country_probability": 0.8}),
    ("men with gender confidence over 95 percent", {"gender": "male", "min_gender_probability": 0.95}),
    ("at least 0.7 country probability", {"min_country_probability": 0.7}),
    ("90% gender confidence women", {"gender": "female", "min_gender_probability": 0.9}),
    ("minimum country probability 0.5 from ghana", {"min_country_probability": 0.5, "country_id": "GH"}),
    ("oldest first", {"sort_by": "age", "order": "desc"}),
    ("youngest kenyans", {"country_id": "KE", "sort_by": "age", "order": "asc"}),
    ("newest women", {"gender": "female"}),
    ("earliest men", {"gender": "male", "sort_by": "created_at", "order": "asc"}),
    ("women sorted by name", {"gender": "female", "sort_by": "name", "order": "asc"}),
    ("men ordered by age descending", {"gender": "male", "sort_by": "age", "order": "desc"}),
    ("adults by gender probability", {"age_group": "adult", "sort_by": "gender_probability", "order": "desc"}),
    ("ghanaians alphabetically", {"country_id": "GH", "sort_by": "name", "order": "asc"}),
    ("SHOW ME NIGERIAN WOMEN IN KENYA", {"gender": "female", "country_id": ["KE", "NG"]}),
]


@pytest.mark.parametrize(("text", "expected"), OWN)
def test_own_queries(text, expected):
    assert conditions(text) == {**DEFAULT_SORT, **expected}


def test_the_table_is_big_enough():
    assert len(OWN) >= 60


@pytest.mark.parametrize(
    ("text", "limit"),
    [("top 20 oldest nigerians", 20), ("first 5 women", 5), ("men limit 15", 15), ("30 results from kenya", 30),
     ("kenyans", None)],
)
def test_limits(text, limit):
    assert parse_query(text).limit == limit


def test_interpretation_names_the_words_as_typed():
    parsed = parse_query("Show me Nigerian females between ages 20 and 45, oldest first")
    assert [(i.words, i.meaning, i.field) for i in parsed.interpretation] == [
        ("Nigerian", "country: Nigeria (NG)", "country_id"),
        ("females", "gender: female", "gender"),
        ("between ages 20 and 45", "age 20–45", "age"),
        ("oldest first", "sort: age desc", "sort"),
    ]
    assert parsed.unknown_words == ()


def test_words_not_understood_are_reported_beside_a_result():
    parsed = parse_query("kenyan women with blue eyes")
    assert parsed.filters == build_filters(gender="female", country_id="KE")
    assert parsed.unknown_words == ("blue", "eyes")


@pytest.mark.parametrize("text", ["", "   ", "show me people", "who are they", "blue eyes", "???", "asdf qwerty"])
def test_nothing_understood_is_uninterpretable(text):
    with pytest.raises(UninterpretableQuery) as caught:
        parse_query(text)
    assert caught.value.message == "Unable to interpret query"
    assert caught.value.detail


def test_uninterpretable_detail_names_the_unknown_words():
    with pytest.raises(UninterpretableQuery) as caught:
        parse_query("find purple unicorns")
    assert "'purple'" in caught.value.detail and "'unicorns'" in caught.value.detail


@pytest.mark.parametrize(
    ("text", "detail"),
    [("women above 40 and under 30", "min_age 40 is above max_age 30"),
     ("children over 30", "age_group child (0–12) does not overlap ages 30+"),
     ("gender probability below 0.5",
      "only a minimum gender probability can be set; 'gender probability below 0.5' asks for a maximum"),
     ("country confidence at least 150%", "country probability 150% is outside 0 to 1 (or 0% to 100%)"),
     ("over 30.5", "an age must be a whole number of years, got '30.5'"),
     ("aged 200", "age 200 is above 150")],
)
def test_contradictions_and_out_of_range_values(text, detail):
    with pytest.raises(InvalidQueryParameters) as caught:
        parse_query(text)
    assert caught.value.detail == detail


@pytest.mark.parametrize("text", ["not nigerians", "women except kenyans", "non-nigerian men", "men without kids"])
def test_exclusions_are_refused_rather_than_misread(text):
    with pytest.raises(UninterpretableQuery, match="not supported"):
        parse_query(text)


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE profiles; --", "nigeria' OR '1'='1", "women UNION SELECT name FROM profiles",
     "kenya; DELETE FROM profiles WHERE 1=1"],
)
def test_sql_in_the_text_is_just_words(text):
    try:
        parsed = parse_query(text)
    except UninterpretableQuery:
        return
    for code in parsed.filters.country_ids:
        assert len(code) == 2 and code.isalpha() and code.isupper()
    assert all(isinstance(w, str) for w in parsed.unknown_words)


@given(st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_never_raises_anything_but_a_query_error(text):
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    assert isinstance(parsed.filters, ProfileFilters)


WORDS = st.sampled_from(["men", "women", "from", "kenya", "above", "under", "between", "and", "30", "20", "aged",
                         "teenagers", "young", "oldest", "top", "10", "-", "+", "%", "gender", "probability", "0.9",
                         "ivory", "coast", "in", "their", "30s", "not", "US", "us", "twenty", "five", "by", "age"])


@given(st.lists(WORDS, max_size=12).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_word_salad_from_the_vocabulary(text):
    try:
        parse_query(text)
    except QueryError:
        pass


FILTERS = st.builds(
    lambda gender, groups, codes, low, high, gp, cp, sort: (gender, groups, codes, low, high, gp, cp, sort),
    st.none() | st.sampled_from(["male", "female"]),
    st.lists(st.sampled_from(["child", "teenager", "adult", "senior"]), max_size=3),
    st.lists(st.sampled_from(["NG", "KE", "CD", "CG", "CI", "ST", "GB", "US", "BA", "GW", "NE", "ZA", "SS", "TT"]),
             max_size=4),
    st.none() | st.integers(0, 120),
    st.none() | st.integers(0, 120),
    st.none() | st.sampled_from([0.5, 0.75, 0.9, 0.95, 0.33]),
    st.none() | st.sampled_from([0.1, 0.25, 0.6, 0.8]),
    st.sampled_from([("created_at", "desc"), ("age", "asc"), ("age", "desc"), ("name", "asc"),
                     ("gender_probability", "desc"), ("created_at", "asc")]),
)


def _build(spec) -> ProfileFilters | None:
    gender, groups, codes, low, high, gp, cp, (sort_by, order) = spec
    try:
        return build_filters(gender=gender, age_group=groups, country_id=codes, min_age=low, max_age=high,
                             min_gender_probability=gp, min_country_probability=cp, sort_by=sort_by, order=order)
    except InvalidQueryParameters:
        return None


@given(FILTERS)
@settings(max_examples=200, deadline=None)
def test_filters_read_back_from_their_own_phrasing(spec):
    filters = _build(spec)
    if filters is None or not to_query_text(filters):
        return
    assert parse_query(to_query_text(filters)).filters == filters


GENDER_SYNONYMS = {"male": ["men", "males", "man", "gentlemen", "boys"],
                   "female": ["women", "females", "ladies", "girls"]}
COUNTRY_SYNONYMS = {"NG": ["Nigeria", "Nigerians", "NG", "nigerian"], "KE": ["Kenya", "kenyans", "KE"],
                    "CI": ["ivory coast", "Côte d'Ivoire", "ivorian"], "CD": ["DR Congo", "DRC", "congolese"],
                    "GB": ["UK", "British", "united kingdom"], "US": ["USA", "americans", "United States"]}


@given(
    gender=st.sampled_from(sorted(GENDER_SYNONYMS)),
    gender_word=st.integers(0, 4),
    country=st.sampled_from(sorted(COUNTRY_SYNONYMS)),
    country_word=st.integers(0, 3),
    ages=st.tuples(st.integers(1, 90), st.integers(1, 90)).map(sorted),
    age_form=st.sampled_from(["between {a} and {b}", "aged {a} to {b}", "{a}-{b}", "{a} – {b} years old",
                              "from {a} to {b}", "ages {a} through {b}", "at least {a} and at most {b}",
                              "over {a} under {b}"]),
    order=st.permutations([0, 1, 2]),
    filler=st.sampled_from(["", "show me ", "find ", "people who are ", "list all "]),
)
@settings(max_examples=200, deadline=None)
def test_equivalent_phrasings_give_equal_canonical_filters(gender, gender_word, country, country_word, ages, age_form,
                                                           order, filler):
    low, high = ages
    words = GENDER_SYNONYMS[gender]
    names = COUNTRY_SYNONYMS[country]
    clauses = [words[gender_word % len(words)], "from " + names[country_word % len(names)],
               age_form.format(a=low, b=high)]
    text = filler + " ".join(clauses[i] for i in order)
    expected = build_filters(gender=gender, country_id=country, min_age=low, max_age=high)
    assert parse_query(text).filters == expected, text
