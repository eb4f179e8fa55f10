"""Fixing rejected rows in place: the cell at fault highlighted with its reason in words, an edit checked at once,
Import fixed rows as a new run linked to the original (whose counts stay), the reason filter with counts."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from insighta_desktop.db.schema import profiles
from insighta_desktop.ingest.runs import get_run
from insighta_desktop.ui.imports.rejects_model import FAULT, FIXED
from tests.gui.test_import_tab import drop, shot, write_file


@pytest.fixture
def tab(make_import_tab):
    return make_import_tab(1200, 800)


def import_file(tab, qloop, path):
    drop(tab, [path])
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    tab.preview_panel.start_button.click()
    qloop.until(lambda: tab.last_summary is not None and not tab.busy, timeout=60, message="import")
    return tab.last_summary


def cell(panel, row: int, field: str):
    model = panel.model
    return panel.proxy.index(row, model.fields.index(field) + 2)


def test_edit_a_bad_age_then_import_fixed_rows(tab, qloop, tmp_path):
    first = import_file(tab, qloop, write_file(tmp_path / "people.csv", 70, bad_every=7))
    assert (first.inserted, first.skipped) == (60, 10)
    panel = tab.rejects_panel
    qloop.until(lambda: panel.model.rowCount() == 10, message="rejects")
    assert panel.reason_items() == ["All reasons (10)", "invalid age (10)"]
    assert panel.model.headerData(1, Qt.Orientation.Horizontal) == "Problem"

    age = cell(panel, 0, "age")
    assert age.data() == "old"
    assert age.data(Qt.ItemDataRole.BackgroundRole) == FAULT
    assert age.data(Qt.ItemDataRole.ToolTipRole) == "age 'old' is not a whole number"
    assert panel.proxy.index(0, 1).data() == "age 'old' is not a whole number"
    assert cell(panel, 0, "name").data(Qt.ItemDataRole.BackgroundRole) is None
    assert not panel.fix_button.isEnabled()

    assert panel.proxy.setData(age, "41")
    assert panel.proxy.index(0, 1).data() == "fixed — ready to import"
    assert age.data(Qt.ItemDataRole.BackgroundRole) == FIXED
    second = cell(panel, 1, "age")
    assert panel.proxy.setData(second, "200")
    assert panel.proxy.index(1, 1).data() == "age 200 is outside 0-150"
    assert panel.fix_button.isEnabled() and panel.fix_button.text() == "Import fixed rows (1)"
    shot(tab, "import-fix-rows")

    tab.last_summary = None
    panel.fix_button.click()
    qloop.until(lambda: tab.last_summary is not None and not tab.busy, timeout=60, message="fixed rows import")
    fixed = tab.last_summary
    assert (fixed.status, fixed.total_rows, fixed.inserted, fixed.skipped) == ("success", 1, 1, 0)
    engine = tab._ctx.engine
    with engine.connect() as conn:
        stored = conn.execute(sa.select(profiles.c.age, profiles.c.import_run_id)
                              .where(profiles.c.name == "Bad Person 6")).one()
    assert tuple(stored) == (41, fixed.run_id)
    child = get_run(engine, fixed.run_id)
    original = get_run(engine, first.run_id)
    assert child.parent_run_id == first.run_id
    assert (original.total_rows, original.inserted, original.skipped) == (70, 60, 10)  # as they were
    assert panel.model.rowCount() == 9 and panel.run_id == first.run_id  # the fixed row left the table
    assert panel.reason_items() == ["All reasons (9)", "invalid age (9)"] and "(9)" in panel.title.text()
    qloop.until(lambda: tab.history_model.rowCount() == 2, message="history with both runs")
    labels = [tab.history_model.index(i, 1).data() for i in range(2)]
    assert labels == [f"fixed rows of run {first.run_id}", "people.csv"]
    shot(tab, "import-fixed-rows-done")


def test_reason_filter_counts_and_words(tab, qloop, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("name,gender,age,country_id\n"
                    "Ann,female,30,NG\nBen,x,30,NG\nCal,male,abc,NG\nDee,female,20,Atlantis\n"
                    "Eve,female,,NG\nFay,female,25\nAnn,female,31,NG\nGus,y,40,GH\n", encoding="utf-8")
    summary = import_file(tab, qloop, path)
    assert (summary.inserted, summary.skipped) == (1, 7)
    panel = tab.rejects_panel
    qloop.until(lambda: panel.model.rowCount() == 7, message="rejects")
    assert panel.reason_items() == ["All reasons (7)", "malformed row (1)", "missing value (1)",
                                    "invalid gender (2)", "invalid age (1)", "unknown country (1)",
                                    "name already imported (1)"]
    panel.reason_box.setCurrentIndex(3)
    assert panel.visible_count == 2
    assert {panel.proxy.index(i, 1).data() for i in range(2)} == {"gender 'x' is not male or female",
                                                                  "gender 'y' is not male or female"}
    panel.filter_reason("duplicate_name")
    assert panel.visible_count == 1 and panel.proxy.index(0, 1).data().startswith("name repeats line")
    assert cell(panel, 0, "name").data(Qt.ItemDataRole.BackgroundRole) == FAULT
    exported = tmp_path / "dupes.csv"
    assert panel.export(exported) == 1
    assert "duplicate_name" in exported.read_text(encoding="utf-8")  # codes stay in the CSV
    assert "invalid gender 2" in tab.summary_panel.reasons.text()
    shot(tab, "import-reason-filter")
