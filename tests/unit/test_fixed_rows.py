"""Fixing rejected rows in place, the pure parts: reasons in words, the field at fault, a row's values from its raw
line, the re-check of an edited row and the file of fixed rows."""
from __future__ import annotations

import csv

from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.ingest import mapping as column_mapping
from insighta_desktop.ingest.fixed_rows import (
    RejectLayout,
    check_values,
    editable,
    field_at_fault,
    problem_words,
    reason_counts,
    reason_words,
    reasons_in_words,
    standard_layout,
    with_value,
    write_fixed_rows,
)
from insighta_desktop.ingest.rejects import Reject
from insighta_desktop.ingest.rows import RowValidator
from insighta_desktop.ingest.summary import REASONS
from insighta_desktop.ingest.validators import validate_age

LAYOUT = standard_layout()
FIELDS = LAYOUT.fields


def test_every_reason_has_words_and_no_code_shows():
    for reason in REASONS:
        words = reason_words(reason)
        assert "_" not in words and words
    assert reasons_in_words({"invalid_age": 3, "duplicate_name": 1200, "invalid_gender": 0}) == (
        "invalid age 3 · name already imported 1,200")
    assert reasons_in_words({}) == "none"


def test_problem_in_words_is_the_validators_sentence():
    bad = validate_age("abc")
    assert problem_words(bad.reason, bad.detail) == "age 'abc' is not a whole number"
    assert problem_words("duplicate_name", "already in the database") == "name already in the database"
    assert problem_words("malformed_row", "expected 6 fields, found 5") == (
        "malformed row: expected 6 fields, found 5")
    assert problem_words("invalid_age", "") == "invalid age"


def test_field_at_fault():
    assert field_at_fault("invalid_age", "age 'abc' is not a whole number") == "age"
    assert field_at_fault("invalid_country", "country 'Atlantis' is not a known country code or name") == "country_id"
    assert field_at_fault("missing_fields", "gender, age are empty") == "gender"
    assert field_at_fault("invalid_probability", "country_probability '2' is not between 0 and 1") == (
        "country_probability")
    assert field_at_fault("duplicate_name", "repeats line 4") == "name"
    assert field_at_fault("malformed_row", "expected 6 fields, found 5") is None


def test_edit_a_bad_age_and_the_row_turns_valid():
    row = editable(Reject(7, "invalid_age", "age 'abc' is not a whole number", 'Ada Obi,female,abc,NG,0.9,'),
                   LAYOUT)
    assert row.values == ("Ada Obi", "female", "abc", "NG", "0.9", "")
    assert (row.check.field, row.check.words, row.fixed) == ("age", "age 'abc' is not a whole number", False)
    worse = with_value(row, FIELDS, "age", "200")
    assert worse.check.reason == "invalid_age" and "outside" in worse.check.words and not worse.fixed
    fixed = with_value(worse, FIELDS, "age", "31")
    assert fixed.check.ok and fixed.fixed and fixed.values[2] == "31"
    assert with_value(row, FIELDS, "age", "abc") is row  # no change, no edit


def test_the_next_problem_shows_once_the_first_is_fixed():
    row = editable(Reject(3, "invalid_gender", "gender 'x' is not male or female", "Bo,x,abc,NG,,"), LAYOUT)
    once = with_value(row, FIELDS, "gender", "male")
    assert once.check.field == "age" and not once.fixed


def test_a_quoted_line_and_a_short_malformed_line():
    row = editable(Reject(2, "invalid_age", "age 'x' is not a whole number", '"Obi, Ada",female,x,NG,,'), LAYOUT)
    assert row.values[:3] == ("Obi, Ada", "female", "x")
    short = editable(Reject(5, "malformed_row", "expected 6 fields, found 3", "Ann,female,30"), LAYOUT)
    assert short.values == ("Ann", "female", "30", "", "", "") and short.check.field is None
    assert with_value(short, FIELDS, "country_id", "GH").check.ok


def test_the_files_own_columns_and_delimiter():
    headers = ("Full Name", "Years", "Sex", "Nation")
    layout = RejectLayout(headers, ";", column_mapping.resolve(headers))
    assert layout.fields == ("name", "gender", "age", "country_id")
    row = editable(Reject(2, "invalid_age", "age 'old' is not a whole number", "Kofi;old;m;GH"), layout)
    assert row.values == ("Kofi", "m", "old", "GH")
    assert with_value(row, layout.fields, "age", "40").fixed


def test_fixed_rows_file_holds_only_rows_edited_into_validity(tmp_path):
    rows = [editable(Reject(i, "invalid_age", f"age 'a{i}' is not a whole number", f"P{i},male,a{i},NG,,"), LAYOUT)
            for i in range(4)]
    rows[0] = with_value(rows[0], FIELDS, "age", "20")
    rows[1] = with_value(rows[1], FIELDS, "age", "-3")  # edited, still bad
    rows[3] = with_value(rows[3], FIELDS, "name", "Q3")  # edited, age still bad
    path = tmp_path / "fixed.csv"
    assert write_fixed_rows(path, rows, FIELDS) == 1
    with path.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [list(FIELDS), ["P0", "male", "20", "NG", "", ""]]
    assert reason_counts(r.reject for r in rows) == {"invalid_age": 4}


values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.tuples(values, values, values, values, values, values))
def test_check_agrees_with_the_import(row):
    expected = RowValidator(LAYOUT.mapping)(list(row))
    check = check_values(row, FIELDS)
    assert check.ok == (not hasattr(expected, "reason"))
    if not check.ok:
        assert (check.reason, check.detail) == (expected.reason, expected.detail)
