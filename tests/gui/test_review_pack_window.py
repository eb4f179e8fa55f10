"""Review packs in the GUI: dropped on the main window or opened by path; read-only, offline, refusals explained."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from insighta_desktop.interviews import repository
from insighta_desktop.packs import export_pack
from insighta_desktop.packs.search_snapshot import SearchSnapshot
from insighta_desktop.profiles.browse import browse_profiles
from insighta_desktop.ui.main_window import MainWindow
from insighta_desktop.ui.packs.review_window import ReviewPackWindow
from tests.integration.packs.netguard import is_loopback, watch_network
from tests.integration.packs.packdata import fill_source

SCREENSHOTS = Path("/tmp/insighta-screens")


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    """The GUI side of packs does not depend on the source back end (the pack tests cover both): SQLite only."""
    from insighta_desktop.context import open_context

    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def pack_file(app_context, tmp_path):
    ids = fill_source(app_context.engine)
    page = browse_profiles(app_context.engine, limit=12)
    snapshot = SearchSnapshot("adults in Nigeria", {"country_id": "NG"}, page.total, page.rows)
    path = tmp_path / "week-47.insighta-pack"
    export_pack(app_context.engine, ids, path, search=snapshot)
    return path


def drop(window, paths: list[Path]) -> tuple[bool, bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    dropped = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, dropped)
    return enter.isAccepted(), dropped.isAccepted()


def test_a_pack_dropped_on_the_main_window_opens_read_only_and_offline(app_context, pack_file, qtbot,
                                                                        qloop):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    assert "Open &review pack…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]

    with watch_network() as seen:
        assert drop(window, [pack_file]) == (True, True)
        qloop.until(lambda: window.review_packs.windows, message="the pack window")
        pack_window: ReviewPackWindow = window.review_packs.windows[0]
        view = pack_window.interviews
        qloop.until(lambda: view.current_id is not None and view.transcript.toPlainText(), message="a transcript")
        backend_id = next(i for i in pack_window.pack.interview_ids
                          if "indexes" in str(repository.load_transcript_sources(pack_window.pack.engine, i)))
        row = [r.id for r in view.model.rows].index(backend_id)
        view.table.selectRow(row)
        qloop.until(lambda: view.current_id == backend_id and "EXPLAIN" in view.transcript.toPlainText(),
                    message="the backend interview's transcript")
        view.detail_tabs.setCurrentIndex(2)
        view.question.setText("How do they choose indexes for a slow query?")
        view.ask()
        qloop.until(lambda: "Local search" in view.chat.toPlainText(), message="the offline answer")

    assert not [a for e, a in seen if e == "socket.connect" and not is_loopback(a)], seen
    assert not [e for e in seen if e[0] == "socket.getaddrinfo"], seen
    chat = view.chat.toPlainText()
    assert "Offline review pack" in chat and "composite index" in chat
    assert "read-only and offline" in pack_window.banner.text()
    assert "read-only" in pack_window.windowTitle()
    assert not view.regenerate_button.isEnabled() and "unavailable in a review pack" in view.regenerate_button.toolTip()
    assert not view.email_button.isEnabled() and "unavailable in a review pack" in view.email_button.toolTip()
    assert pack_window.tabs.count() == 2 and pack_window.tabs.tabText(1) == "Search result (12)"
    qloop.until(lambda: pack_window.profiles_model.rowCount() == 12, message="the packed search result")

    SCREENSHOTS.mkdir(exist_ok=True)
    pack_window.grab().save(str(SCREENSHOTS / "review-pack-chat.png"))
    view.detail_tabs.setCurrentIndex(1)
    assert view.unavailable.isVisible() and "read-only and offline" in view.unavailable.text()
    pack_window.grab().save(str(SCREENSHOTS / "review-pack-assessment.png"))
    pack_window.close()


def test_a_damaged_pack_is_refused_with_its_reason(app_context, pack_file, qtbot, qloop):
    data = pack_file.read_bytes()
    pack_file.write_bytes(data[: len(data) // 2])
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    task = window.review_packs.open_path(pack_file)
    qloop.until(task.done, message="the refusal")
    box = window.review_packs.last_refusal
    assert box is not None and box.isVisible()
    assert "is truncated" in box.text() and "Copy the pack again" in box.text()
    assert window.review_packs.windows == []
    box.grab().save(str(SCREENSHOTS / "review-pack-refused.png")) if SCREENSHOTS.exists() else None
    box.close()


def test_other_files_dropped_on_the_window_are_not_taken_as_packs(app_context, tmp_path, qtbot, qloop):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    csv = tmp_path / "people.csv"
    csv.write_text("name\n")
    assert drop(window, [csv])[0] is False
    assert window.review_packs.windows == []


def test_about_shows_the_icon_and_version(app_context, qtbot, qloop):
    from insighta_desktop import __version__
    from insighta_desktop.ui.shared.branding import app_icon

    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    dialog = window.show_about()
    assert dialog.isVisible() and __version__ in dialog.version_label.text()
    assert not dialog.icon_label.pixmap().isNull() and dialog.icon_label.pixmap().width() == 96
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    SCREENSHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SCREENSHOTS / "about.png"))
    dialog.close()


def test_insighta_desktop_pack_opens_only_the_pack_and_refuses_a_bad_one(pack_file, tmp_path):
    """`insighta-desktop PACK` end to end, in a child process: window painted (then the probe quits), exit 0."""
    import os
    import subprocess
    import sys

    from insighta_desktop.ui.shared.startup_probe import PROBE_ENV, PROBE_PREFIX

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INSIGHTA_HOME": str(tmp_path / "reviewer"), PROBE_ENV: "1"}
    good = subprocess.run([sys.executable, "-m", "insighta_desktop", str(pack_file)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert good.returncode == 0, good.stderr[-3000:]
    assert PROBE_PREFIX in good.stdout
    assert not (tmp_path / "reviewer" / "data" / "insighta.db").exists()  # no database was opened for a pack
    bad = tmp_path / "bad.insighta-pack"
    bad.write_text("not a pack")
    refused = subprocess.run([sys.executable, "-m", "insighta_desktop", str(bad)], capture_output=True, text=True,
                             env=env, timeout=120)
    assert refused.returncode == 3
    assert "bad.insighta-pack is not an Insighta review pack" in refused.stderr

