"""The Interviews tab with pytest-qt on a qasync loop, talking to the fake Gemini and Resend."""
from __future__ import annotations

import json

from PySide6.QtCore import QUrl

from tests.fakes.gemini import rate_limited
from tests.gui.interviews.conftest import open_tab
from tests.integration.interviews.test_assessments import GOOD


def row_of(tab, candidate: str) -> int:
    for row in range(tab.proxy.rowCount()):
        if tab.proxy.index(row, 0).data() == candidate:
            return row
    raise AssertionError(f"{candidate} not listed")


def select(tab, qloop, candidate: str) -> None:
    if tab.model.rowCount() == 0:
        open_tab(tab, qloop)
    tab.table.selectRow(row_of(tab, candidate))
    qloop.until(lambda: tab.transcript.transcript is not None and tab.header.text().startswith(candidate),
                message=f"{candidate}'s transcript")


def test_selecting_an_interview_shows_its_transcript(tab, qloop):
    open_tab(tab, qloop)
    assert tab.proxy.rowCount() == 8
    select(tab, qloop, "Kwame Asante")
    text = tab.transcript.browser.toPlainText()
    assert "Hello Kwame, thanks for joining." in text and "00:00:00" in text and "Interviewer" in text
    assert tab.transcript.note.isVisible() and "Rebuilt" in tab.transcript.note.text()
    select(tab, qloop, "Amara Diallo")
    assert "Hello Amara" in tab.transcript.browser.toPlainText()
    assert not tab.transcript.note.isVisible()
    assert tab.assessment.status.text() == "Completed"


def test_filter_and_search(tab, qloop):
    open_tab(tab, qloop)
    tab.filter.setText("data analyst")
    assert tab.proxy.rowCount() == 2
    tab.filter.setText("completed")
    assert tab.proxy.rowCount() >= 3
    tab.filter.clear()
    select(tab, qloop, "Amara Diallo")
    tab.transcript.search.setText("index")
    assert tab.transcript.match_count >= 2 and tab.transcript.match_label.text().startswith("1 of")
    tab.transcript.next_match()
    assert tab.transcript.match_label.text().startswith("2 of")
    tab.transcript.search.setText("zzzz")
    assert tab.transcript.match_label.text() == "no match"


def test_chat_answer_streams_in_with_a_clickable_citation(tab, qloop, fake_gemini):
    select(tab, qloop, "Amara Diallo")
    fake_gemini.answer("They read EXPLAIN ANALYZE and add a composite index [T6].")
    tab.chat.question.setText("How do they tune slow queries?")
    tab.chat.send_button.click()
    assert not tab.chat.send_button.isEnabled()  # disabled while the request is in flight
    qloop.until(lambda: not tab.chat.in_flight, message="the chat answer")
    assert "composite index [T6]" in tab.chat.plain_text
    assert tab.chat.send_button.isEnabled()
    html = tab.chat.view.toHtml()
    turn = tab.transcript.transcript.turn_by_seq(6)
    assert f"turn:{turn.id}" in html
    tab.chat.view.anchorClicked.emit(QUrl(f"turn:{turn.id}"))
    assert tab.transcript.highlighted == turn.id


def test_retry_notice_appears_and_clears(tab, qloop, fake_gemini):
    select(tab, qloop, "Amara Diallo")
    fake_gemini.fail("streamGenerateContent", rate_limited(retry_delay_s=2))
    fake_gemini.answer("Five years of backend work [T2].")
    tab.chat.question.setText("How experienced are they?")
    tab.chat.send_button.click()
    qloop.until(lambda: tab.notice.isVisible(), message="the retry notice")
    assert tab.notice.text() == "Gemini busy — retrying 2/3 in 2 s"
    qloop.until(lambda: not tab.chat.in_flight, message="the answer after the retry")
    assert not tab.notice.isVisible()
    assert "Five years of backend work" in tab.chat.plain_text


def test_offline_chat_shows_a_local_answer(tab, qloop, fake_gemini):
    from tests.fakes.server import Fault

    select(tab, qloop, "Amara Diallo")
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))
    tab.chat.question.setText("rate limiting")
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, timeout=15, message="the local answer")
    assert tab.chat.notice.isVisible() and "could not be reached" in tab.chat.notice.text()
    assert "Local search of the transcript" in tab.chat.plain_text


def test_generate_assessment_and_email_it(tab, qloop, fake_gemini, fake_resend):
    select(tab, qloop, "Kwame Asante")
    assert tab.assessment.status.text() == "Not assessed"
    fake_gemini.answer(json.dumps({**GOOD, "scores": [{"skill": "SQL", "score": 4, "rationale": "Cohorts"}]}))
    tab.assessment.generate_button.click()
    qloop.until(lambda: tab.assessment.status.text() == "Completed", message="the assessment")
    assert "Advance" in tab.assessment.content.toPlainText()
    assert next(i for i in tab.model.rows if i.candidate_name == "Kwame Asante").assessment_status == "completed"
    tab.assessment.email_button.click()
    tab.assessment.address.setText("lead@example.com")
    tab.assessment.send_email_button.click()  # "Preview…": nothing is sent before the preview is confirmed
    qloop.until(lambda: tab.flows.preview is not None and tab.flows.preview.isVisible(), message="the preview")
    assert fake_resend.calls("emails") == []
    tab.flows.preview.send_button.click()
    qloop.until(lambda: "Sent to" in tab.assessment.email_status.text(), message="the email")
    assert len(fake_resend.delivered) == 1


def test_export_through_the_non_modal_dialog_writes_the_file(tab, qloop, tmp_path):
    select(tab, qloop, "Amara Diallo")
    dialog = tab.transcript.choose_export()
    assert dialog.isVisible()
    target = tmp_path / "amara.vtt"
    dialog.fileSelected.emit(str(target))
    dialog.close()
    qloop.until(lambda: target.exists() and target.stat().st_size > 0, message="the exported file")
    assert target.read_text(encoding="utf-8").startswith("WEBVTT")
