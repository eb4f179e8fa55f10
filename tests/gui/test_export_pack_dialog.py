"""File → Export review pack…: the checked interviews and the search go into the pack; empty choices refused."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from insighta_desktop.interviews import repository
from insighta_desktop.ui.main_window import MainWindow
from tests.integration.packs.packdata import fill_source

SCREENSHOTS = Path("/tmp/insighta-screens")


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    """The dialog does not depend on the back end (the pack tests export from both): SQLite only."""
    from insighta_desktop.context import open_context

    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


def test_export_dialog_writes_the_checked_interviews_and_the_search(app_context, tmp_path, qtbot, qloop):
    from insighta_desktop.packs import open_pack

    ids = fill_source(app_context.engine)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert texts[:2] == ["Open &review pack…", "&Export review pack…"]
    dialog = window.review_packs.open_export_dialog()
    qloop.until(dialog.loaded.done, message="the interview list")
    assert dialog.interviews.count() == len(ids)
    for row in (0, 2):
        dialog.interviews.item(row).setCheckState(Qt.CheckState.Checked)
    dialog.search.setText("women")
    assert dialog.include_search.isChecked()
    dialog.out.setText(str(tmp_path / "from-gui"))
    task = dialog.export()
    qloop.until(task.done, message="the export")
    assert "Wrote" in dialog.status.text(), dialog.status.text()
    SCREENSHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SCREENSHOTS / "export-pack-dialog.png"))
    pack = open_pack(tmp_path / "from-gui.insighta-pack")
    try:
        listed = [i.id for i in repository.list_interviews(app_context.engine)]
        assert pack.interview_ids == [listed[0], listed[2]]
        assert pack.manifest.search.query == "women" and pack.manifest.search.included > 0
    finally:
        pack.close()
    dialog.search.setText("")
    for row in range(dialog.interviews.count()):
        dialog.interviews.item(row).setCheckState(Qt.CheckState.Unchecked)
    task = dialog.export()
    qloop.until(task.done, message="the refusal")
    assert "Not exported: Choose at least one interview" in dialog.status.text()
    dialog.close()
