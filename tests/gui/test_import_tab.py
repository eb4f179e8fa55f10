"""The Import tab: synthetic drops, preview, an import in its child process with progress, cancel, summary,
rejected rows (filter, export), history with Resume."""
from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

SHOTS = Path(os.environ.get("INSIGHTA_SCREENSHOTS", "")) if os.environ.get("INSIGHTA_SCREENSHOTS") else None


def shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def drop(widget, paths: list[Path]) -> None:
    """What a real drag does: enter (the widget accepts it), then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with warnings.catch_warnings():  # PySide6 marks the only QDragEnterEvent constructor as deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(20, 20), *args)
    assert QApplication.sendEvent(widget, enter) and enter.isAccepted()
    QApplication.sendEvent(widget, QDropEvent(QPointF(20, 20), *args))


def write_file(path: Path, rows: int, bad_every: int = 7) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "gender", "age", "country_id", "gender_probability", "country_probability"])
        for i in range(rows):
            if i % bad_every == bad_every - 1:
                writer.writerow([f"Bad Person {i}", "male", "old", "NG", "", ""])
            else:
                writer.writerow([f"Person {i}", "female" if i % 2 else "male", 20 + i % 50, "NG", "0.9", ""])
    return path


@pytest.fixture
def tab(make_import_tab):
    return make_import_tab(1100, 760)


def test_non_csv_folder_and_several_files_get_a_clear_message(tab, tmp_path):
    note = tmp_path / "notes.txt"
    note.write_text("hello")
    drop(tab, [note])
    assert "not a .csv file" in tab.message.text()
    drop(tab, [tmp_path])
    assert "is a folder" in tab.message.text()
    drop(tab, [note, note])
    assert "one .csv file at a time" in tab.message.text()
    assert tab.chosen_file is None
    shot(tab, "import-refused-drop")


def test_png_renamed_csv_is_refused_at_preview(tab, qloop, tmp_path):
    fake = tmp_path / "photo.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    drop(tab, [fake])
    qloop.until(lambda: "cannot be imported" in tab.message.text(), message="refusal message")
    assert "PNG image" in tab.message.text()
    assert tab.stack.currentWidget() is tab.empty_page


def test_drop_previews_then_imports_with_progress_summary_and_rejects(tab, qloop, tmp_path):
    path = write_file(tmp_path / "people.csv", 700)
    drop(tab, [path])
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    assert tab.preview_panel.rows_model.rowCount() == 15
    assert "utf-8" in tab.preview_panel.encoding_label.text()
    assert tab.preview_panel.target_label.text() == tab._ctx.database_label
    shot(tab, "import-preview")

    tab.batch_size = 100
    progress = []
    tab.progress_panel.bar.valueChanged.connect(progress.append)
    tab.preview_panel.start_button.click()
    assert tab.busy
    qloop.until(lambda: tab.last_summary is not None, timeout=30, message="import finished")
    summary = tab.last_summary
    bad = 700 // 7
    assert (summary.status, summary.total_rows, summary.inserted, summary.skipped) == ("success", 700, 600, bad)
    assert summary.reasons["invalid_age"] == bad
    assert tab.progress_panel.updates >= 1 and progress and progress[-1] == 1000
    qloop.until(lambda: tab.rejects_panel.model.rowCount() == bad, message="rejects table")
    assert tab.stack.currentWidget() is tab.summary_panel
    assert "600 inserted" in tab.summary_panel.counts.text()
    qloop.until(lambda: tab.history_model.rowCount() == 1, message="history")
    assert tab.history_model.row_at(0).shown == "completed"
    shot(tab, "import-summary")

    tab.rejects_panel.filter_reason("duplicate_name")
    assert tab.rejects_panel.visible_count == 0
    tab.rejects_panel.filter_reason("invalid_age")
    assert tab.rejects_panel.visible_count == bad
    exported = tmp_path / "export.csv"
    assert tab.rejects_panel.export(exported) == bad
    with exported.open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == bad + 1


def test_cancel_keeps_committed_rows_and_resume_finishes(tab, qloop, tmp_path):
    path = write_file(tmp_path / "big.csv", 20_000, bad_every=1000)
    tab.batch_size = 200
    drop(tab, [path])
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    cancelled = []

    def cancel_on_first_progress(p):
        if not cancelled and p.total_rows > 0:  # the first snapshot, before any batch, says which run it is
            cancelled.append(p.total_rows)
            shot(tab, "import-running")
            tab.progress_panel.cancel_button.click()

    tab.start_import()
    tab.job.progress.connect(cancel_on_first_progress)
    qloop.until(lambda: tab.last_summary is not None, timeout=30, message="cancelled import")
    first = tab.last_summary
    assert first.status == "cancelled"
    assert 0 < first.total_rows < 20_000
    assert first.total_rows == first.inserted + first.skipped
    qloop.until(lambda: tab.history_model.rowCount() == 1 and not tab.busy, message="history")
    shot(tab, "import-cancelled")

    tab.history.selectRow(0)
    qloop.until(lambda: tab.resume_button.isEnabled(), message="resume enabled")
    tab.last_summary = None
    tab.resume_button.click()
    qloop.until(lambda: tab.last_summary is not None, timeout=30, message="resumed import")
    done = tab.last_summary
    assert (done.status, done.run_id, done.total_rows) == ("success", first.run_id, 20_000)
    assert (done.inserted, done.skipped) == (19_980, 20)
