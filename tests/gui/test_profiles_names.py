"""The Profiles tab and names: the Name field of the filter panel, its chip, the search box phrase, a name typed
as the query, and the note when similar names answer a name that no name starts with."""
from __future__ import annotations

import pytest

from insighta_desktop.context import open_context
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.names import fold
from tests.gui.test_profiles_tab import open_tab, search


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def tab(qtbot, qloop, app_context):
    return open_tab(qtbot, qloop, app_context)


def test_the_name_field_searches_and_shows_a_chip_that_removes_it(tab, qloop, tmp_path):
    tab.panel.name.setText("kabore")
    tab.panel.name.textEdited.emit("kabore")
    tab.panel.flush()
    qloop.run(tab.search_task)
    assert tab.filters == build_filters(name="kabore")
    assert tab.query.text() == "named kabore"
    assert tab.chip_bar.labels() == ["name: kabore"]
    assert tab.model.rowCount() > 0
    assert all("kabore" in fold(p.name).split() for p in tab.model.rows)
    tab.grab().save(str(tmp_path / "name_search.png"))

    [chip] = tab.chip_bar.buttons
    chip.click()
    qloop.run(tab.search_task)
    assert tab.filters == build_filters() and tab.panel.name.text() == ""
    assert tab.chip_bar.labels() == []


def test_a_name_typed_as_the_query_fills_the_field_and_combines_with_filters(tab, qloop):
    search(qloop, tab, "women named Kaboré")
    assert tab.panel.name.text() == "Kaboré"
    assert tab.chip_bar.labels()[:2] == ["name: Kaboré", "female"]
    assert all(p.gender == "female" and "kabore" in fold(p.name).split() for p in tab.model.rows)
    assert not tab.notes.isVisible()  # a prefix match needs no note


def test_similar_names_answer_a_misspelt_name_with_a_note(tab, qloop, tmp_path):
    search(qloop, tab, "Kabroe")
    assert tab.chip_bar.labels() == ["name: Kabroe"]
    assert tab.model.rowCount() > 0 and all("kabore" in fold(p.name).split() for p in tab.model.rows)
    assert tab.notes.isVisible()
    assert "no name starts with “kabroe”: showing “kabore”" in tab.notes.texts()
    tab.grab().save(str(tmp_path / "fuzzy_name.png"))
    search(qloop, tab, "women")
    assert not tab.notes.isVisible()
