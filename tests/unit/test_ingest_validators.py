"""Field validators: table tests, and properties (never raise; accept their own output unchanged)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.ingest.headers import map_headers
from insighta_desktop.ingest.number_words import parse_number_words
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.validators import (
    Invalid,
    validate_age,
    validate_country,
    validate_gender,
    validate_name,
    validate_probability,
)


def reason(value):
    return value.reason if isinstance(value, Invalid) else None


@pytest.mark.parametrize("text, expected", [
    ("  Ada   Obi ", "Ada Obi"), ("Sidibé", "Sidibé"), ("Sidibe\u0301", "Sidibé"), ("x" * 200, "x" * 200),
])
def test_name_accepts(text, expected):
    assert validate_name(text) == expected


@pytest.mark.parametrize("text, why", [
    ("", "missing_fields"), ("   ", "missing_fields"), ("Ada\tObi", "invalid_name"), ("Ada\x00", "invalid_name"),
    ("Ada\u0085Obi", "invalid_name"), ("x" * 201, "invalid_name"),
])
def test_name_rejects(text, why):
    assert reason(validate_name(text)) == why


@pytest.mark.parametrize("text, expected", [
    ("male", "male"), ("FEMALE", "female"), (" M ", "male"), ("f", "female"), ("Man", "male"), ("women", "female"),
    ("men", "male"), ("Woman", "female"),
])
def test_gender_accepts(text, expected):
    assert validate_gender(text) == expected


@pytest.mark.parametrize("text, why", [("", "missing_fields"), ("robot", "invalid_gender"), ("mal", "invalid_gender")])
def test_gender_rejects(text, why):
    assert reason(validate_gender(text)) == why


@pytest.mark.parametrize("text, expected", [
    ("25", 25), (" 25 ", 25), ("25.0", 25), ("0", 0), ("150", 150), ("twenty-five", 25), ("Thirty", 30),
    ("one hundred and five", 105), ("ninety nine", 99), ("zero", 0), ("+7", 7),
])
def test_age_accepts(text, expected):
    assert validate_age(text) == expected


@pytest.mark.parametrize("text, why", [
    ("", "missing_fields"), ("-3", "invalid_age"), ("151", "invalid_age"), ("25.5", "invalid_age"),
    ("abc", "invalid_age"), ("nan", "invalid_age"), ("inf", "invalid_age"), ("1_0", "invalid_age"),
    ("two hundred", "invalid_age"), ("²", "invalid_age"),
])
def test_age_rejects(text, why):
    assert reason(validate_age(text)) == why


@pytest.mark.parametrize("text, alpha2", [
    ("NG", "NG"), ("ng", "NG"), ("Ng", "NG"), ("NGA", "NG"), ("nga", "NG"), ("Nigeria", "NG"), (" ghana ", "GH"),
])
def test_country_accepts(text, alpha2):
    assert validate_country(text).alpha2 == alpha2


@pytest.mark.parametrize("text, why", [("", "missing_fields"), ("XX", "invalid_country"),
                                       ("Atlantis", "invalid_country")])
def test_country_rejects(text, why):
    assert reason(validate_country(text)) == why


@pytest.mark.parametrize("text, expected", [
    ("", None), (" ", None), ("0.85", 0.85), ("85%", 0.85), ("0", 0.0), ("1", 1.0), ("100 %", 1.0), (".5", 0.5),
])
def test_probability_accepts(text, expected):
    assert validate_probability(text) == expected


@pytest.mark.parametrize("text", ["1.5", "-0.1", "abc", "nan", "150%", "inf", "0x1"])
def test_probability_rejects(text):
    assert reason(validate_probability(text)) == "invalid_probability"


@pytest.mark.parametrize("text, expected", [
    ("twenty", 20), ("Twenty-One", 21), ("hundred", 100), ("one hundred fifty", 150), ("eleven", 11),
    ("twenty twenty", None), ("one one", None), ("", None), ("zero hundred", None),
])
def test_number_words(text, expected):
    assert parse_number_words(text) == expected


@given(st.text())
def test_validators_never_raise_and_are_idempotent(text):
    for validate, render in ((validate_name, str), (validate_gender, str), (validate_age, str),
                             (validate_probability, lambda v: "" if v is None else repr(v))):
        value = validate(text)
        if not isinstance(value, Invalid):
            assert validate(render(value)) == value
    country = validate_country(text)
    if not isinstance(country, Invalid):
        assert validate_country(country.alpha2) == country


ROW_HEADER = map_headers(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])


@pytest.mark.parametrize("fields, why", [
    (["", "robot", "", "XX", "2", ""], "missing_fields"),
    (["Ada\x01", "robot", "-1", "XX", "2", ""], "invalid_name"),
    (["Ada", "robot", "-1", "XX", "2", ""], "invalid_gender"),
    (["Ada", "f", "-1", "XX", "2", ""], "invalid_age"),
    (["Ada", "f", "3", "XX", "2", ""], "invalid_country"),
    (["Ada", "f", "3", "NG", "2", ""], "invalid_probability"),
    (["Ada", "f", "3", "NG", "", "120%"], "invalid_probability"),
])
def test_row_reason_is_the_first_in_priority_order(fields, why):
    assert reason(RowValidator(ROW_HEADER)(fields)) == why


def test_row_derives_and_counts_corrections():
    mapping = map_headers(["Full Name", "SEX", "age", "country", "age_group", "country_name"])
    validator = RowValidator(mapping)
    row = validator(["Ada  Obi", "F", "70", "nga", "adult", "Ghana"])
    assert (row.name, row.name_key, row.gender, row.age_group, row.country_id, row.country_name) == (
        "Ada Obi", "ada obi", "female", "senior", "NG", "Nigeria")
    assert validator.corrected == {"age_group": 1, "country_name": 1}
    validator(["Bo", "m", "30", "NG", "adult", "nigeria"])
    assert validator.corrected == {"age_group": 1, "country_name": 1}


row_fields = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(
    ["male", "F", "25", "twenty", "NG", "nga", "Ghana", "0.5", "85%", "", " ", "-1"])), min_size=6, max_size=6)


@given(st.lists(row_fields, min_size=1, max_size=30))
def test_block_validation_matches_row_by_row(rows):
    """The column-wise fast path gives exactly what the row validator gives, row by row."""
    from insighta_desktop.ingest.line_parser import RecordBlock

    block = RecordBlock(range(2, 2 + len(rows)), rows, [",".join(r) for r in rows], list(range(len(rows))), None)
    columns, rejects = RowValidator(ROW_HEADER).validate_block(block)
    reference = RowValidator(ROW_HEADER)
    expected_valid, expected_rejects = [], []
    for line, fields in zip(block.line_numbers, rows, strict=True):
        result = reference(fields)
        if isinstance(result, Invalid):
            expected_rejects.append((line, result.reason))
        else:
            expected_valid.append((line, *result))
    assert [(r.line_number, r.reason) for r in rejects] == expected_rejects
    assert [row[:-1] for row in columns.rows()] == expected_valid
