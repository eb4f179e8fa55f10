"""Start-up: the window paints before the database, keychain or any tab loads; tabs are built on first visit."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.engine import make_url

from insighta_desktop.db.migrations import table_counts
from insighta_desktop.demo.loader import DEMO_PROFILES, load_demo_data
from insighta_desktop.ui.main_window import MainWindow

# Runs the real entry point (insighta_desktop.ui.app.run) with the startup probe, and notes which modules are loaded
# when the main window is first painted and when its data is shown.
MODULES_AT_FIRST_PAINT = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication
    from insighta_desktop.app import build_parser, resolve_target
    from insighta_desktop.ui import app as ui_app

    WATCH = ["sqlalchemy", "keyring", "qasync", "PySide6.QtCharts", "cryptography", "google.genai", "httpx",
             "insighta_desktop.context", "insighta_desktop.ui.profiles.tab", "insighta_desktop.ui.imports.tab",
             "insighta_desktop.ui.interviews.tab", "insighta_desktop.packs"]
    seen = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and type(watched).__name__ == "MainWindow" and "paint" not in seen:
                seen["paint"] = [m for m in WATCH if m in sys.modules]
            return False

    app = QApplication(sys.argv[:1])  # ui.app.run reuses it
    watcher = FirstPaint()
    app.installEventFilter(watcher)
    code = ui_app.run(resolve_target(build_parser().parse_args(sys.argv[1:])))
    seen["ready"] = [m for m in WATCH if m in sys.modules]
    print(json.dumps(seen))
    sys.exit(code)
""")


def test_the_window_paints_before_the_database_keychain_and_tabs_load(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INSIGHTA_HOME": str(tmp_path), "INSIGHTA_STARTUP_PROBE": "1"}
    result = subprocess.run([sys.executable, "-c", MODULES_AT_FIRST_PAINT], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["paint"] == ["qasync"], seen["paint"]  # only the event loop: no SQL, keychain, tab, AI or network
    ready = set(seen["ready"])
    # Then the database opened, the keychain was read and the tab on screen was built; the others were not.
    assert {"sqlalchemy", "keyring", "insighta_desktop.context", "insighta_desktop.ui.profiles.tab"} <= ready
    assert not ready & {"insighta_desktop.ui.imports.tab", "insighta_desktop.ui.interviews.tab"}, ready


def test_tabs_are_built_on_their_first_visit(qtbot, qloop, app_context):
    load_demo_data(app_context.engine)
    ready: list[bool] = []
    window = MainWindow(app_context, load_demo_on_first_run=False)
    window.ready.connect(lambda: ready.append(True))
    qtbot.addWidget(window)
    window.show()
    assert window.profiles_tab is not None and window.import_tab is None and window.interviews_tab is None
    qloop.until(lambda: bool(ready), message="the ready signal")
    assert window.profiles_tab.model.rowCount() == 100  # ready: the tab on screen shows its data
    window.tabs.setCurrentIndex(1)
    assert window.import_tab is not None and window.interviews_tab is None
    window.tabs.setCurrentIndex(2)
    interviews = window.interviews_tab
    assert interviews is not None
    qloop.until(lambda: interviews.model.rowCount() == 8, message="interviews loaded on first visit")
    window.tabs.setCurrentIndex(0)
    assert window.interviews_tab is interviews  # built once
    window.grab().save(str(app_context.paths.data_dir / "window.png"))


def test_the_window_opens_first_then_its_database_with_the_demo_data(qtbot, qloop, app_paths, credentials):
    window = MainWindow(paths=app_paths)
    qtbot.addWidget(window)
    window.show()
    assert window.ctx is None and window.profiles_tab is None
    assert window.statusBar().currentMessage() == "Opening the database…"
    settings = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Settings…")
    assert not settings.isEnabled()  # nothing that needs the database before it is open
    opened = window.open_database(None, credentials)
    assert qloop.run(opened) is True
    assert window.ctx is not None and window.ctx.is_embedded and settings.isEnabled()
    assert window.profiles_tab is not None
    qloop.run(window.startup_task)
    assert table_counts(window.ctx.engine)["profiles"] == DEMO_PROFILES  # first run: loaded after the window showed
    assert "loaded demo data" in window.statusBar().currentMessage()
    assert window.profiles_tab.model.rowCount() == 100
    window.close()
    window.ctx.close()


def test_a_database_that_cannot_be_opened_is_explained_and_ends_the_app(qtbot, qloop, pg_server_url, app_paths,
                                                                        credentials):
    window = MainWindow(paths=app_paths)
    qtbot.addWidget(window)
    window.show()
    # The server answers and refuses: a role that does not exist stays wrong, so no retrying.
    url = make_url(pg_server_url).set(username="insighta_nobody", database="nowhere")
    opened = window.open_database(url.render_as_string(hide_password=False), credentials)
    assert qloop.run(opened) is False
    assert window.exit_code == 2 and window.ctx is None
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1 and "could not be opened" in boxes[0].text()
    boxes[0].accept()
    assert not window.isVisible()  # closing the message closes the app
