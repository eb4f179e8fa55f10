"""`insighta searches list|save|delete` and `insighta search --saved NAME` on both back ends."""
from __future__ import annotations

import json

import pytest

from insighta_desktop.cli import main
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.saved_searches import SavedSearches
from insighta_desktop.profiles.search import ProfileSearch

pytestmark = pytest.mark.usefixtures("isolated_home")  # tests/integration/conftest.py


@pytest.fixture
def demo(db, db_url):
    load_demo_data(db, profiles=600, interviews=0)
    return db_url


def test_save_list_run_and_delete(demo, db, capsys):
    assert main(["--db", demo, "searches", "save", "Lagos women", "nigerian women over 30"]) == 0
    assert capsys.readouterr().out.strip() == "Saved 'Lagos women': female, ages 30+, Nigeria (NG)"
    assert main(["--db", demo, "searches", "save", "Old first", "insighta://search?min_age=80&sort=age&order=desc",
                 "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["filters"] == build_filters(min_age=80, sort_by="age", order="desc").to_dict()
    assert saved["replaced"] is False and saved["link"].startswith("insighta://search?min_age=80")
    assert main(["--db", demo, "searches", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Lagos women  nigerian women over 30  [female, ages 30+, Nigeria (NG)]",
                     "Old first    (filters only)  [ages 80+, sorted by age desc]"]
    assert main(["--db", demo, "searches", "list", "--json"]) == 0
    assert [s["name"] for s in json.loads(capsys.readouterr().out)] == ["Lagos women", "Old first"]

    assert main(["--db", demo, "search", "--saved", "lagos WOMEN", "--json", "--limit", "50"]) == 0
    payload = json.loads(capsys.readouterr().out)
    want = build_filters(gender="female", country_id="NG", min_age=30)
    assert payload["filters"] == want.to_dict()
    assert payload["total"] == ProfileSearch(db).search(want).total > 0
    # text and options still narrow a saved search, and its sort stays
    assert main(["--db", demo, "search", "--saved", "Old first", "women", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["filters"] == build_filters(gender="female", min_age=80, sort_by="age", order="desc").to_dict()
    assert [r["age"] for r in payload["data"]] == sorted((r["age"] for r in payload["data"]), reverse=True)

    assert main(["--db", demo, "searches", "delete", "LAGOS WOMEN"]) == 0
    assert capsys.readouterr().out.strip() == "Deleted 'LAGOS WOMEN'"
    assert [s.name for s in SavedSearches(db).list()] == ["Old first"]


def test_errors_are_one_line_with_a_non_zero_exit(demo, capsys):
    assert main(["--db", demo, "search", "--saved", "nope"]) == 1
    assert capsys.readouterr().err.strip() == ("insighta: no saved search named 'nope' "
                                               "(insighta searches list shows them)")
    assert main(["--db", demo, "searches", "delete", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "insighta: no saved search named 'nope'"
    assert main(["--db", demo, "searches", "save", "x", "purple unicorns"]) == 2
    assert capsys.readouterr().err.startswith("insighta: Unable to interpret query")
    assert main(["--db", demo, "searches", "save", "x", "insighta://search?gender=robot"]) == 2
    assert "gender must be male or female" in capsys.readouterr().err
    assert main(["--db", demo, "searches", "list"]) == 0
    assert "No saved searches" in capsys.readouterr().out
