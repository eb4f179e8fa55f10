"""`insighta search` on both back ends: table, --json, --explain, errors on stderr with a non-zero exit."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.search import ProfileSearch

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py


@pytest.fixture
def demo(db, db_url):
    load_demo_data(db, profiles=600, interviews=0)
    return db_url


def test_json_output_follows_the_contract(demo, db, capsys):
    assert main(["--db", demo, "search", "Nigerian", "females", "between", "ages", "20", "and", "45", "--json",
                 "--limit", "3"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) >= {"filters", "total", "total_kind", "page", "limit", "data"}
    assert payload["filters"] == build_filters(gender="female", country_id="NG", min_age=20, max_age=45).to_dict()
    want = ProfileSearch(db).search(build_filters(**payload["filters"]))
    assert (payload["total"], payload["total_kind"], payload["page"], payload["limit"]) == (want.total, "exact", 1, 3)
    assert isinstance(payload["total"], int)
    assert [row["id"] for row in payload["data"]] == [p.id for p in want.rows[:3]]
    assert all(row["gender"] == "female" and row["country_id"] == "NG" and 20 <= row["age"] <= 45
               for row in payload["data"])
    assert "interpretation" not in payload


def test_options_refine_the_text_and_explain_shows_the_words(demo, capsys):
    assert main(["--db", demo, "search", "adult kenyans", "--gender", "male", "--sort-by", "age", "--order", "desc",
                 "--explain", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["filters"]["gender"] == "male" and payload["filters"]["country_id"] == "KE"
    assert payload["filters"]["age_group"] == "adult" and payload["filters"]["sort_by"] == "age"
    assert [(i["words"], i["field"]) for i in payload["interpretation"]] == [("adult", "age_group"),
                                                                            ("kenyans", "country_id")]
    ages = [row["age"] for row in payload["data"]]
    assert ages == sorted(ages, reverse=True)


def test_readable_table(demo, capsys):
    assert main(["--db", demo, "search", "women", "from", "ghana", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "'women'" in out and "country: Ghana (GH)" in out
    assert out.splitlines()[out.splitlines().index("") + 1].startswith("Name")
    assert "Ghana (GH)" in out and " of " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["search", "show", "me", "people"], "Unable to interpret query"),
     (["search", "purple", "unicorns"], "Unable to interpret query: no filter words understood"),
     (["search", "--min-age", "30", "--max-age", "20"], "Invalid query parameters: min_age 30 is above max_age 20"),
     (["search", "women", "--limit", "500"], "Invalid query parameters: limit 500 is above 50"),
     (["search", "--country", "'; DROP TABLE profiles; --"], "Invalid query parameters: country_id"),
     (["search"], "give a query TEXT")],
)
def test_bad_queries_exit_non_zero_with_the_message_on_stderr(demo, capsys, argv, message):
    assert main(["--db", demo, *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_json_reports_corrections_and_literal_undoes_them(demo, capsys):
    assert main(["--db", demo, "search", "nigerain", "women", "--json", "--limit", "2"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["corrections"] == [{"from": "nigerain", "to": "Nigeria"}]
    assert payload["filters"]["country_id"] == "NG" and payload["filters"]["gender"] == "female"
    assert main(["--db", demo, "search", "nigerain", "women", "--json", "--literal", "nigerain"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["corrections"] == [] and payload["filters"]["country_id"] is None
    assert main(["--db", demo, "search", "women", "--json", "--limit", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["corrections"] == []


def test_text_output_says_how_a_misspelling_was_read(demo, capsys):
    assert main(["--db", demo, "search", "keyna", "adlts"]) == 0
    out = capsys.readouterr().out
    assert "interpreted 'keyna' as Kenya" in out and "interpreted 'adlts' as adults" in out
    assert "Kenya (KE)" in out


def test_a_tie_asks_did_you_mean(demo, capsys):
    assert main(["--db", demo, "search", "nigeri", "women", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["corrections"] == []
    assert payload["suggestions"] == [{"words": "nigeri", "did_you_mean": ["Niger", "Nigeria"]}]
    assert main(["--db", demo, "search", "nigeri"]) != 0
    err = capsys.readouterr().err
    assert "Unable to interpret query" in err and "did you mean Niger or Nigeria?" in err
