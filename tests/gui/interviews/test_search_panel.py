"""The transcript search box and "Ask across interviews" above the Interviews tab's list (pytest-qt, qasync)."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt as QtNs
from PySide6.QtCore import QUrl

from insighta_desktop.ui.interviews.search_panel import HTML_ROLE
from tests.fakes.server import Fault
from tests.gui.interviews.conftest import open_tab
from tests.integration.interviews.test_transcript_search import DAY, add_interview


def searched(tab, qloop, text: str) -> list:
    panel = tab.search_panel
    panel.box.setText(text)  # the search starts after the typing pause
    qloop.until(lambda: panel.searched == text, message=f"results for {text!r}")
    return panel.model.hits


def test_typing_lists_matching_turns_with_the_words_in_bold(tab, qloop):
    open_tab(tab, qloop)
    panel = tab.search_panel
    assert not panel.stack.isVisible()
    hits = searched(tab, qloop, '"exponential backoff"')
    assert sorted(h.candidate_name for h in hits) == ["Amara Diallo", "Paul Sidibé"]
    assert panel.stack.isVisible() and panel.status.text() == "2 turns match."
    html = panel.model.index(0, 0).data(HTML_ROLE)
    assert "<b>exponential backoff</b>" in html and re.search(r"· \d\d:\d\d:\d\d · Candidate", html)
    assert panel.results.visualRect(panel.model.index(1, 0)).height() > 30  # two lines: who and when, the sentence
    panel.box.clear()
    qloop.until(lambda: not panel.stack.isVisible(), message="the results to close")
    assert panel.model.rowCount() == 0


def test_clicking_a_result_opens_the_interview_at_that_turn(tab, qloop, qtbot, app_context):
    lines = [f"Question {i} about the weather." if i % 2 else f"Answer {i}: nothing special." for i in range(1, 120)]
    lines[100] = "Answer 101: we ran Kubernetes on bare metal."
    interview, _ = add_interview(app_context.engine, "Long Interview", lines, scheduled=DAY)
    open_tab(tab, qloop)
    hits = searched(tab, qloop, "kubernetes bare metal")
    assert [(h.candidate_name, h.sequence_no) for h in hits] == [("Long Interview", 101)]
    results = tab.search_panel.results
    qtbot.mouseClick(results.viewport(), QtNs.MouseButton.LeftButton,
                     pos=results.visualRect(tab.search_panel.model.index(0, 0)).center())
    qloop.until(lambda: tab.transcript.highlighted == hits[0].turn_id, message="the cited turn")
    assert tab.current_id == interview and tab.header.text().startswith("Long Interview")
    view = tab.transcript.browser
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() > bar.maximum() // 2  # scrolled down to turn 101 of 119
    assert _turn_visible(view, "Kubernetes on bare metal")


def _turn_visible(view, text: str) -> bool:
    found = view.document().find(text)
    return view.viewport().rect().intersects(view.cursorRect(found))


def test_a_hidden_interview_is_shown_by_clearing_the_list_filter(tab, qloop):
    open_tab(tab, qloop)
    tab.filter.setText("data analyst")
    hits = searched(tab, qloop, '"exponential backoff"')
    tab.search_panel.results.activated.emit(tab.search_panel.model.index(0, 0))
    qloop.until(lambda: tab.transcript.highlighted == hits[0].turn_id, message="the turn")
    assert tab.filter.text() == "" and tab.header.text().startswith(hits[0].candidate_name)


def test_a_newer_search_supersedes_the_one_running(tab, qloop):
    open_tab(tab, qloop)
    panel = tab.search_panel
    panel.box.blockSignals(True)
    panel.box.setText("composite index")
    first = panel.search()
    panel.box.setText("figma")
    second = panel.search()
    panel.box.blockSignals(False)
    qloop.until(lambda: second.done(), message="the second search")
    assert first.cancelled()
    assert panel.searched == "figma" and {h.candidate_name for h in panel.model.hits} >= {"Kofi Mensah"}
    assert all("Figma" in h.content for h in panel.model.hits)


def test_text_without_words_says_so(tab, qloop):
    open_tab(tab, qloop)
    assert searched(tab, qloop, '"-"') == []
    assert "Type a word" in tab.search_panel.status.text()


def test_ask_across_interviews_answers_with_clickable_citations(tab, qloop, fake_gemini):
    open_tab(tab, qloop)

    def answer(body: dict) -> str:  # cite the first passage the prompt offers
        tag = re.search(r"^\[(I\d+\.T\d+)\]", body["systemInstruction"]["parts"][0]["text"], re.M).group(1)
        return f"Two candidates retry with backoff [{tag}]."

    fake_gemini.answer(answer)
    panel = tab.search_panel
    panel.box.setText("Which candidates mentioned exponential backoff?")
    task = panel.ask()
    qloop.until(lambda: task.done() and panel.answer is not None, message="the answer")
    assert panel.answer.source == "gemini" and len(panel.answer.citations) == 1
    cited = panel.answer.citations[0]
    assert f"turn:{cited.interview_id}/{cited.turn_id}" in panel.answer_view.toHtml()
    assert "Sources" in panel.answer_view.toPlainText() and panel.stack.currentWidget() is panel.answer_view
    panel.answer_view.anchorClicked.emit(QUrl(f"turn:{cited.interview_id}/{cited.turn_id}"))
    qloop.until(lambda: tab.transcript.highlighted == cited.turn_id, message="the cited turn")
    assert tab.current_id == cited.interview_id


def test_ask_across_offline_lists_the_passages(tab, qloop, qtbot, fake_gemini):
    open_tab(tab, qloop)
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))
    panel = tab.search_panel
    panel.box.setText("Who talked about rate limiting?")  # a question: no search for all of its words
    assert "press Enter" in panel.status.text() and not panel.stack.isVisible()
    qtbot.keyClick(panel.box, QtNs.Key.Key_Return)
    qloop.until(lambda: panel.answer is not None and panel.ask_button.isEnabled(), timeout=15,
                message="the passages")
    assert panel.searched is None
    assert panel.answer.source == "local" and "could not be reached" in panel.status.text()
    assert "Matching passages (not an AI answer)" in panel.answer_view.toPlainText()
    assert panel.ask_button.isEnabled() and not panel.notice.isVisible()
