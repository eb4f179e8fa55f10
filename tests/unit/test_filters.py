"""Structured filters: validation with useful details, one canonical form, a stable cache key."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.profiles.errors import InvalidQueryParameters, QueryError
from insighta_desktop.profiles.filters import (
    MAX_LIMIT,
    ProfileFilters,
    build_filters,
    chips,
    from_dict,
    normalise,
    validate_paging,
)
from insighta_desktop.profiles.model import AGE_GROUPS, age_group_for


def test_defaults_are_filled_and_every_key_is_present():
    f = build_filters()
    assert f.to_dict() == {
        "gender": None, "age_group": None, "country_id": None, "min_age": None, "max_age": None,
        "min_gender_probability": None, "min_country_probability": None, "sort_by": "created_at", "order": "desc",
    }
    assert not f.has_conditions


def test_lists_sorted_deduplicated_and_one_item_collapses():
    f = build_filters(country_id=["ng", "KE", "Nigeria", "ke"], age_group="adult,teenager,adult")
    assert f.country_ids == ("KE", "NG")
    assert f.age_groups == ("teenager", "adult")
    assert f.to_dict()["country_id"] == ["KE", "NG"]
    assert build_filters(country_id=["ng"]).to_dict()["country_id"] == "NG"
    assert build_filters(country_id="NG").cache_key() == build_filters(country_id=["ng", "NGA"]).cache_key()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"gender": "Female"}, {"gender": ["female", "FEMALE"]}),
        ({"gender": ["male", "female"]}, {}),
        ({"min_age": 0}, {}),
        ({"max_age": 150}, {}),
        ({"age_group": "child,teenager,adult,senior"}, {}),
        ({"age_group": "teenager", "min_age": 13, "max_age": 19}, {"age_group": "teenager"}),
        ({"age_group": "teenager", "min_age": 5}, {"age_group": "teenager"}),
        ({"age_group": "teenager,adult", "min_age": 25}, {"age_group": "adult", "min_age": 25}),
        ({"min_gender_probability": "90%"}, {"min_gender_probability": 0.9}),
        ({"min_gender_probability": "0.900001"}, {"min_gender_probability": 0.9}),
        ({"min_country_probability": 0}, {}),
        ({"min_age": "30", "max_age": " 40 "}, {"min_age": 30.0, "max_age": 40}),
        ({"sort_by": "AGE", "order": "Ascending"}, {"sort_by": "age", "order": "asc"}),
        ({"country_id": "cod"}, {"country_id": "DR Congo"}),
    ],
)
def test_equivalent_inputs_share_one_cache_key(a, b):
    assert build_filters(**a) == build_filters(**b)
    assert build_filters(**a).cache_key() == build_filters(**b).cache_key()


@pytest.mark.parametrize(
    ("kwargs", "detail"),
    [
        ({"min_age": 30, "max_age": 24}, "min_age 30 is above max_age 24"),
        ({"min_age": -1}, "min_age -1 is outside 0 to 150"),
        ({"max_age": 151}, "max_age 151 is outside 0 to 150"),
        ({"min_age": "abc"}, "min_age must be a whole number, got 'abc'"),
        ({"min_age": 20.5}, "min_age must be a whole number, got 20.5"),
        ({"min_age": True}, "min_age must be a whole number, got True"),
        ({"gender": "unknown"}, "gender must be male or female, got 'unknown'"),
        ({"age_group": "toddler"}, "age_group must be one of child, teenager, adult, senior, got 'toddler'"),
        ({"country_id": "XX"}, "country_id 'XX' is not an ISO 3166-1 country code or name"),
        ({"min_gender_probability": 1.5}, "min_gender_probability 1.5 is outside 0 to 1"),
        ({"min_country_probability": "-0.1"}, "min_country_probability '-0.1' is outside 0 to 1"),
        ({"min_country_probability": "high"}, "min_country_probability must be a number from 0 to 1, got 'high'"),
        ({"sort_by": "salary"}, "sort_by must be one of age, created_at, gender_probability, name, got 'salary'"),
        ({"order": "sideways"}, "order must be one of asc, desc, got 'sideways'"),
        ({"age_group": "child", "min_age": 30}, "age_group child (0–12) does not overlap ages 30+"),
        ({"age_group": "senior", "max_age": 40}, "age_group senior (60+) does not overlap ages up to 40"),
    ],
)
def test_invalid_values_name_the_problem(kwargs, detail):
    with pytest.raises(InvalidQueryParameters) as caught:
        build_filters(**kwargs)
    assert caught.value.detail == detail
    assert caught.value.message == "Invalid query parameters"
    assert str(caught.value) == f"Invalid query parameters: {detail}"


@pytest.mark.parametrize(
    "payload",
    ["NG' OR '1'='1", "NG; DROP TABLE profiles; --", "1; DELETE FROM profiles", "' UNION SELECT * FROM profiles --",
     "male' --", "\x00", "𝕟𝕘", "%' OR 1=1 --"],
)
@pytest.mark.parametrize("field", ["gender", "age_group", "country_id", "min_age", "max_age",
                                   "min_gender_probability", "min_country_probability", "sort_by", "order"])
def test_injection_payloads_are_rejected_as_invalid_values(payload, field):
    with pytest.raises(InvalidQueryParameters) as caught:
        build_filters(**{field: payload})
    assert field in caught.value.detail


def test_age_ranges_follow_groups_and_bounds():
    assert build_filters().age_ranges() == []
    assert build_filters(min_age=30).age_ranges() == [(30, None)]
    assert build_filters(age_group="child,senior").age_ranges() == [(None, 12), (60, None)]
    assert build_filters(age_group="teenager,adult").age_ranges() == [(13, 59)]
    assert build_filters(age_group="teenager,adult", max_age=30).age_ranges() == [(13, 30)]
    assert build_filters(age_group="child,adult", min_age=10, max_age=25).age_ranges() == [(10, 12), (20, 25)]


@given(
    groups=st.lists(st.sampled_from(list(AGE_GROUPS)), max_size=4),
    low=st.none() | st.integers(0, 150),
    high=st.none() | st.integers(0, 150),
    age=st.integers(0, 150),
)
def test_age_ranges_select_exactly_the_ages_the_filters_describe(groups, low, high, age):
    try:
        f = build_filters(age_group=groups or None, min_age=low, max_age=high)
    except InvalidQueryParameters:
        return
    expected = ((not groups or age_group_for(age) in groups) and (low is None or age >= low)
                and (high is None or age <= high))
    ranges = f.age_ranges()
    inside = not ranges or any((lo is None or age >= lo) and (hi is None or age <= hi) for lo, hi in ranges)
    assert inside == expected


@given(
    gender=st.none() | st.sampled_from(["male", "female"]),
    groups=st.lists(st.sampled_from(list(AGE_GROUPS)), max_size=4),
    codes=st.lists(st.sampled_from(["NG", "KE", "GB", "US", "CD", "ci", "za"]), max_size=4),
    low=st.none() | st.integers(0, 150),
    high=st.none() | st.integers(0, 150),
    gp=st.none() | st.floats(0, 1),
    sort_by=st.sampled_from(["age", "created_at", "gender_probability", "name"]),
    order=st.sampled_from(["asc", "desc"]),
)
def test_canonical_form_is_a_fixed_point_and_survives_json(gender, groups, codes, low, high, gp, sort_by, order):
    try:
        f = build_filters(gender=gender, age_group=groups, country_id=codes, min_age=low, max_age=high,
                          min_gender_probability=gp, sort_by=sort_by, order=order)
    except InvalidQueryParameters:
        return
    assert normalise(f) == f
    assert from_dict(json.loads(json.dumps(f.to_dict()))) == f
    assert from_dict(f.to_dict()).cache_key() == f.cache_key()


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(InvalidQueryParameters, match="unknown filter salary"):
        from_dict({"salary": 1})


def test_paging_bounds():
    assert validate_paging() .page == 1
    assert validate_paging("3", "50").limit == 50
    for page, limit, detail in [(0, 10, "page 0 is below 1"), (1, 0, "limit 0 is below 1"),
                                (1, MAX_LIMIT + 1, f"limit {MAX_LIMIT + 1} is above {MAX_LIMIT}"),
                                ("x", 10, "page must be a whole number, got 'x'")]:
        with pytest.raises(QueryError) as caught:
            validate_paging(page, limit)
        assert caught.value.detail == detail
    assert validate_paging(1, 500, max_limit=1000).limit == 500


def test_chips_and_removing_them():
    f = build_filters(gender="female", age_group="adult", country_id="NG,KE", min_age=25,
                      min_gender_probability=0.8, sort_by="age", order="asc")
    labels = [c.label for c in chips(f)]
    assert labels == ["female", "adult (20–59)", "ages 25+", "Kenya (KE)", "Nigeria (NG)",
                      "gender probability ≥ 0.8", "sorted by age asc"]
    assert f.without("country_id", "KE").country_ids == ("NG",)
    assert f.without("gender").gender is None
    assert f.without("age").min_age is None
    assert f.without("sort").sort_by == "created_at"
    assert f.without("age_group", "adult").age_groups == ()
    assert f.without("min_gender_probability").min_gender_probability is None
    with pytest.raises(ValueError):
        f.without("nonsense")


def test_typed_filters_are_checked_too():
    with pytest.raises(InvalidQueryParameters):
        normalise(ProfileFilters(gender="other"))
    with pytest.raises(InvalidQueryParameters):
        normalise(ProfileFilters(country_ids=("ZZ",)))
