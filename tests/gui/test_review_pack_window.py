"""Review packs in the GUI: dropped on the main window or opened by path; passphrase and signer shown; read-only,
offline, refusals explained."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from insighta_desktop.interviews import repository
from insighta_desktop.packs import TrustStore
from insighta_desktop.packs.search_snapshot import SearchSnapshot
from insighta_desktop.profiles.browse import browse_profiles
from insighta_desktop.ui.main_window import MainWindow
from insighta_desktop.ui.packs.review_window import ReviewPackWindow
from tests.integration.packs.installations import Installation
from tests.integration.packs.netguard import is_loopback, watch_network
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source

SCREENSHOTS = Path("/tmp/insighta-screens")


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    """The GUI side of packs does not depend on the source back end (the pack tests cover both): SQLite only."""
    from insighta_desktop.context import open_context

    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


@pytest.fixture
def exporter(tmp_path):
    """Another installation, with its own home and keychain: it signs the packs this one reviews."""
    return Installation(tmp_path / "exporter")


@pytest.fixture
def pack_file(app_context, exporter, tmp_path):
    ids = fill_source(app_context.engine)
    page = browse_profiles(app_context.engine, limit=12)
    snapshot = SearchSnapshot("adults in Nigeria", {"country_id": "NG"}, page.total, page.rows)
    path = tmp_path / "week-47.insighta-pack"
    export_test_pack(app_context.engine, ids, path, search=snapshot, signer=exporter.identity("Ada Obi"),
                     expires=date.today() + timedelta(days=30))
    return path


def unlock_dialog(window, qloop):
    qloop.until(lambda: window.review_packs.unlock_dialog is not None
                and window.review_packs.unlock_dialog.isVisible(), message="the passphrase dialog")
    return window.review_packs.unlock_dialog


def submit(dialog, passphrase: str) -> None:
    dialog.passphrase.setText(passphrase)
    dialog.open_button.click()


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


def test_a_pack_dropped_on_the_main_window_opens_read_only_and_offline(app_context, pack_file, exporter, qtbot,
                                                                        qloop):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    assert "Open &review pack…" in [a.text() for a in window.menuBar().actions()[0].menu().actions()]

    fingerprint = exporter.identity("Ada Obi").fingerprint
    with watch_network() as seen:
        assert drop(window, [pack_file]) == (True, True)
        dialog = unlock_dialog(window, qloop)
        assert "week-47.insighta-pack" in dialog.title.text()
        assert "Ada Obi" in dialog.signer.text() and fingerprint in dialog.signer.text()
        assert "not trusted: unknown signer" in dialog.signer.text()
        assert dialog.warning.isVisible() and dialog.warning.text().startswith("Unknown signer")
        assert dialog.trust_box.isVisible() and dialog.trust_box.isChecked()  # trust on first use, unless unticked
        SCREENSHOTS.mkdir(exist_ok=True)
        submit(dialog, "not the passphrase")
        qloop.until(lambda: "Wrong passphrase" in dialog.error.text(), message="the wrong-passphrase message")
        assert dialog.error.text() == "Wrong passphrase for week-47.insighta-pack. Try again."
        assert dialog.isVisible() and dialog.open_button.isEnabled() and window.review_packs.windows == []
        dialog.grab().save(str(SCREENSHOTS / "review-pack-unlock-wrong.png"))
        submit(dialog, PASSPHRASE)
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

    trusted = TrustStore.in_config_dir(app_context.paths.config_dir).signers()
    assert [(t.name, t.fingerprint) for t in trusted] == [("Ada Obi", fingerprint)]
    signer = pack_window.signer_line.text()
    assert "Signed by <b>Ada Obi</b>" in signer and fingerprint in signer and ">trusted<" in signer
    assert "Opens until" in pack_window.banner.text()
    assert "email addresses and phone numbers masked" in pack_window.banner.text()
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

    pack_window.grab().save(str(SCREENSHOTS / "review-pack-chat.png"))
    header = pack_window.signer_line.geometry().bottom() + pack_window.menuBar().height() + 12
    pack_window.grab(QRect(0, 0, pack_window.width(), header)).save(str(SCREENSHOTS / "review-pack-header.png"))
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
    """`insighta-desktop PACK --passphrase-file F` end to end, in a child process: window painted, exit 0."""
    import os
    import subprocess
    import sys

    from insighta_desktop.ui.shared.startup_probe import PROBE_ENV, PROBE_PREFIX

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INSIGHTA_HOME": str(tmp_path / "reviewer"), PROBE_ENV: "1"}
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")

    def run(path, passphrase_file=secret):
        return subprocess.run([sys.executable, "-m", "insighta_desktop", str(path), "--passphrase-file",
                               str(passphrase_file)], capture_output=True, text=True, env=env, timeout=120)

    good = run(pack_file)
    assert good.returncode == 0, good.stderr[-3000:]
    assert PROBE_PREFIX in good.stdout
    assert not (tmp_path / "reviewer" / "data" / "insighta.db").exists()  # no database was opened for a pack
    assert not (tmp_path / "reviewer" / "config" / "trusted_signers.json").exists()  # nothing trusted unasked
    bad = tmp_path / "bad.insighta-pack"
    bad.write_text("not a pack")
    refused = run(bad)
    assert refused.returncode == 3
    assert "bad.insighta-pack is not an Insighta review pack" in refused.stderr
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the right passphrase\n")
    refused = run(pack_file, wrong)
    assert refused.returncode == 3 and "Wrong passphrase for week-47.insighta-pack." in refused.stderr


def test_cancelling_the_passphrase_opens_nothing(app_context, pack_file, qtbot, qloop):
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    task = window.review_packs.open_path(pack_file)
    dialog = unlock_dialog(window, qloop)
    dialog.reject()
    qloop.until(task.done, message="the cancelled open")
    assert task.result() is None and window.review_packs.windows == []
    assert TrustStore.in_config_dir(app_context.paths.config_dir).signers() == []


def test_an_expired_pack_is_refused_before_the_passphrase(app_context, exporter, tmp_path, qtbot, qloop):
    from insighta_desktop.packs import read_sealed
    from insighta_desktop.packs.container import seal

    ids = fill_source(app_context.engine)
    path = tmp_path / "old.insighta-pack"
    identity = exporter.identity("Ada Obi")
    export_test_pack(app_context.engine, ids[:1], path, signer=identity)
    sealed = read_sealed(path)
    h = sealed.header
    path.write_bytes(seal(sealed.decrypt(PASSPHRASE), PASSPHRASE, identity, created_at=h.created_at,
                          expires=date(2026, 1, 31), kdf=h.kdf, contents=h.contents))  # signed with a past date
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    task = window.review_packs.open_path(path)
    qloop.until(task.done, message="the refusal")
    box = window.review_packs.last_refusal
    assert box is not None and box.isVisible() and window.review_packs.unlock_dialog is None
    assert box.text().startswith("This pack expired on 31 Jan 2026: old.insighta-pack can no longer be opened.")
    box.close()


def test_a_changed_key_for_a_known_name_is_a_warning_in_the_dialog_and_the_window(app_context, exporter, tmp_path,
                                                                                 qtbot, qloop):
    ids = fill_source(app_context.engine)
    genuine, forged = tmp_path / "genuine.insighta-pack", tmp_path / "forged.insighta-pack"
    export_test_pack(app_context.engine, ids[:1], genuine, signer=exporter.identity("Ada Obi"))
    export_test_pack(app_context.engine, ids[:1], forged, signer=Installation(tmp_path / "other").identity("Ada Obi"))
    trust = TrustStore.in_config_dir(app_context.paths.config_dir)
    from insighta_desktop.packs import read_sealed

    trust.trust(read_sealed(genuine).signer)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    task = window.review_packs.open_path(forged)
    dialog = unlock_dialog(window, qloop)
    assert "not trusted: key changed" in dialog.signer.text()
    assert dialog.warning.text().startswith("Warning: Ada Obi's key has changed")
    assert dialog.trust_box.isVisible() and not dialog.trust_box.isChecked()  # never trusted by default
    dialog.grab().save(str(SCREENSHOTS / "review-pack-unlock-key-changed.png")) if SCREENSHOTS.exists() else None
    submit(dialog, PASSPHRASE)
    qloop.until(task.done, message="the pack window")
    pack_window = task.result()
    assert "not trusted: key changed" in pack_window.signer_line.text()
    assert "key has changed" in pack_window.signer_line.text()
    assert len(trust.signers()) == 1
    pack_window.grab().save(str(SCREENSHOTS / "review-pack-key-changed.png")) if SCREENSHOTS.exists() else None
    pack_window.close()


def test_the_standalone_pack_session_asks_then_shows_the_window(pack_file, exporter, tmp_path, qtbot, qloop):
    """What `insighta-desktop PACK` runs without --passphrase-file: the dialog, then only the pack's window."""
    import asyncio

    from PySide6.QtWidgets import QApplication

    from insighta_desktop.ui.packs.standalone import pack_session
    from insighta_desktop.ui.packs.unlock_dialog import UnlockPackDialog, inspect_pack

    trust = TrustStore(tmp_path / "standalone" / "trusted_signers.json")
    sealed, verdict, own_key = inspect_pack(pack_file, trust, None)
    closing = asyncio.Event()
    task = qloop.loop.create_task(pack_session(pack_file, sealed, verdict, trust, own_key, closing))

    def top(kind):
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    qloop.until(lambda: top(UnlockPackDialog), message="the passphrase dialog")
    dialog = top(UnlockPackDialog)[0]
    submit(dialog, "wrong passphrase again")
    qloop.until(lambda: "Wrong passphrase" in dialog.error.text(), message="the wrong-passphrase message")
    submit(dialog, PASSPHRASE)
    qloop.until(lambda: top(ReviewPackWindow), message="the pack window")
    pack_window = top(ReviewPackWindow)[0]
    assert "Ada Obi" in pack_window.signer_line.text() and ">trusted<" in pack_window.signer_line.text()
    assert QApplication.instance().quitOnLastWindowClosed()  # restored once the dialog is gone
    pack_window.close()
    pack_window.deleteLater()
    closing.set()
    qloop.until(task.done, message="the session's end")
    assert task.result() == 0
