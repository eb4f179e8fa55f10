"""The window opens on real data, the settings dialog keeps secrets out of the config file."""
from __future__ import annotations

import json
import time

from PySide6.QtWidgets import QTabWidget

from insighta_desktop.config import CredentialStore
from insighta_desktop.context import open_context
from insighta_desktop.db.migrations import table_counts
from insighta_desktop.demo.loader import DEMO_PROFILES, load_demo_data
from insighta_desktop.ui.main_window import MainWindow


def test_first_run_on_the_embedded_database_loads_demo_data(qtbot, qloop, sqlite_url, app_paths, credentials):
    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qloop.run(window.startup_task)
    assert "loaded demo data" in window.statusBar().currentMessage()
    assert table_counts(ctx.engine)["profiles"] == DEMO_PROFILES
    ctx.close()


def test_an_empty_postgresql_database_is_not_filled_with_demo_data(qtbot, qloop, pg_url, app_paths, credentials):
    ctx = open_context(pg_url, paths=app_paths, credentials=credentials)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qloop.run(window.startup_task)
    assert table_counts(ctx.engine)["profiles"] == 0
    qloop.until(lambda: "No profiles yet" in window.profiles_tab.page_label.text())
    ctx.close()


def test_window_opens_with_three_tabs_and_real_data(qtbot, qloop, app_context, tmp_path):
    load_demo_data(app_context.engine)
    window = MainWindow(app_context)
    qtbot.addWidget(window)
    window.show()
    qloop.run(window.startup_task)
    tabs: QTabWidget = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Profiles", "Import", "Interviews"]
    qloop.until(lambda: window.profiles_tab.model.rowCount() > 0, message="profiles rows")
    assert window.profiles_tab.model.rowCount() == 100
    assert "of 5,000" in window.profiles_tab.page_label.text()
    tabs.setCurrentIndex(2)  # built on its first visit
    qloop.until(lambda: window.interviews_tab.model.rowCount() == 8, message="interviews")
    completed = next(i for i, row in enumerate(window.interviews_tab.model.rows) if row.status == "completed")
    window.interviews_tab.table.selectRow(completed)
    qloop.until(lambda: "Interviewer" in window.interviews_tab.transcript.toPlainText(), message="transcript")
    qloop.until(lambda: "●" in window.db_label.text(), message="database status")
    assert "unreachable" not in window.db_label.text()
    window.grab().save(str(tmp_path / "window.png"))


def test_next_page_shows_the_following_profiles(qtbot, qloop, app_context):
    load_demo_data(app_context.engine)
    window = MainWindow(app_context)
    qtbot.addWidget(window)
    qloop.run(window.startup_task)
    qloop.until(lambda: window.profiles_tab.model.rowCount() == 100)
    first_page = {p.id for p in window.profiles_tab.model.rows}
    window.profiles_tab.model.fetchMore()  # the table fetches lazily as it scrolls (keyset pages)
    qloop.until(lambda: window.profiles_tab.model.rowCount() == 200, message="second page")
    assert first_page.isdisjoint(p.id for p in window.profiles_tab.model.rows[100:])


def test_settings_dialog_saves_secrets_to_the_keychain_only(qtbot, qloop, app_context, memory_keyring):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.gemini_key.setText("gem-secret-123")
    dialog.resend_key.setText("re_secret_456")
    dialog.gemini_model.setText("gemini-2.5-pro")
    dialog.save()
    config_text = app_context.paths.settings_file.read_text()
    assert "gem-secret-123" not in config_text and "re_secret_456" not in config_text
    assert json.loads(config_text)["gemini_model"] == "gemini-2.5-pro"
    assert memory_keyring.secrets[("insighta-desktop", CredentialStore.GEMINI_API_KEY)] == "gem-secret-123"
    assert memory_keyring.secrets[("insighta-desktop", CredentialStore.RESEND_API_KEY)] == "re_secret_456"


def test_database_password_goes_to_the_keychain_not_the_config(qtbot, qloop, app_context, memory_keyring):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.postgres_radio.setChecked(True)
    dialog.url_edit.setText("postgresql://alice:hunter2@127.0.0.1:1/nowhere")
    dialog.save()
    assert "hunter2" not in app_context.paths.settings_file.read_text()
    assert memory_keyring.secrets[("insighta-desktop", CredentialStore.DATABASE_PASSWORD)] == "hunter2"
    # The new database is unreachable: the window keeps the old one and says why.
    qloop.until(lambda: window.statusBar().currentMessage() == "" or "Now using" in window.statusBar().currentMessage(),
                message="switch attempt")
    assert window.ctx is app_context


def test_test_connection_reports_success_and_the_exact_failure(qtbot, qloop, app_context, pg_server_url):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.postgres_radio.setChecked(True)
    dialog.url_edit.setText(pg_server_url)
    qloop.run(dialog.test_connection())
    assert dialog.test_result.text().startswith("Connected: PostgreSQL")
    dialog.url_edit.setText("postgresql://postgres@127.0.0.1:1/test")
    qloop.run(dialog.test_connection())
    assert dialog.test_result.text().startswith("Failed:")
    assert "refused" in dialog.test_result.text().lower()


def test_session_only_secrets_without_a_keychain(qtbot, app_context):
    import keyring.backends.fail

    store = CredentialStore(keyring.backends.fail.Keyring())
    assert not store.persistent
    assert "session only" in store.status
    store.set(CredentialStore.GEMINI_API_KEY, "abc")
    assert store.get(CredentialStore.GEMINI_API_KEY) == "abc"


def test_unhandled_exception_shows_a_copyable_dialog(qtbot, monkeypatch):
    import sys

    from PySide6.QtWidgets import QApplication

    from insighta_desktop.ui.shared.error_dialog import ErrorDialog, install_exception_hook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_exception_hook()
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]
    assert dialogs, "no error dialog shown"
    dialog = dialogs[-1]
    qtbot.addWidget(dialog)
    assert "disk on fire" in dialog.details.toPlainText()
    assert "Traceback" in dialog.details.toPlainText()


def test_geometry_and_last_tab_are_remembered(qtbot, qloop, app_context):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.resize(700, 500)  # inside the offscreen screen (800x600)
    window.tabs.setCurrentIndex(2)
    window.close()
    again = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(again)
    assert again.tabs.currentIndex() == 2
    assert (again.width(), again.height()) == (700, 500)


def test_database_switch_waits_while_an_import_runs(qtbot, qloop, app_context, tmp_path):
    import csv

    path = tmp_path / "many.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "gender", "age", "country_id"])
        writer.writerows([f"Person {i}", "female", 30, "NG"] for i in range(5_000))
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.tabs.setCurrentIndex(1)
    tab = window.import_tab
    tab.batch_size = 100
    tab.choose_file(path)
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    tab.start_import()
    assert tab.busy
    qloop.run(window.switch_database())
    assert window.ctx is app_context and window.import_tab is tab
    assert any("An import is running" in m for m in messages), messages
    started = time.monotonic()
    window.close()  # stops the import after its batch and waits for the thread
    assert not tab.busy
    assert time.monotonic() - started < 5, "closing the window froze while the import stopped"


def test_title_names_the_database_and_the_status_bar_keeps_the_masked_url(qtbot, qloop, app_context, tmp_path):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    name = app_context.database_name
    assert name == ("insighta-test.db" if app_context.is_embedded else app_context.engine.url.database)
    assert window.windowTitle() == f"Insighta Desktop — {name}"
    assert "://" not in window.windowTitle()
    qloop.until(lambda: "●" in window.db_label.text(), message="database status")
    server = app_context.server  # what answered: "SQLite 3.40.1 · name", "PostgreSQL 15 · 127.0.0.1 · name"
    assert window.db_label.text() == f"● {server.label}"
    assert server.backend.startswith(f"{app_context.backend_name} ") and server.label.endswith(f" · {name}")
    assert window.db_label.toolTip().splitlines()[0] == app_context.database_label
    window.grab().save(str(tmp_path / "title.png"))


def test_tabs_use_the_context_services_and_new_keys_replace_its_clients(qtbot, qloop, app_context):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    assert window.profiles_tab.search_service is app_context.profile_search
    window.tabs.setCurrentIndex(2)  # built on its first visit
    services = window.interviews_tab.services
    assert services is app_context.interviews and window.interviews_tab.services is services
    dialog = window.open_settings()
    dialog.gemini_key.setText("gem-new-key")
    dialog.save()
    assert window.interviews_tab.services is app_context.interviews is not services
    assert app_context.interviews.gemini.config.api_key == "gem-new-key"
