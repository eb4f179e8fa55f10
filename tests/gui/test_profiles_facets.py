"""Profiles tab, issue 13 §3 and §6: clickable facets, the panel's country counts, the results table as a recruiter
found it (scroll to the top, Country in view, headers in words, a column chooser, timings in tooltips)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCharts import QCategoryAxis, QChartView
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt

from insighta_desktop.context import open_context
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.search import Facets
from insighta_desktop.ui.profiles.facet_charts import FacetCharts
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.shared.tasks import TaskRunner


def count(engine, where: str = "1=1") -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM profiles WHERE {where}")).scalar_one()


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    load_demo_data(ctx.engine, profiles=1500, interviews=0)
    yield ctx
    ctx.close()


def new_tab(qtbot, qloop, ctx) -> ProfilesTab:
    widget = ProfilesTab(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    qloop.run(widget.refresh())
    return widget


@pytest.fixture
def tab(qtbot, qloop, app_context):
    return new_tab(qtbot, qloop, app_context)


def search(qloop, tab, text: str) -> None:
    tab.query.setText(text)
    qloop.run(tab.search_text())
    # the country counts and the history entry follow the result: one loop run for both
    qloop.until(lambda: tab.saved_bar.record_task.done(), message="history")


def test_clicking_a_pie_slice_adds_the_gender_as_a_chip(tab, qloop, app_context):
    search(qloop, tab, "nigerians")
    male = next(s for s in tab.charts.pie.slices() if s.property("gender") == "male")
    tab.charts.pie.clicked.emit(male)
    qloop.run(tab.search_task)
    assert tab.chip_bar.labels() == ["male", "Nigeria (NG)"]
    assert tab.panel.gender.currentData() == "male" and tab.query.text() == "males from Nigeria"
    assert tab.result.total == count(app_context.engine, "gender = 'male' AND country_id = 'NG'")
    assert {s.property("gender") for s in tab.charts.pie.slices()} == {"male"}


def test_clicking_an_age_bar_adds_its_decade_as_an_age_range(tab, qloop, app_context):
    search(qloop, tab, "women")
    index = tab.charts.decades.index(30)
    tab.charts.age_series.clicked.emit(index, tab.charts.age_series.barSets()[0])
    qloop.run(tab.search_task)
    assert tab.chip_bar.labels() == ["female", "ages 30–39"]
    assert (tab.panel.min_age.value(), tab.panel.max_age.value()) == (30, 39)
    assert tab.result.total == count(app_context.engine, "gender = 'female' AND age BETWEEN 30 AND 39")
    assert tab.charts.decades == [30]


def test_clicking_a_country_bar_narrows_to_that_country(tab, qloop, app_context):
    search(qloop, tab, "seniors")
    top_code = tab.facets.top_countries[0][0]
    bar_index = tab.charts.country_codes.index(top_code)  # the largest is drawn at the top, the last bar
    assert bar_index == len(tab.charts.country_codes) - 1
    tab.charts.country_series.clicked.emit(bar_index, tab.charts.country_series.barSets()[0])
    qloop.run(tab.search_task)
    assert tab.filters.country_ids == (top_code,) and tab.filters.age_groups == ("senior",)
    assert len(tab.chip_bar.labels()) == 2 and tab.chip_bar.labels()[1].endswith(f"({top_code})")
    assert tab.result.total == count(app_context.engine, f"age >= 60 AND country_id = '{top_code}'")


def test_a_chart_click_on_the_drawn_bar_filters_too(tab, qloop, qtbot):
    """A real mouse click on the chart view, where the tallest age bar is drawn."""
    search(qloop, tab, "women")
    view = tab.charts.age_chart.scene().views()[0]
    assert isinstance(view, QChartView)
    decades = tab.charts.decades
    tallest = max(range(len(decades)), key=lambda i: tab.charts.age_series.barSets()[0].at(i))
    point = tab.charts.age_chart.mapToPosition(  # halfway up the bar, in the chart's coordinates
        QPointF(tallest, tab.charts.age_series.barSets()[0].at(tallest) / 2), tab.charts.age_series)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(point))
    qloop.run(tab.search_task)
    low = decades[tallest]
    assert (tab.filters.min_age or 0, tab.filters.max_age) == (low, low + 9)


def test_the_panel_counts_each_country_for_the_other_filters(tab, qloop, app_context):
    search(qloop, tab, "women from nigeria")
    counts = tab.panel.country_counts
    assert counts["NG"] == count(app_context.engine, "gender = 'female' AND country_id = 'NG'")
    assert counts["KE"] == count(app_context.engine, "gender = 'female' AND country_id = 'KE'") > 0
    assert sum(counts.values()) == count(app_context.engine, "gender = 'female'")  # the country filter left out
    kenya = next(tab.panel.country_list.item(i) for i in range(tab.panel.country_list.count())
                 if tab.panel.country_list.item(i).data(Qt.ItemDataRole.UserRole) == "KE")
    assert kenya.text() == f"Kenya (KE)  {counts['KE']:,}"
    assert tab.panel.selected_countries.text() == "Selected: Nigeria (NG)"  # labels without counts
    assert tab.panel.current_filters() == tab.filters  # a count is not an edit
    search(qloop, tab, "men with gender probability above 0.9")
    assert tab.panel.country_counts["KE"] == count(
        app_context.engine, "gender = 'male' AND country_id = 'KE' AND gender_probability >= 0.9")


def test_a_new_search_scrolls_to_the_top(tab, qloop):
    search(qloop, tab, "everyone sorted by age ascending")
    bar = tab.table.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert bar.value() > 0
    search(qloop, tab, "everyone sorted by age descending")
    assert bar.value() == 0
    assert tab.table.rowAt(0) == 0 and tab.model.rows[0].age == max(p.age for p in tab.model.rows)


def test_headers_in_words_and_country_in_view_at_the_default_size(qtbot, qloop, app_context, tmp_path):
    from insighta_desktop.ui.main_window import MainWindow

    window = MainWindow(app_context)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qloop.run(window.startup_task)
    table = window.profiles_tab.table
    titles = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())]
    assert titles == ["Name", "Gender", "Age", "Country", "Age group", "Gender confidence", "Country confidence",
                      "Added"]
    country = titles.index("Country")
    assert table.columnViewportPosition(country) + table.columnWidth(country) <= table.viewport().width()
    assert table.columnWidth(0) >= 160
    window.grab().save(str(tmp_path / "profiles_1200x800.png"))


def test_the_column_chooser_hides_columns_and_remembers_them(tab, qtbot, qloop, app_context):
    header = tab.table.horizontalHeader()
    header.customContextMenuRequested.emit(QPoint(20, 5))
    menu = tab.column_chooser.menu
    assert menu is not None and menu.isVisible()
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Name"].isEnabled()  # names always stay
    actions["Gender confidence"].trigger()
    actions["Added"].trigger()
    menu.close()
    assert tab.table.isColumnHidden(5) and tab.table.isColumnHidden(7) and not tab.table.isColumnHidden(3)
    settings = QSettings(str(app_context.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
    assert settings.value("profiles/hidden_columns") == ["Gender confidence", "Added"]
    again = new_tab(qtbot, qloop, app_context)
    assert again.column_chooser.hidden_titles() == ["Gender confidence", "Added"]
    again.column_chooser.build_menu(again).actions()[5].trigger()  # shown again
    assert again.column_chooser.hidden_titles() == ["Added"]


def test_timings_are_in_tooltips_and_the_chart_note_is_one_line(tab, qloop):
    search(qloop, tab, "women")
    assert "ms" not in tab.page_label.text() and "Search took" in tab.page_label.toolTip()
    assert tab.page_label.text().startswith("Showing 100 of ")
    assert not tab.charts.note.wordWrap() and "ms" not in tab.charts.note.text()
    assert "ms" in tab.charts.note.toolTip()


def test_chart_axes_have_thousands_separators_and_headroom(qtbot):
    charts = FacetCharts()
    qtbot.addWidget(charts)
    charts.show_facets(Facets(genders=(("female", 61_234), ("male", 58_000)),
                              age_histogram=((20, 12_345), (30, 23_456)),
                              top_countries=(("NG", "Nigeria", 45_678), ("KE", "Kenya", 9_999)),
                              counted=119_234, kind="exact", elapsed_ms=2.5))
    for chart, tallest in ((charts.age_chart, 23_456), (charts.country_chart, 45_678)):
        axis = next(a for a in chart.axes() if isinstance(a, QCategoryAxis))
        labels = axis.categoriesLabels()
        assert all("," in label for label in labels[1:]), labels
        assert axis.max() >= tallest * 1.1
    assert charts.note.text() == "Charts: all 119,234 matches"
    assert [s.label() for s in charts.pie.slices()] == ["female 61,234 (51%)", "male 58,000 (49%)"]


def test_charts_take_each_result_in_place(qtbot):
    """A new result changes the series' values and the axes' labels: the series are the same objects (a chart
    built again for each result cost most of the GUI thread's time from an answer to its charts painted), and
    a result of another shape (one gender, fewer decades and countries) still shows exactly its own values."""
    charts = FacetCharts()
    qtbot.addWidget(charts)
    charts.show_facets(Facets(genders=(("female", 61_234), ("male", 58_000)),
                              age_histogram=((20, 12_345), (30, 23_456), (100, 7)),
                              top_countries=(("NG", "Nigeria", 45_678), ("KE", "Kenya", 9_999)),
                              counted=119_234, kind="exact", elapsed_ms=2.5))
    pie, ages, countries = charts.pie, charts.age_series, charts.country_series
    charts.show_facets(Facets(genders=(("male", 812),), age_histogram=((0, 300), (10, 512)),
                              top_countries=(("GH", "Ghana", 700), ("KE", "Kenya", 80), ("UG", "Uganda", 32)),
                              counted=812, kind="sample", elapsed_ms=1.0))
    assert (charts.pie, charts.age_series, charts.country_series) == (pie, ages, countries)
    assert [(s.label(), s.value()) for s in charts.pie.slices()] == [("male 812 (100%)", 812)]
    assert charts.gender_chart.series() == [pie]
    for chart, series, values, labels in ((charts.age_chart, ages, [300, 512], ["0", "10"]),
                                          (charts.country_chart, countries, [32, 80, 700], ["UG", "KE", "GH"])):
        assert chart.series() == [series] and len(series.barSets()) == 1
        bars = series.barSets()[0]
        assert [bars.at(i) for i in range(bars.count())] == values
        category_axis, value_axis = chart.axes()  # one of each, no axis left from the first result
        assert category_axis.categories() == labels
        assert isinstance(value_axis, QCategoryAxis) and value_axis.max() >= max(values) * 1.1
        assert all(int(label.replace(",", "")) <= value_axis.max() for label in value_axis.categoriesLabels())
    assert charts.decades == [0, 10] and charts.country_codes == ["UG", "KE", "GH"]
    assert charts.note.text() == "Charts: a sample of 812 matches"


def test_the_country_list_keeps_one_line_rows_without_a_sideways_scroll(qtbot):
    """New counts relabel every country; the rows stay one line each (laid out from one row, so the relayout after
    each result is cheap) and a name wider than the panel ends in "…" rather than widening the list."""
    from insighta_desktop.ui.profiles.filter_panel import FilterPanel

    panel = FilterPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 700)
    panel.show()
    panel.set_country_counts({"SH": 1_234_567, "NG": 12})
    qtbot.waitUntil(lambda: panel.country_list.horizontalScrollBar().maximum() == 0)
    rows = {panel.country_list.visualItemRect(panel.country_list.item(i)).height()
            for i in range(panel.country_list.count())}
    assert len(rows) == 1
    helena = next(panel.country_list.item(i) for i in range(panel.country_list.count())
                  if panel.country_list.item(i).data(Qt.ItemDataRole.UserRole) == "SH")
    assert helena.text().endswith("1,234,567")  # the text is whole; only its drawing is elided
