"""A role without write privileges opens the app read-only (issue 11 §4): the status bar says so, the Import tab
says why and disables itself, Add profile… and Save… are refused with the reason, searching works and the history
(a write) is not attempted."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog

from insighta_desktop.context import open_context
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.ui.imports.read_only import banner
from insighta_desktop.ui.main_window import IMPORT, MainWindow


def test_a_reader_role_gets_a_read_only_app_that_says_why(qtbot, qloop, reader_role, pg_url, app_paths, credentials,
                                                          tmp_path):
    owner = create_engine_for(pg_url)
    load_demo_data(owner, profiles=200, interviews=0)
    owner.dispose()
    ctx = open_context(reader_role.url, paths=app_paths, credentials=credentials)
    window = MainWindow(ctx, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(IMPORT)  # built before the server is read: told afterwards
    import_tab = window.import_tab
    assert import_tab is not None and banner(import_tab) is None
    window.show()
    qloop.run(window.startup_task)
    qloop.until(lambda: ctx.server is not None, message="the server read")
    reason = ctx.read_only_reason
    assert reason is not None and reader_role.name in reason
    qloop.until(lambda: window.db_label.text().endswith("· read-only"), message="read-only in the status bar")
    assert reason in window.db_label.toolTip()

    note = banner(import_tab)
    assert note is not None and note.isVisible()
    assert "read-only for you" in note.text() and reader_role.name in note.text()
    assert not import_tab.drop_zone.isVisible() and not import_tab.acceptDrops()
    window.grab().save(str(tmp_path / "import-read-only.png"))

    window.tabs.setCurrentIndex(0)
    profiles = window.profiles_tab
    qloop.until(lambda: profiles.model.rowCount() == 100, message="searching works")
    assert not profiles.add_button.isEnabled() and reason in profiles.add_button.toolTip()
    assert not profiles.saved_bar.save_button.isEnabled()
    assert profiles.open_add_profile() is None
    assert "read-only for you" in profiles.error_label.text() and profiles.error_label.isVisible()
    profiles.query.setText("women")
    task = profiles.search_text()
    qloop.run(task)
    assert profiles.saved_bar.record_task is None  # the history is a write: not attempted
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    window.close()
    ctx.close()
