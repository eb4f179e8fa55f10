"""The Profiles tab and misspellings: the correction beside the chips, its one-click undo, "did you mean", and a
query with nothing understood (old results cleared, three examples that work)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from insighta_desktop.context import open_context
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.ui.profiles.query_notes import EXAMPLE_QUERIES
from tests.gui.test_profiles_tab import open_tab, search


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def tab(qtbot, qloop, app_context):
    return open_tab(qtbot, qloop, app_context)


def test_a_correction_is_shown_beside_the_chips_and_one_click_undoes_it(tab, qloop, tmp_path):
    search(qloop, tab, "nigerain women")
    assert tab.chip_bar.labels() == ["female", "Nigeria (NG)"]
    assert tab.notes.isVisible()
    [undo] = tab.notes.buttons()
    assert undo.text().startswith("interpreted 'nigerain' as Nigeria")
    assert all(p.country_id == "NG" and p.gender == "female" for p in tab.model.rows) and tab.model.rowCount() > 0
    tab.chip_bar.grab().save(str(tmp_path / "chips_with_correction.png"))

    undo.click()
    qloop.run(tab.search_task)
    assert tab.chip_bar.labels() == ["female"]
    assert tab.literal == ["nigerain"]
    assert tab.unknown_label.isVisible() and "nigerain" in tab.unknown_label.text()
    assert not tab.notes.isVisible()
    assert {p.country_id for p in tab.model.rows} != {"NG"}
    assert tab.query.text() == "nigerain women"  # the text stays as typed

    tab.query.setText("keyna women")
    tab.query.textEdited.emit("keyna women")  # typing again forgets what was kept literal
    assert tab.literal == []
    qloop.run(tab.search_text())
    assert tab.chip_bar.labels() == ["female", "Kenya (KE)"]


def test_a_tie_offers_both_and_a_click_searches_that_one(tab, qloop):
    search(qloop, tab, "nigeri women")
    assert "“nigeri”: did you mean" in tab.notes.texts()
    options = {b.text(): b for b in tab.notes.buttons()}
    assert set(options) == {"Niger", "Nigeria"}
    options["Nigeria"].click()
    qloop.run(tab.search_task)
    assert tab.query.text() == "Nigeria women"
    assert tab.chip_bar.labels() == ["female", "Nigeria (NG)"]


def test_nothing_understood_clears_the_old_search_and_offers_examples(tab, qloop, tmp_path):
    search(qloop, tab, "women from ghana")
    assert tab.model.rowCount() > 0 and tab.charts.facets is not None
    tab.query.setText("blue sky thinking")
    assert tab.search_text() is None
    assert tab.error_label.isVisible()
    assert tab.error_label.text().startswith("Unable to interpret query: no filter words understood")
    assert tab.model.rowCount() == 0 and tab.result is None
    assert tab.charts.facets is None
    assert tab.chip_bar.labels() == []
    assert tab.panel.current_filters() == build_filters()
    assert [b.text() for b in tab.notes.buttons()] == list(EXAMPLE_QUERIES)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # what the running app's loop does next
    assert all(not chart.axes() and not chart.series() for chart in (tab.charts.age_chart, tab.charts.country_chart))
    tab.grab().save(str(tmp_path / "nothing_understood.png"))
    for example in EXAMPLE_QUERIES:  # every example works
        task = tab.search_example(example)
        assert task is not None
        qloop.run(task)
        assert tab.result is not None and tab.result.total > 0, example
        assert not tab.error_label.isVisible()
    tab.notes.show_examples()
    tab.notes.buttons()[0].click()
    qloop.run(tab.search_task)
    assert tab.query.text() == EXAMPLE_QUERIES[0]
    assert tab.chip_bar.labels() == ["female", "ages 20–45", "Nigeria (NG)"]
