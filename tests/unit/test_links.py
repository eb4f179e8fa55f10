"""insighta:// search links: the canonical filters survive filters → link → filters; bad links say why."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop import countries
from insighta_desktop.profiles.errors import InvalidQueryParameters
from insighta_desktop.profiles.facet_filters import with_country, with_decade, with_gender
from insighta_desktop.profiles.filters import ORDERS, SORT_FIELDS, build_filters
from insighta_desktop.profiles.links import is_link, parse_link, to_link
from insighta_desktop.profiles.model import AGE_GROUPS

CODES = sorted(c.alpha2 for c in countries.all_countries())
probabilities = st.none() | st.floats(min_value=0, max_value=1, allow_nan=False)
ages = st.none() | st.integers(min_value=0, max_value=150)


@st.composite
def filters(draw):
    low, high = draw(ages), draw(ages)
    if low is not None and high is not None and low > high:
        low, high = high, low
    groups = draw(st.lists(st.sampled_from(tuple(AGE_GROUPS)), max_size=4, unique=True))
    try:
        return build_filters(
            gender=draw(st.sampled_from((None, "male", "female"))), age_group=groups or None,
            country_id=draw(st.lists(st.sampled_from(CODES), max_size=4, unique=True)) or None,
            min_age=low, max_age=high, min_gender_probability=draw(probabilities),
            min_country_probability=draw(probabilities), sort_by=draw(st.sampled_from(SORT_FIELDS)),
            order=draw(st.sampled_from(ORDERS)))
    except InvalidQueryParameters:  # age groups outside the age range: not a search anyone can make
        return build_filters(gender="female")


@given(filters(), st.text(max_size=40))
def test_filters_to_link_to_filters_is_identity(f, text):
    link = to_link(f, text)
    assert link.startswith("insighta://search")
    parsed = parse_link(link)
    assert parsed.filters == f or (parsed.filters is None and not f.has_conditions and f == build_filters())
    assert parsed.text == text.strip()
    assert to_link(parsed.filters or build_filters(), parsed.text) == link  # one search, one link


def test_a_link_lists_the_canonical_filters_readably():
    f = build_filters(gender="female", country_id=["ng", "Kenya"], min_age=20, max_age=45, sort_by="age",
                      order="asc")
    assert to_link(f, "Nigerian and Kenyan women 20-45") == (
        "insighta://search?q=Nigerian+and+Kenyan+women+20-45&gender=female&country=KE%2CNG&min_age=20&max_age=45"
        "&sort=age&order=asc")
    assert to_link(build_filters()) == "insighta://search"


def test_a_link_with_text_only_is_parsed_like_typing():
    link = parse_link("insighta://search?q=nigerian%20women")
    assert link.text == "nigerian women" and link.filters is None
    assert parse_link("INSIGHTA://search?country=NG&country=KE").filters == build_filters(country_id=["KE", "NG"])
    assert is_link(" insighta://search") and not is_link("/tmp/x.insighta-pack")


@pytest.mark.parametrize(("link", "message"), [
    ("http://search?q=x", "not an insighta:// link"),
    ("insighta://interview/42", "links open searches"),
    ("insighta://search?colour=red", "unknown link parameter 'colour'"),
    ("insighta://search?gender=robot", "gender must be male or female"),
    ("insighta://search?min_age=50&max_age=20", "min_age 50 is above max_age 20"),
    ("insighta://search?country=Atlantis", "is not an ISO 3166-1 country code or name"),
])
def test_a_bad_link_says_why_in_one_line(link, message):
    with pytest.raises(InvalidQueryParameters) as caught:
        parse_link(link)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_facet_clicks_add_their_filter():
    base = build_filters(gender="male", country_id=["NG", "KE"], min_age=25)
    assert with_gender(base, "female").gender == "female"
    assert with_country(base, "KE").country_ids == ("KE",)
    twenties = with_decade(base, 20)
    assert (twenties.min_age, twenties.max_age) == (25, 29)  # within the range already chosen
    assert (with_decade(build_filters(), 100).min_age, with_decade(build_filters(), 100).max_age) == (100, None)
    assert (with_decade(build_filters(), 0).min_age, with_decade(build_filters(), 0).max_age) == (None, 9)
    with pytest.raises(InvalidQueryParameters):
        with_decade(build_filters(min_age=50), 30)
