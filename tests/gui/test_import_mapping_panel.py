"""The preview's import setup: mapping dropdowns (a change re-reads the preview; a chosen mapping is offered again for
the next file with the same headers), the duplicates choice, Check file, and the same file announced with Resume."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from insighta_desktop.ingest.mapped_preview import SAVED
from insighta_desktop.ui.imports.mapping_panel import DO_NOT_IMPORT, NOT_IN_FILE

SHOTS = Path(os.environ["INSIGHTA_SCREENSHOTS"]) if os.environ.get("INSIGHTA_SCREENSHOTS") else None


def shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def sheet(path: Path, rows: list[str], header: str = "Full Name;Sex;Years;Nation;Nickname") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


ROWS = ["Ann Lee;female;30;NG;Annie", "Bob Ray;male;41;GH;Bobby", "Cy Obi;female;25;KE;Cece"]


@pytest.fixture
def tab(make_import_tab):
    return make_import_tab(1100, 820)


def headers_shown(tab):
    model = tab.preview_panel.rows_model
    return [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]


def open_file(tab, qloop, path):
    tab.choose_file(path)
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel and tab.preview_panel.setup.headers
                and tab.chosen_file == path, message="preview")


def test_spreadsheet_columns_mapped_and_a_change_rereads_the_preview(tab, qloop, tmp_path):
    open_file(tab, qloop, sheet(tmp_path / "people.csv", ROWS))
    setup = tab.preview_panel.setup
    assert setup.combos["name"].currentText() == "Full Name"
    assert setup.combos["gender"].currentText() == "Sex"
    assert setup.combos["age"].currentText() == "Years"
    assert setup.combos["country_id"].currentText() == "Nation"
    assert setup.combos["age_group"].currentText() == NOT_IN_FILE
    assert setup.samples["name"].text().startswith("Ann Lee, Bob Ray, Cy Obi")
    assert "Full Name → name" in headers_shown(tab)
    assert tab.preview_panel.start_button.isEnabled()
    shot(tab, "import-mapping-preview")

    setup.choose("name", "Nickname")
    qloop.until(lambda: "Nickname → name" in headers_shown(tab), message="preview re-read with the new mapping")
    assert "Full Name" in headers_shown(tab)  # no longer imported
    assert setup.samples["name"].text().startswith("Annie, Bobby, Cece")
    setup.choose("age", None)
    qloop.until(lambda: not tab.preview_panel.start_button.isEnabled(), message="import disabled without age")
    assert setup.combos["age"].currentText() == DO_NOT_IMPORT
    assert "age" in setup.missing_label.text()
    shot(tab, "import-mapping-missing-age")


def test_chosen_mapping_is_offered_for_the_next_file_with_the_same_headers(tab, qloop, tmp_path):
    first = sheet(tmp_path / "first.csv", ROWS)
    open_file(tab, qloop, first)
    setup = tab.preview_panel.setup
    setup.choose("name", "Nickname")
    qloop.until(lambda: "Nickname → name" in headers_shown(tab), message="mapping changed")
    tab.start_import()
    qloop.until(lambda: tab.last_summary is not None and not tab.busy, timeout=30, message="import finished")
    assert tab.last_summary.inserted == 3 and tab.last_summary.mapping["name"] == "Nickname"

    second = sheet(tmp_path / "second.csv", ["Dee Ade;female;33;NG;Dede"], header="full name;SEX;years;nation;nickname")
    open_file(tab, qloop, second)
    assert setup.combos["name"].currentText() == "nickname"
    assert "saved" in setup.source_label.text()
    assert tab._ctx is not None and setup.chosen()["name"] == "nickname"
    assert SAVED == "saved"


def test_check_file_and_duplicate_choice_and_same_file_again(tab, qloop, tmp_path):
    path = sheet(tmp_path / "people.csv", [*ROWS, "Bad One;robot;3;NG;x"])
    open_file(tab, qloop, path)
    setup = tab.preview_panel.setup
    assert setup.same_file_label.text() == "" and not setup.resume_button.isVisible()
    setup.check_button.click()
    qloop.until(lambda: "Nothing was written" in setup.check_label.text(), timeout=20, message="check result")
    assert "4 rows — 3 would be inserted, 1 skipped" in setup.check_label.text()
    assert tab.history_model.rowCount() == 0
    tab.start_import()
    qloop.until(lambda: tab.last_summary is not None and not tab.busy, timeout=30, message="import finished")

    changed = sheet(tmp_path / "changed.csv", ["Ann Lee;female;31;NG;Annie", "Bob Ray;male;41;GH;Bobby"])
    open_file(tab, qloop, changed)
    setup.duplicates.setCurrentIndex(setup.duplicates.findData("update"))
    assert setup.on_duplicate == "update"
    setup.check_button.click()
    qloop.until(lambda: "Nothing was written" in setup.check_label.text(), timeout=20, message="check result")
    assert "1 updated, 1 unchanged" in setup.check_label.text()
    shot(tab, "import-check-update")

    open_file(tab, qloop, path)  # the file imported above
    qloop.until(lambda: "imported on" in setup.same_file_label.text(), message="same file announced")
    assert "3 inserted" in setup.same_file_label.text() and not setup.resume_button.isVisible()
    shot(tab, "import-same-file")


def test_unfinished_run_of_the_same_file_offers_resume(tab, qloop, tmp_path):
    from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions

    path = sheet(tmp_path / "big.csv", [f"Person {i};female;30;NG;p{i}" for i in range(400)])
    cancel = CancelToken()
    first = Importer(tab._ctx.engine).run(path, ImportOptions(batch_size=50, progress_interval=0),
                                          on_progress=lambda p: cancel.cancel(), cancel=cancel)
    assert first.status == "cancelled" and first.inserted < 400
    open_file(tab, qloop, path)
    setup = tab.preview_panel.setup
    qloop.until(lambda: setup.resume_button.isVisible(), message="Resume offered")
    assert f"run {first.run_id}, cancelled" in setup.same_file_label.text()
    shot(tab, "import-same-file-unfinished")
    setup.resume_button.click()
    qloop.until(lambda: tab.last_summary is not None and not tab.busy, timeout=30, message="resumed import")
    assert tab.last_summary.run_id == first.run_id and tab.last_summary.inserted == 400
