"""Highlights, the talk-time chart and the compare window on the Interviews tab (pytest-qt, real clicks)."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialogButtonBox

from insighta_desktop.db import highlights_store
from insighta_desktop.interviews.talk_time import talk_time
from insighta_desktop.ui.interviews.talk_time_chart import whole_percentages
from insighta_desktop.ui.interviews.transcript_view import MARKED
from tests.gui.interviews.conftest import open_tab
from tests.gui.interviews.test_interviews_tab import row_of, select

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the stores are tested on both
SCREENSHOTS = Path("/tmp/insighta-screens")


def select_text(view, start_text: str, end_text: str) -> None:
    """Select the transcript from the start of one phrase to the end of another, as a drag would."""
    document = view.browser.document()
    start, end = document.find(start_text), document.find(end_text)
    assert not start.isNull() and not end.isNull()
    cursor = QTextCursor(document)
    cursor.setPosition(start.selectionStart())
    cursor.setPosition(end.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
    view.browser.setTextCursor(cursor)


def tinted_rows(view) -> list[int]:
    """The transcript rows (turns, from 0) shown with the highlight tint."""
    cursor = QTextCursor(view.browser.document())
    cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
    table = cursor.currentTable()
    return [row for row in range(table.rows())
            if table.cellAt(row, 2).format().background().color().name() == MARKED]


def click_item(qtbot, widget, item) -> None:
    rect = widget.visualItemRect(item)
    qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def anchor_position(browser, href: str) -> int:
    """The document position in the middle of the link to `href`."""
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                return fragment.position() + fragment.length() // 2
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def click_link(qtbot, browser, href: str) -> None:
    cursor = QTextCursor(browser.document())
    cursor.setPosition(anchor_position(browser, href))
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    point = browser.cursorRect(cursor).center() + QPoint(1, 0)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


@SQLITE_ONLY
def test_highlight_selected_turns_with_a_note_then_jump_and_remove(tab, qloop, qtbot, app_context):
    select(tab, qloop, "Amara Diallo")
    turns = tab.transcript.transcript.turns
    assert tab.highlight_list.empty.isVisible() and tab.transcript.highlight_button.isEnabled()
    select_text(tab.transcript, "How do you choose indexes", "composite index")
    qtbot.mouseClick(tab.transcript.highlight_button, Qt.MouseButton.LeftButton)
    dialog = tab.highlights.dialog
    assert dialog is not None and dialog.isVisible() and "turns T5–T6" in dialog.what.text()
    qtbot.keyClicks(dialog.note, "Knows EXPLAIN ANALYZE")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qloop.until(lambda: tab.highlight_list.list.count() == 1, message="the new highlight in the list")

    [stored] = highlights_store.list_highlights(app_context.engine, [tab.current_id])
    assert (stored.first_turn_id, stored.last_turn_id, stored.note) == (turns[4].id, turns[5].id,
                                                                         "Knows EXPLAIN ANALYZE")
    item = tab.highlight_list.list.item(0)
    assert item.text().startswith("T5–T6 · 00:") and "Note: Knows EXPLAIN ANALYZE" in item.text()
    assert tab.highlight_list.title.text() == "<b>Highlights</b> (1)"
    assert tab.transcript.marked == {turns[4].id, turns[5].id}
    assert tinted_rows(tab.transcript) == [4, 5]

    tab.transcript.highlighted = None
    click_item(qtbot, tab.highlight_list.list, item)
    assert tab.transcript.highlighted == turns[4].id  # the click jumped to the highlight's first turn

    SCREENSHOTS.mkdir(exist_ok=True)
    tab.grab().save(str(SCREENSHOTS / "interview-highlights.png"))
    tab.highlight_list.grab().save(str(SCREENSHOTS / "highlight-list.png"))

    qtbot.mouseClick(tab.highlight_list.remove_button, Qt.MouseButton.LeftButton)
    qloop.until(lambda: tab.highlight_list.list.count() == 0, message="the highlight removed")
    assert highlights_store.list_highlights(app_context.engine, [tab.current_id]) == []
    assert tab.transcript.marked == frozenset() and tab.highlight_list.empty.isVisible()
    dialog.close()


@SQLITE_ONLY
def test_the_context_menu_highlights_the_turn_under_the_pointer(tab, qloop, qtbot, app_context):
    select(tab, qloop, "Amara Diallo")
    view = tab.transcript
    turn = view.transcript.turn_by_seq(8)
    found = view.browser.document().find("exponential backoff")
    view.browser.setTextCursor(QTextCursor(view.browser.document()))  # no selection
    point = view.browser.cursorRect(found).center()
    view.browser.customContextMenuRequested.emit(point)
    menu = view.context_menu
    assert menu is not None and menu.actions()[0].text() == "Highlight turn T8…"
    menu.actions()[0].trigger()
    dialog = tab.highlights.dialog
    assert dialog.isVisible() and "turn T8" in dialog.what.text() and "exponential backoff" in dialog.what.text()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    qloop.run(tab.highlights.load(tab.current_id))
    assert tab.highlight_list.list.count() == 0  # cancelled: nothing saved

    menu.actions()[0].trigger()
    tab.highlights.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # no note
    qloop.until(lambda: tab.highlight_list.list.count() == 1, message="the highlight without a note")
    [stored] = highlights_store.list_highlights(app_context.engine, [tab.current_id])
    assert stored.first_turn_id == stored.last_turn_id == turn.id and stored.note is None
    menu.close()
    tab.highlights.dialog.close()


@SQLITE_ONLY
def test_a_note_too_long_cannot_be_saved(tab, qloop):
    select(tab, qloop, "Amara Diallo")
    first = tab.transcript.transcript.turns[0]
    dialog = tab.highlights.request(first.id, first.id)
    dialog.note.setPlainText("x" * 2001)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and dialog.limit.isVisible() and "keep it under 2,000" in dialog.limit.text()
    dialog.note.setPlainText("fine")
    assert ok.isEnabled() and not dialog.limit.isVisible()
    dialog.close()


@SQLITE_ONLY
def test_talk_time_chart_on_the_interview_page(tab, qloop, qtbot):
    select(tab, qloop, "Amara Diallo")
    talk = talk_time(tab.transcript.transcript.turns)
    chart = tab.talk_time
    times = whole_percentages([s.time_share for s in talk.speakers])
    words = whole_percentages([s.word_share for s in talk.speakers])
    assert chart.bar_values() == {"Interviewer": [times[0], words[0]], "Candidate": [times[1], words[1]]}
    assert sum(times) == sum(words) == 100
    assert "Questions:</b> Interviewer 4 · Candidate 1" in chart.caption.text()
    assert "150 words a minute" in chart.caption.toolTip()
    m = talk.longest_monologue
    assert f"T{m.sequence_no} ({m.elapsed})" in chart.caption.text()
    chart.caption.linkActivated.emit(f"turn:{m.turn_id}")
    assert tab.transcript.highlighted == m.turn_id
    SCREENSHOTS.mkdir(exist_ok=True)
    chart.grab().save(str(SCREENSHOTS / "talk-time-chart.png"))

    select(tab, qloop, "Véronique Mukendi")  # scheduled: no transcript yet
    assert chart.bar_values() == {} and "No transcript" in chart.caption.text()


def ctrl_click_row(qtbot, tab, candidate: str, modifier=Qt.KeyboardModifier.ControlModifier) -> None:
    row = row_of(tab, candidate)
    rect = tab.table.visualRect(tab.proxy.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


@SQLITE_ONLY
def test_compare_two_candidates_and_jump_from_a_quote_to_the_turn(tab, qloop, qtbot):
    open_tab(tab, qloop)
    ctrl_click_row(qtbot, tab, "Paul Sidibé", Qt.KeyboardModifier.NoModifier)
    qloop.until(lambda: tab.header.text().startswith("Paul"), message="Paul's interview")
    assert tab.selected_ids() == [tab.current_id] and not tab.compare.button.isEnabled()  # one row: as before
    qloop.run(tab.services.assessments.save_manual(tab.current_id, {
        "recommendation": "hold", "summary": "", "highlights": "", "red_flags": "",
        "scores": [{"skill": "Databases", "score": 3, "evidence": "read the EXPLAIN ANALYZE plan"}]}))
    ctrl_click_row(qtbot, tab, "Amara Diallo")
    assert len(tab.selected_ids()) == 2 and tab.compare.button.isEnabled()

    qtbot.mouseClick(tab.compare.button, Qt.MouseButton.LeftButton)
    window = tab.compare.window
    qtbot.addWidget(window)
    qloop.until(lambda: window.comparison is not None, message="the comparison")
    assert window.title.text() == "2 candidates for Backend Engineer"
    paul, amara = window.comparison.interviews
    assert (paul.candidate_name, paul.recommendation) == ("Paul Sidibé", "hold")
    evidence = paul.score_for("Databases")
    assert evidence.quote == "read the EXPLAIN ANALYZE plan" and evidence.sequence_no == 6
    assert not paul.score_for("Python").assessed
    text = window.browser.toPlainText()
    assert "not assessed" in text and "Hold" in text and "Advance" in text
    window.resize(1180, 760)
    SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "compare-view.png"))

    # Amara's Databases score cites her answer [T6]: its quote opens her interview at that turn
    quote = amara.score_for("Databases")
    assert quote.sequence_no == 6 and quote.quote.startswith("I read the EXPLAIN ANALYZE plan")
    ctrl_click_row(qtbot, tab, "Paul Sidibé", Qt.KeyboardModifier.NoModifier)
    qloop.until(lambda: tab.header.text().startswith("Paul") and tab.transcript.transcript is not None
                and tab.transcript.transcript.interview_id == paul.id, message="Paul shown again")
    click_link(qtbot, window.browser, f"turn:{amara.id}/{quote.turn_id}")
    qloop.until(lambda: tab.current_id == amara.id and tab.transcript.highlighted == quote.turn_id,
                message="Amara's interview at the quoted turn")
    assert tab.header.text().startswith("Amara Diallo") and tab.selected_ids() == [amara.id]
    window.close()


@SQLITE_ONLY
def test_compare_refuses_different_roles_with_a_clear_line(tab, qloop, qtbot):
    open_tab(tab, qloop)
    ctrl_click_row(qtbot, tab, "Amara Diallo", Qt.KeyboardModifier.NoModifier)
    ctrl_click_row(qtbot, tab, "Kwame Asante")
    window = tab.compare.open()
    qtbot.addWidget(window)
    qloop.until(lambda: window.message.isVisible(), message="the refusal")
    assert window.title.text() == "Cannot compare these interviews"
    assert "different roles (Data Analyst: Kwame Asante; Backend Engineer: Amara Diallo)" in window.message.text()
    for name in ("Paul Sidibé", "Kofi Mensah", "Aisha Mwangi", "Fatima Hassan"):
        ctrl_click_row(qtbot, tab, name)
    assert len(tab.selected_ids()) == 6 and not tab.compare.button.isEnabled() and tab.compare.open() is None
    window.close()
