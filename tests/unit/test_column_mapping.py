"""Column mapping: automatic matching stage by stage, chosen mappings, and the rules that always hold."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.headers import FIELDS
from insighta_desktop.ingest.mapping import (
    MappingError,
    as_chosen,
    auto_columns,
    header_signature,
    load_mapping_file,
    parse_map_options,
    resolve,
)


def fields_of(headers, chosen=None):
    mapping = resolve(headers, chosen)
    return {name: headers[i] for name, i in mapping.columns.items()}


def test_spreadsheet_headers_are_matched_by_similarity():
    assert fields_of(["Full Name", "Sex", "Years", "Nation"]) == {
        "name": "Full Name", "gender": "Sex", "age": "Years", "country_id": "Nation"}
    assert fields_of(["Full-Name", "Genders", "AGE", "Country Code", "Country"]) == {
        "name": "Full-Name", "gender": "Genders", "age": "AGE", "country_id": "Country Code",
        "country_name": "Country"}


def test_exact_then_normalised_then_aliases():
    # `country_id` exactly beats the alias `country`, which then holds the country's name.
    assert fields_of(["country", "name", "gender", "age", "country_id"])["country_id"] == "country_id"
    assert fields_of(["country", "name", "gender", "age", "country_id"])["country_name"] == "country"
    # Normalised beats an alias: " AGE " is age although "years" is there too.
    assert fields_of(["name", "gender", "years", " AGE ", "country"])["age"] == " AGE "


def test_unrelated_columns_are_left_out():
    mapping = resolve(["name", "gender", "age", "country_id", "notes", "email"])
    assert mapping.extra == ("notes", "email")


def test_missing_required_field_names_it_and_lists_the_columns():
    with pytest.raises(ImportRefused) as caught:
        resolve(["Full Name", "Sex", "Nation"])
    assert caught.value.code == "missing_columns"
    assert "age" in caught.value.message
    assert "'Full Name', 'Sex', 'Nation'" in caught.value.message


def test_chosen_columns_win_and_are_case_insensitive():
    headers = ["name", "Nickname", "gender", "age", "country_id"]
    assert fields_of(headers, {"name": "NICKNAME"})["name"] == "Nickname"
    # The column a choice took is not offered to another field; the field it left is matched again.
    assert "name" in fields_of(["Full Name", "name", "Sex", "Years", "Nation"], {"name": "full name"})
    mapping = resolve(headers, {"name": "nickname"})
    assert "name" in mapping.extra


def test_do_not_import_leaves_a_field_out():
    headers = ["name", "gender", "age", "country_id", "age_group"]
    assert "age_group" not in resolve(headers, {"age_group": None}).columns
    with pytest.raises(ImportRefused) as caught:
        resolve(headers, {"age": None})
    assert caught.value.code == "missing_columns" and "age" in caught.value.message


def test_bad_choices_name_the_field_or_column_and_list_the_columns():
    headers = ["Full Name", "Sex", "Years", "Nation"]
    with pytest.raises(MappingError) as caught:
        resolve(headers, {"name": "Surname"})
    assert "'Surname'" in caught.value.message and "'Full Name', 'Sex', 'Years', 'Nation'" in caught.value.message
    with pytest.raises(MappingError) as caught:
        resolve(headers, {"height": "Years"})
    assert "height" in caught.value.message and "gender_probability" in caught.value.message
    assert "'Full Name', 'Sex', 'Years', 'Nation'" in caught.value.message
    with pytest.raises(MappingError) as caught:
        resolve(headers, {"name": "Sex", "gender": "sex"})
    assert "'Sex'" in caught.value.message


def test_map_options_and_mapping_files(tmp_path):
    assert parse_map_options(["name=Full Name", "Country=Nation", "age_group="]) == {
        "name": "Full Name", "Country": "Nation", "age_group": None}
    assert fields_of(["Full Name", "Sex", "Years", "Nation"], {"Country": "nation", "AGE": "years"})[
        "country_id"] == "Nation"
    with pytest.raises(MappingError, match="FIELD=COLUMN"):
        parse_map_options(["name"])
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"name": "Full Name", "country": "Nation", "age_group": None}))
    assert load_mapping_file(path) == {"name": "Full Name", "country": "Nation", "age_group": None}
    path.write_text("[1, 2]")
    with pytest.raises(MappingError, match="one object"):
        load_mapping_file(path)
    path.write_text("{nope")
    with pytest.raises(MappingError, match="not JSON"):
        load_mapping_file(path)


def test_as_chosen_round_trips():
    headers = ["Full Name", "Sex", "Years", "Nation", "Score"]
    mapping = resolve(headers)
    assert resolve(headers, as_chosen(mapping)).columns == mapping.columns
    assert as_chosen(mapping)["gender_probability"] is None


def test_header_signature_ignores_case_and_spacing():
    assert header_signature(["Full Name", "Sex"]) == header_signature([" full_name", "SEX "])
    assert header_signature(["Full Name", "Sex"]) != header_signature(["Sex", "Full Name"])


WORDS = ["name", "Name", "full name", "sex", "gender", "Gender", "age", "Years", "years", "country", "Nation",
         "country_id", "Country Code", "country_name", "age_group", "notes", "gender_probability", "score",
         "country-probability", "id", "email", "AGE", "Nationality", "x"]
header_rows = st.lists(st.sampled_from(WORDS) | st.text(min_size=0, max_size=12), min_size=1, max_size=10)


@given(header_rows)
def test_no_column_feeds_two_fields(headers):
    columns = auto_columns(headers)
    assert len(set(columns.values())) == len(columns)
    assert set(columns) <= set(FIELDS)


@given(header_rows)
def test_an_exact_header_always_wins(headers):
    columns = auto_columns(headers)
    for name in FIELDS:
        exact = [i for i, h in enumerate(headers) if h.strip() == name]
        if exact:
            assert columns[name] == exact[0]


@given(header_rows)
def test_deterministic(headers):
    assert auto_columns(list(headers)) == auto_columns(list(headers))
    assert header_signature(headers) == header_signature(list(headers))


@given(header_rows, st.sampled_from(FIELDS), st.data())
def test_a_choice_is_kept_and_its_column_used_once(headers, name, data):
    index = data.draw(st.integers(0, len(headers) - 1))
    columns = auto_columns(headers, {name: index})
    assert columns[name] == index
    assert list(columns.values()).count(index) == 1
