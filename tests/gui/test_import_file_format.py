"""The Import tab's encoding and delimiter choices: the preview names what was detected, changing either reads the
preview again with it, a choice that cannot read the file keeps the choices on screen, and the import uses them."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

SHOTS = Path(os.environ.get("INSIGHTA_SCREENSHOTS", "")) if os.environ.get("INSIGHTA_SCREENSHOTS") else None
HEADER = ["name", "gender", "age", "country_id"]


def excel_unicode_text(path: Path, delimiter: str, rows: int) -> Path:
    """What Excel's "Unicode text" gives with a European list separator: UTF-16 LE with a BOM, CRLF."""
    lines = [delimiter.join(HEADER)] + [delimiter.join([f"Zoë Person {i}", "female", str(20 + i), "NG"])
                                        for i in range(rows)]
    path.write_bytes(codecs.BOM_UTF16_LE + "".join(line + "\r\n" for line in lines).encode("utf-16-le"))
    return path


@pytest.fixture
def tab(make_import_tab):
    return make_import_tab(1100, 760)


def headers(tab) -> list[str]:
    model = tab.preview_panel.rows_model
    return [model.horizontalHeaderItem(i).text().split(" → ")[0] for i in range(model.columnCount())]


def test_dropdowns_name_the_detected_format_and_reread_the_preview(tab, qloop, tmp_path):
    path = excel_unicode_text(tmp_path / "semicolons.csv", ";", 30)
    tab.choose_file(path)
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    picker = tab.preview_panel.format_picker
    assert picker.encoding_box.itemText(0) == "Detected: UTF-16 LE"
    assert picker.delimiter_box.itemText(0) == "Detected: semicolon"
    assert headers(tab) == ["Line", "Check", *HEADER]
    assert tab.preview_panel.rows_model.item(0, 2).text() == "Zoë Person 0"
    assert "CRLF" in tab.preview_panel.encoding_label.text()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.grab().save(str(SHOTS / "import-preview-utf16-semicolon.png"))

    # Comma: the header is one column, which feeds no profile field; Start waits for another choice.
    picker.delimiter_box.setCurrentIndex(picker.delimiter_box.findData(","))
    qloop.until(lambda: len(headers(tab)) == 3, message="re-read as comma")
    assert headers(tab)[2] == ";".join(HEADER)
    assert not tab.preview_panel.start_button.isEnabled()

    picker.delimiter_box.setCurrentIndex(picker.delimiter_box.findData(";"))
    qloop.until(lambda: headers(tab) == ["Line", "Check", *HEADER], message="preview read again")
    assert tab.preview_panel.rows_model.rowCount() == 15
    assert tab.preview_panel.start_button.isEnabled()
    assert picker.delimiter_box.itemText(0) == "Detected: semicolon"  # what detection said is kept

    # Read as Windows-1252 the UTF-16 text is NUL bytes: refused, and back to detection reads it again.
    picker.encoding_box.setCurrentIndex(picker.encoding_box.findData("cp1252"))
    qloop.until(lambda: "cannot be imported as read" in tab.message.text(), message="refused as cp1252")
    picker.encoding_box.setCurrentIndex(0)
    qloop.until(lambda: tab.preview_panel.start_button.isEnabled(), message="readable again")
    assert tab.preview_panel.rows_model.item(0, 2).text() == "Zoë Person 0"

    tab.batch_size = 10
    tab.preview_panel.start_button.click()
    qloop.until(lambda: tab.last_summary is not None, timeout=60, message="import finished")
    summary = tab.last_summary
    assert (summary.status, summary.inserted, summary.encoding, summary.delimiter) == (
        "success", 30, "utf-16-le", ";")


def test_chosen_delimiter_reaches_the_import(tab, qloop, tmp_path):
    path = tmp_path / "pipes.csv"
    path.write_text("name|gender|age|country_id\nAda, Jr|female|30|NG\nBo|male|41|GH\n", encoding="utf-8")
    tab.choose_file(path)
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    picker = tab.preview_panel.format_picker
    assert picker.delimiter_box.itemText(0) == "Detected: pipe"
    picker.encoding_box.setCurrentIndex(picker.encoding_box.findData("iso8859-1"))
    qloop.until(lambda: "read as iso8859-1" in tab.preview_panel.encoding_label.text(), message="re-read")
    tab.preview_panel.start_button.click()
    qloop.until(lambda: tab.last_summary is not None, timeout=60, message="import finished")
    assert (tab.last_summary.inserted, tab.last_summary.encoding) == (2, "iso8859-1")


def test_an_ambiguous_delimiter_is_said_beside_the_choices(tab, qloop, tmp_path):
    path = tmp_path / "two-ways.csv"
    path.write_bytes(b"col a,col b;col c\n1,2;3\n4,5;6\n")
    tab.choose_file(path)
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    picker = tab.preview_panel.format_picker
    assert picker.delimiter_box.itemText(0) == "Detected: comma"
    assert picker.note_label.isVisibleTo(tab)
    assert "The delimiter is ambiguous: comma and semicolon" in picker.note_label.text()
    if SHOTS is not None:
        tab.grab().save(str(SHOTS / "import-preview-ambiguous.png"))
    picker.delimiter_box.setCurrentIndex(picker.delimiter_box.findData(";"))
    qloop.until(lambda: headers(tab)[2:] == ["col a,col b", "col c"], message="re-read as semicolon")
    assert not picker.note_label.isVisibleTo(tab)
