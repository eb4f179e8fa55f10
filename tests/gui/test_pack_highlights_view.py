"""A review pack's interview view lists the exported highlights read-only; a click shows the turn."""
from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt

from insighta_desktop.interviews.highlights import HighlightService
from insighta_desktop.packs import open_pack
from insighta_desktop.packs.offline import PackInterviewServices
from insighta_desktop.ui.packs.interviews_view import PackInterviewsView
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.integration.packs.packdata import PASSPHRASE, export_test_pack, fill_source

SCREENSHOTS = Path("/tmp/insighta-screens")


def test_pack_view_shows_highlights_read_only_and_jumps_to_the_turn(sqlite_engine, tmp_path, qtbot, qloop):
    ids = fill_source(sqlite_engine)[1:]  # the first has no transcript yet
    qloop.run(HighlightService(sqlite_engine).add(ids[0], "T3", "T4", note="Ask for numbers"))
    path = tmp_path / "h.insighta-pack"
    export_test_pack(sqlite_engine, ids[:2], path)
    pack = open_pack(path, PASSPHRASE)
    services = PackInterviewServices(pack)
    tasks = TaskRunner()
    view = PackInterviewsView(services, tasks)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    try:
        qloop.run(view.refresh())
        row = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).id == ids[0])
        view.table.selectRow(row)
        qloop.until(lambda: view.current_id == ids[0] and view.highlights.list.count() == 1,
                    message="the pack's highlight")
        assert view.highlights.remove_button.isHidden()  # read-only
        assert view.detail_tabs.tabText(view.detail_tabs.indexOf(view.highlights)) == "Highlights (1)"
        item = view.highlights.list.item(0)
        assert item.text().startswith("T3–T4") and "Note: Ask for numbers" in item.text()

        view.detail_tabs.setCurrentWidget(view.highlights)
        SCREENSHOTS.mkdir(exist_ok=True)
        view.grab().save(str(SCREENSHOTS / "review-pack-highlights.png"))
        rect = view.highlights.list.visualItemRect(item)
        qtbot.mouseClick(view.highlights.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert view.detail_tabs.currentWidget() is view.transcript

        other = next(r for r in range(view.model.rowCount()) if view.model.row_at(r).id == ids[1])
        view.table.selectRow(other)
        qloop.until(lambda: view.current_id == ids[1] and not view.highlights.empty.isHidden(),
                    message="an interview without highlights")
        assert view.highlights.empty.text() == "No highlights were exported with this interview."
    finally:
        tasks.cancel_all()
        qloop.run(asyncio.sleep(0.05))
        qloop.run(services.aclose())
