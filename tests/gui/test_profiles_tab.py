"""The Profiles tab: query → table, chips, panel and charts; chips and headers re-run the search; export; errors."""
from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from insighta_desktop.context import open_context
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.ui.profiles.tab import FETCH_SIZE, ProfilesTab
from insighta_desktop.ui.shared.tasks import TaskRunner


def count(engine, where: str = "1=1", **params) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM profiles WHERE {where}"), params).scalar_one()


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    """The embedded database: the tab's behaviour does not depend on the back end (one test below runs on
    PostgreSQL too; tests/integration/test_search.py covers the storage on both)."""
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def tab(qtbot, qloop, app_context):
    return open_tab(qtbot, qloop, app_context)


def open_tab(qtbot, qloop, ctx):
    load_demo_data(ctx.engine, profiles=700, interviews=0)
    widget = ProfilesTab(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qloop.run(widget.refresh())
    return widget


def search(qloop, tab, text: str):
    tab.query.setText(text)
    task = tab.search_text()
    qloop.run(task)


def test_a_query_fills_the_table_chips_panel_and_total(tab, qloop, app_context, tmp_path):
    search(qloop, tab, "Nigerian females between ages 20 and 45")
    want = count(app_context.engine, "country_id = 'NG' AND gender = 'female' AND age BETWEEN 20 AND 45")
    assert want > 0
    assert tab.model.rowCount() == min(want, FETCH_SIZE)
    assert all(p.country_id == "NG" and p.gender == "female" and 20 <= p.age <= 45 for p in tab.model.rows)
    assert tab.chip_bar.labels() == ["female", "ages 20–45", "Nigeria (NG)"]
    assert "“Nigerian”" in tab.chip_bar.buttons[2].toolTip()
    assert tab.panel.gender.currentData() == "female"
    assert (tab.panel.min_age.value(), tab.panel.max_age.value()) == (20, 45)
    assert tab.panel.current_filters() == tab.filters
    assert f"of {want:,} profiles" in tab.page_label.text() and " ms" not in tab.page_label.text()
    assert " ms" in tab.page_label.toolTip()  # the timing is for developers
    assert not tab.error_label.isVisible()
    tab.grab().save(str(tmp_path / "profiles_tab.png"))


def test_the_tab_on_postgresql(qtbot, qloop, pg_url, app_paths, credentials):
    ctx = open_context(pg_url, paths=app_paths, credentials=credentials)
    try:
        widget = open_tab(qtbot, qloop, ctx)
        search(qloop, widget, "men from kenya or uganda, youngest first")
        want = count(ctx.engine, "gender = 'male' AND country_id IN ('KE', 'UG')")
        assert widget.result.total == want > 0 and widget.result.total_kind == "exact"
        ages = [p.age for p in widget.model.rows]
        assert ages == sorted(ages)
        qloop.run(widget.refresh())
        assert widget.result.from_cache
        widget.search_service.close()
    finally:
        ctx.close()


def test_removing_a_chip_runs_the_search_again(tab, qloop, app_context):
    search(qloop, tab, "Nigerian females between ages 20 and 45")
    country_chip = next(b for b in tab.chip_bar.buttons if "Nigeria" in b.text())
    country_chip.click()
    qloop.run(tab.search_task)
    assert tab.filters == build_filters(gender="female", min_age=20, max_age=45)
    assert tab.query.text() == "females aged 20 to 45"
    assert tab.result.total == count(app_context.engine, "gender = 'female' AND age BETWEEN 20 AND 45")
    assert {p.country_id for p in tab.model.rows} != {"NG"}
    assert tab.panel.current_filters() == tab.filters


def test_the_panel_drives_the_search_box_and_the_results(tab, qloop, app_context):
    tab.panel.gender.setCurrentIndex(tab.panel.gender.findData("male"))
    tab.panel.groups["senior"].setChecked(True)
    tab.panel.flush()
    qloop.run(tab.search_task)
    assert tab.query.text() == "male seniors"
    assert tab.result.total == count(app_context.engine, "gender = 'male' AND age >= 60")
    assert all(p.gender == "male" and p.age >= 60 for p in tab.model.rows)


def test_charts_follow_the_results(tab, qloop, app_context):
    search(qloop, tab, "people from kenya")
    total = count(app_context.engine, "country_id = 'KE'")
    pie = tab.charts.gender_chart.series()[0]
    assert sum(piece.value() for piece in pie.slices()) == total
    ages = tab.charts.age_chart.series()[0].barSets()[0]
    assert sum(ages.at(i) for i in range(ages.count())) == total
    countries = tab.charts.country_chart.series()[0].barSets()[0]
    assert [countries.at(i) for i in range(countries.count())] == [total]
    search(qloop, tab, "men")
    pie = tab.charts.gender_chart.series()[0]
    assert [piece.label().split()[0] for piece in pie.slices()] == ["male"]


def test_export_writes_every_matching_row(tab, qloop, app_context, tmp_path):
    search(qloop, tab, "women over 30")
    out = tmp_path / "women.csv"
    qloop.run(tab.export_to(out))
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == count(app_context.engine, "gender = 'female' AND age >= 30") > FETCH_SIZE
    assert all(r["gender"] == "female" and int(r["age"]) >= 30 for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
    assert "Exported" in tab.page_label.text()


def test_scrolling_fetches_more_rows(tab, qloop):
    assert tab.model.rowCount() == FETCH_SIZE
    tab.table.scrollToBottom()
    tab.model.fetchMore()
    qloop.until(lambda: tab.model.rowCount() == 2 * FETCH_SIZE, message="second chunk")
    ids = [p.id for p in tab.model.rows]
    assert len(set(ids)) == len(ids)


def test_header_click_sorts_on_the_server(tab, qloop):
    tab.table.horizontalHeader().sectionClicked.emit(2)  # Age (Country is the fourth column, to stay in view)
    qloop.run(tab.search_task)
    assert (tab.filters.sort_by, tab.filters.order) == ("age", "asc")
    ages = [p.age for p in tab.model.rows]
    assert ages == sorted(ages) and ages[0] == min(ages)
    tab.table.horizontalHeader().sectionClicked.emit(2)
    qloop.run(tab.search_task)
    assert tab.filters.order == "desc"
    assert tab.query.text() == "sorted by age descending"


def test_a_bad_query_shows_its_message_inline(tab, qloop):
    tab.query.setText("purple unicorns")
    assert tab.search_text() is None
    assert tab.error_label.isVisible()
    assert "Unable to interpret query" in tab.error_label.text() and "purple" in tab.error_label.text()
    tab.query.setText("children above 30")
    assert tab.search_text() is None
    assert "Invalid query parameters: age_group child (0–12) does not overlap ages 30+" == tab.error_label.text()
    search(qloop, tab, "women")
    assert not tab.error_label.isVisible()


def test_a_new_search_supersedes_the_pending_one(tab, qloop):
    tab.query.setText("men")
    first = tab.search_text()
    tab.query.setText("women from ghana")
    second = tab.search_text()
    qloop.run(second)
    assert first.cancelled() or first.done()
    assert tab.filters == build_filters(gender="female", country_id="GH")
    assert all(p.gender == "female" and p.country_id == "GH" for p in tab.model.rows)
