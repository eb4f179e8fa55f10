"""Profiles tab, issue 13 §4: Save…, the Saved and History menus (kept in the database), Copy link, a link opening
the app at its search; and Ctrl+Tab from any widget of the main window."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.profiles.saved_searches import SavedSearches
from insighta_desktop.ui.main_window import MainWindow
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.shared.tasks import TaskRunner


@pytest.fixture
def loaded_context(app_context):
    """SQLite and PostgreSQL: the menus read the database being searched."""
    load_demo_data(app_context.engine, profiles=600, interviews=0)
    return app_context


def new_tab(qtbot, qloop, ctx) -> ProfilesTab:
    widget = ProfilesTab(ctx, TaskRunner())
    qtbot.addWidget(widget)
    widget.show()
    qloop.run(widget.refresh())
    qloop.until(lambda: widget.saved_bar.refresh_task.done(), message="saved searches read")
    return widget


def search(qloop, tab, text: str) -> None:
    tab.query.setText(text)
    qloop.run(tab.search_text())
    qloop.until(lambda: tab.saved_bar.record_task.done(), message="history")


def menu_texts(menu) -> list[str]:
    menu.aboutToShow.emit()  # filled when opened
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_save_a_search_then_open_it_from_the_saved_menu(qtbot, qloop, loaded_context, tmp_path):
    tab = new_tab(qtbot, qloop, loaded_context)
    assert menu_texts(tab.saved_bar.saved_menu) == ["No saved searches yet: Save… keeps the current one"]
    search(qloop, tab, "nigerian women over 30")
    wanted = tab.filters
    dialog = tab.saved_bar.ask_name()
    dialog.setTextValue("Lagos women")
    dialog.accept()  # not modal: the name arrives by signal
    qloop.until(lambda: "Lagos women" in menu_texts(tab.saved_bar.saved_menu), message="saved menu entry")
    assert tab.page_label.text() == "Saved “Lagos women”"
    saved = SavedSearches(loaded_context.engine).get("lagos women")
    assert saved.query == "nigerian women over 30" and saved.filters == wanted

    search(qloop, tab, "kenyan men")
    menu_texts(tab.saved_bar.saved_menu)
    action = next(a for a in tab.saved_bar.saved_menu.actions() if a.text() == "Lagos women")
    action.trigger()
    qloop.run(tab.search_task)
    assert tab.filters == wanted and tab.query.text() == "nigerian women over 30"
    assert tab.panel.current_filters() == wanted
    assert tab.chip_bar.labels() == ["female", "ages 30+", "Nigeria (NG)"]

    tab.saved_bar.saved_menu.popup(tab.saved_bar.saved_button.mapToGlobal(tab.saved_bar.saved_button.rect().center()))
    tab.grab().save(str(tmp_path / "saved_menu_tab.png"))
    tab.saved_bar.saved_menu.grab().save(str(tmp_path / "saved_menu.png"))
    tab.saved_bar.saved_menu.close()

    delete_menu = next(a.menu() for a in tab.saved_bar.saved_menu.actions() if a.text() == "Delete")
    delete_menu.actions()[0].trigger()
    qloop.until(lambda: "Lagos women" not in menu_texts(tab.saved_bar.saved_menu), message="deleted")
    assert SavedSearches(loaded_context.engine).list() == []


def test_searches_go_to_the_history_shared_through_the_database(qtbot, qloop, loaded_context):
    tab = new_tab(qtbot, qloop, loaded_context)
    assert menu_texts(tab.saved_bar.history_menu) == ["No searches yet"]  # a refresh is not a search
    search(qloop, tab, "kenyan men")
    qloop.until(lambda: len(tab.saved_bar.history) == 1, message="history")
    search(qloop, tab, "ghanaian seniors")
    qloop.until(lambda: len(tab.saved_bar.history) == 2, message="history")
    tab.charts.pie.clicked.emit(tab.charts.pie.slices()[0])  # a facet click is a search too
    qloop.run(tab.search_task)
    qloop.until(lambda: len(tab.saved_bar.history) == 3, message="history")
    entries = menu_texts(tab.saved_bar.history_menu)
    assert entries[1].endswith("ghanaian seniors") and entries[2].endswith("kenyan men")
    menu_texts(tab.saved_bar.history_menu)
    tab.saved_bar.history_menu.actions()[2].trigger()
    qloop.run(tab.search_task)
    assert tab.filters == build_filters(gender="male", country_id="KE")
    qloop.until(tab.saved_bar.record_task.done, message="history written")
    other = new_tab(qtbot, qloop, loaded_context)  # another window on the same database sees the history
    assert [h.query for h in other.saved_bar.history] == [h.query for h in tab.saved_bar.history]
    assert len(other.saved_bar.history) == 4


def test_copy_link_and_open_it_elsewhere(qtbot, qloop, loaded_context):
    tab = new_tab(qtbot, qloop, loaded_context)
    search(qloop, tab, "women from ghana or togo aged 20 to 35, oldest first")
    tab.saved_bar.copy_button.click()
    link = QGuiApplication.clipboard().text()
    assert link.startswith("insighta://search?q=women+from+ghana") and "country=GH%2CTG" in link
    assert tab.page_label.text() == f"Copied {link}"
    other = new_tab(qtbot, qloop, loaded_context)
    qloop.run(other.open_link(link))
    assert other.filters == tab.filters and other.query.text() == tab.query.text()
    assert [p.id for p in other.model.rows] == [p.id for p in tab.model.rows]
    assert other.open_link("insighta://search?gender=robot") is None
    assert other.error_label.text() == (
        "Cannot open the link: Invalid query parameters: gender must be male or female, got 'robot'")


def test_the_app_opens_at_the_search_of_a_link(qtbot, qloop, loaded_context):
    window = MainWindow(loaded_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(2)
    window.open_link("insighta://search?q=senior%20men&gender=male&age_group=senior")
    window.show()
    qloop.run(window.startup_task)
    assert window.tabs.currentIndex() == 0
    tab = window.profiles_tab
    qloop.run(tab.search_task)
    assert tab.filters == build_filters(gender="male", age_group="senior")
    assert tab.query.text() == "senior men" and tab.chip_bar.labels() == ["male", "senior (60+)"]
    window.open_link("insighta://search?q=nigerians")  # text only: parsed as if typed, once ready
    qloop.run(tab.search_task)
    assert tab.filters == build_filters(country_id="NG")


def test_ctrl_tab_switches_tabs_from_any_widget(qtbot, qloop, loaded_context):
    window = MainWindow(loaded_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qloop.run(window.startup_task)
    table = window.profiles_tab.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    QTest.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    window.tabs.setCurrentIndex(0)
    window.profiles_tab.query.setFocus()
    qtbot.waitUntil(window.profiles_tab.query.hasFocus)
    QTest.keyClick(window.profiles_tab.query, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    QTest.keyClick(window.tabs.currentWidget(), Qt.Key.Key_Backtab,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.tabs.currentIndex() == 0
