"""What a first-time recruiter hit on the Interviews screen, one test per defect (pytest-qt, fakes on 127.0.0.1)."""
from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtWidgets import QSplitter

from insighta_desktop.db import outbox_store
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews import repository
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.resilience import Retrying
from insighta_desktop.ui.interviews.assessment_actions import FILL_IN, OPEN_OUTBOX, OPEN_SETTINGS
from insighta_desktop.ui.interviews.tab import InterviewsTab
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.fakes.server import Fault
from tests.gui.interviews.conftest import open_tab, short_sleep
from tests.gui.interviews.test_interviews_tab import select
from tests.integration.interviews.test_assessments import GOOD

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # layout: the back end plays no part


@pytest.fixture
def make_tab(qtbot, qloop, app_context, fake_gemini, fake_resend):
    """A tab on the demo data whose keys and sender a test chooses (None: not configured)."""
    load_demo_data(app_context.engine, profiles=10)
    made: list[tuple[TaskRunner, InterviewServices]] = []

    def make(gemini_key: str | None = "test-gemini-key", resend_key: str | None = "re_test_key",
             sender: str = "Insighta <onboarding@resend.dev>", size: tuple[int, int] = (1400, 800)) -> InterviewsTab:
        services = InterviewServices(
            app_context.engine,
            GeminiClient(GeminiConfig(api_key=gemini_key, model="gemini-test", base_url=fake_gemini.url,
                                      timeout_s=2)),
            ResendMailer(ResendConfig(api_key=resend_key, api_url=fake_resend.url, sender=sender, timeout_s=2)),
            Retrying(sleep=short_sleep))
        tasks = TaskRunner()
        widget = InterviewsTab(app_context, tasks, services=services)
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
        made.append((tasks, services))
        return widget

    yield make
    for tasks, services in made:
        tasks.cancel_all()
        qloop.run(asyncio.sleep(0.05))
        qloop.run(services.aclose())


def send_email(tab, qloop, address: str = "lead@example.com"):
    tab.assessment.email_button.click()
    tab.assessment.address.setText(address)
    tab.assessment.send_email_button.click()
    qloop.until(lambda: tab.flows.preview is not None and tab.flows.preview.isVisible()
                and tab.flows.preview.draft.to_address == address, message="the email preview")
    preview = tab.flows.preview
    preview.send_button.click()
    return preview


@SQLITE_ONLY
def test_names_and_column_headers_are_shown_whole_in_the_default_window(make_tab, qloop):
    tab = open_tab(make_tab(size=(1200, 760)), qloop)  # the main window's default size
    header = tab.table.horizontalHeader()
    for column in (0, 2, 3, 4):  # candidate, date, status, assessment; a long role may elide
        needed = max(header.sectionSizeHint(column), tab.table.sizeHintForColumn(column))
        assert header.sectionSize(column) >= needed, tab.proxy.headerData(column, header.orientation())
    assert tab.table.viewport().width() >= sum(header.sectionSize(c) for c in range(5))  # nothing scrolled away
    assert tab.proxy.index(0, 0).data() == "Véronique Mukendi"


@SQLITE_ONLY
def test_the_first_selection_is_an_interview_with_a_transcript(make_tab, qloop):
    tab = open_tab(make_tab(), qloop)
    newest = tab.model.rows[0]
    assert newest.candidate_name == "Véronique Mukendi" and not newest.has_transcript  # scheduled, nothing to read
    assert tab.header.text() == "Kofi Mensah — Product Designer"
    assert tab.transcript.transcript.turns and tab.chat.question.isEnabled()


def test_status_lines_and_the_chat_input_stay_with_their_interview(make_tab, qloop, fake_gemini, tmp_path):
    tab = make_tab()
    select(tab, qloop, "Amara Diallo")
    fake_gemini.fail_always("streamGenerateContent", Fault.error(503))
    tab.chat.question.setText("rate limiting")
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, message="the local answer")
    assert tab.chat.notice.isVisible()
    tab.export("txt", str(tmp_path / "missing-folder" / "amara.txt"))
    qloop.until(tab.banner.isVisible, message="the export failure")
    tab.assessment.email_status.setText("Sent to lead@example.com.")
    tab.chat.question.setText("a question I did not send")

    select(tab, qloop, "Kwame Asante")
    assert not tab.chat.notice.isVisible() and tab.chat.question.text() == ""
    assert not tab.banner.isVisible() and tab.assessment.email_status.text() == ""
    assert not tab.notice.isVisible()


def test_the_sent_question_leaves_the_input_and_an_unanswered_one_comes_back(make_tab, qloop, fake_gemini):
    tab = make_tab()
    select(tab, qloop, "Amara Diallo")
    fake_gemini.answer("Backoff with jitter [T8].")
    tab.chat.question.setText("How do they handle rate limits?")
    tab.chat.send_button.click()
    assert tab.chat.question.text() == "" and not tab.chat.send_button.isEnabled()
    qloop.until(lambda: not tab.chat.in_flight, message="the answer")
    assert tab.chat.question.text() == "" and "Backoff with jitter" in tab.chat.plain_text
    tab.chat.fail("The database is not answering right now. Try again in a minute.", "Is this kept?")
    assert tab.chat.question.text() == "Is this kept?" and "not answered" in tab.chat.notice.text()


def test_a_local_answer_is_still_there_after_switching_away_and_back(make_tab, qloop, fake_gemini):
    tab = make_tab(gemini_key=None)
    select(tab, qloop, "Amara Diallo")
    tab.chat.question.setText("composite index")
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, message="the local answer")
    assert tab.chat.settings_button.isVisible()  # no key: the way to a Gemini answer is Settings
    select(tab, qloop, "Kwame Asante")
    assert "composite index" not in tab.chat.plain_text
    select(tab, qloop, "Amara Diallo")
    qloop.until(lambda: "composite index" in tab.chat.plain_text, message="the stored local answer")
    assert "Local search of the transcript" in tab.chat.plain_text
    assert "local search of the transcript" in tab.chat.view.toHtml()  # marked as a local answer
    assert fake_gemini.requests == []


@SQLITE_ONLY
def test_the_footer_counts_what_is_shown_and_an_empty_filter_says_so(make_tab, qloop):
    tab = open_tab(make_tab(), qloop)
    assert tab.count_label.text() == "8 interviews" and not tab.empty_label.isVisible()
    tab.filter.setText("data analyst")
    assert tab.count_label.text() == "2 of 8 interviews"
    tab.filter.setText("zebra")
    assert tab.count_label.text() == "0 of 8 interviews"
    assert tab.empty_label.isVisible() and "No interview matches “zebra”" in tab.empty_label.text()
    tab.filter.clear()
    assert tab.count_label.text() == "8 interviews" and not tab.empty_label.isVisible()


@SQLITE_ONLY
def test_the_splitters_hold_still_from_one_interview_to_the_next(make_tab, qloop):
    tab = open_tab(make_tab(), qloop)
    splitters = tab.findChildren(QSplitter)
    seen = set()
    for row in range(tab.proxy.rowCount()):
        name = tab.proxy.index(row, 0).data()
        tab.table.selectRow(row)
        qloop.until(lambda n=name: tab.transcript.transcript is not None and tab.header.text().startswith(n),
                    message=name)
        qloop.run(asyncio.sleep(0.02))  # let the layouts settle
        seen.add(tuple(tuple(s.sizes()) for s in splitters))
    assert len(seen) == 1, seen


def test_a_refused_key_is_explained_with_an_open_settings_button(make_tab, qloop, qtbot, fake_gemini):
    tab = make_tab()
    select(tab, qloop, "Kwame Asante")
    fake_gemini.api_key = "another-key"  # every call answered 400 API_KEY_INVALID
    tab.assessment.generate_button.click()
    qloop.until(tab.banner.isVisible, message="the explanation")
    text = tab.banner.text.text()
    assert text.startswith("The assessment failed. Gemini refused the API key (HTTP 400).")
    assert "Check the key in Settings" in text and "Error" not in text  # no exception class names
    assert tab.assessment.status.text() == "Failed"
    assert "ClientError" not in tab.assessment.content.toPlainText()
    assert set(tab.banner.buttons) == {OPEN_SETTINGS, FILL_IN}
    with qtbot.waitSignal(tab.settings_requested, timeout=1000):
        tab.banner.buttons[OPEN_SETTINGS].click()


def test_without_a_gemini_key_generate_offers_the_rubric_to_fill_in_by_hand(make_tab, qloop, app_context):
    tab = make_tab(gemini_key=None)
    select(tab, qloop, "Kwame Asante")
    tab.assessment.generate_button.click()
    qloop.until(tab.banner.isVisible, message="the offer")
    assert "Gemini has no API key" in tab.banner.text.text()
    assert set(tab.banner.buttons) == {OPEN_SETTINGS, FILL_IN}
    assert tab.assessment.status.text() == "Not assessed"  # nothing was started
    tab.banner.buttons[FILL_IN].click()
    qloop.until(lambda: tab.flows.editor is not None and tab.flows.editor.isVisible(), message="the editor")
    editor = tab.flows.editor
    assert editor.skills == ["SQL", "Statistics", "Data visualisation", "Communication"]
    editor.save_button.click()
    assert "Choose a recommendation" in editor.error.text() and editor.isVisible()

    editor.recommendation.setCurrentIndex(editor.recommendation.findData("advance"))
    editor.scores["SQL"].setCurrentIndex(editor.scores["SQL"].findData(4))
    editor.evidence["SQL"].setText("I built a churn dashboard in SQL and Metabase")
    editor.highlights.setPlainText("Explains statistics plainly")
    editor.save_button.click()
    qloop.until(lambda: tab.assessment.status.text() == "Completed", message="the saved assessment")
    assert not editor.isVisible() and not tab.banner.isVisible()
    shown = tab.assessment.content.toPlainText()
    assert "written by hand" in shown and "“I built a churn dashboard in SQL and Metabase”" in shown
    kwame = next(i for i in tab.model.rows if i.candidate_name == "Kwame Asante")
    assert kwame.assessment_status == "completed"
    stored = repository.get_assessment(app_context.engine, kwame.id)
    assert stored.source == "manual" and stored.content["scores"][0]["score"] == 4
    assert tab.assessment.email_button.isEnabled()  # a manual assessment can be emailed like any other


def test_the_email_preview_shows_the_email_and_warns_about_resends_test_sender(make_tab, qloop, fake_resend):
    tab = make_tab()
    select(tab, qloop, "Amara Diallo")
    tab.assessment.email_button.click()
    tab.assessment.address.setText("lead@example.com")
    tab.assessment.send_email_button.click()
    qloop.until(lambda: tab.flows.preview is not None and tab.flows.preview.isVisible(), message="the preview")
    preview = tab.flows.preview
    assert preview.findChild(type(preview.warning), "previewFrom").text() == "Insighta &lt;onboarding@resend.dev&gt;"
    assert preview.warning.isVisible() and "onboarding@resend.dev" in preview.warning.text()
    assert preview.settings_button.isVisible()
    assert "Recommendation: advance" in preview.plain_text and "Amara Diallo" in preview.draft.subject
    preview.reject()
    assert fake_resend.calls("emails") == [] and tab.assessment.send_email_button.isEnabled()


def test_a_verified_sender_gets_no_warning_and_a_missing_resend_key_says_the_email_will_wait(make_tab, qloop):
    tab = make_tab(resend_key=None, sender="Hiring <talent@acme.example>")
    select(tab, qloop, "Amara Diallo")
    tab.assessment.email_button.click()
    tab.assessment.address.setText("lead@example.com")
    tab.assessment.send_email_button.click()
    qloop.until(lambda: tab.flows.preview is not None and tab.flows.preview.isVisible(), message="the preview")
    preview = tab.flows.preview
    assert "onboarding@resend.dev" not in preview.warning.text()
    assert "No Resend API key" in preview.warning.text() and preview.send_button.text() == "Queue in the outbox"
    preview.send_button.click()
    qloop.until(tab.banner.isVisible, message="the explanation")
    assert "Resend has no API key yet. Add one in Settings." in tab.banner.text.text()
    assert set(tab.banner.buttons) == {OPEN_SETTINGS, OPEN_OUTBOX}
    qloop.until(lambda: tab.outbox_button.text() == "Outbox (1 unsent)", message="the outbox count")


def test_the_outbox_view_retries_and_cancels_through_the_email_service(make_tab, qloop, fake_resend):
    tab = make_tab()
    select(tab, qloop, "Amara Diallo")
    fake_resend.fail_always("emails", Fault.error(500))
    send_email(tab, qloop, "lead@example.com")
    qloop.until(lambda: OPEN_OUTBOX in tab.banner.buttons, message="the failure")
    send_email(tab, qloop, "boss@example.com")
    qloop.until(lambda: tab.outbox_button.text() == "Outbox (2 unsent)", message="the outbox count")

    tab.banner.buttons[OPEN_OUTBOX].click()
    dialog = tab.outbox_dialog
    qloop.until(lambda: dialog.model.rowCount() == 2, message="the outbox rows")
    assert dialog.summary.text() == "2 emails, 2 unsent"
    newest = dialog.model.rows[0]
    assert newest.to_address == "boss@example.com" and newest.status == "failed" and newest.attempts == 3
    assert dialog.model.index(0, 0).data() == "Failed" and "(HTTP 500)" in dialog.model.index(0, 5).data()

    dialog.table.selectRow(1)
    fake_resend.reset()
    dialog.retry_button.click()
    qloop.until(lambda: dialog.model.rows[1].status == "sent", message="the retried email")
    assert dialog.banner.text.text() == "Sent to lead@example.com." and len(fake_resend.delivered) == 1
    assert not dialog.retry_button.isEnabled() and not dialog.cancel_button.isEnabled()  # a sent email stays sent

    dialog.table.selectRow(0)
    dialog.cancel_button.click()
    qloop.until(lambda: dialog.model.rows[0].status == "canceled", message="the cancelled email")
    assert dialog.model.index(0, 0).data() == "Cancelled" and dialog.summary.text() == "2 emails, 0 unsent"
    qloop.until(lambda: tab.outbox_button.text() == "Outbox", message="the outbox count")
    assert len(fake_resend.delivered) == 1


def test_sending_again_from_the_button_reuses_the_unsent_outbox_item(make_tab, qloop, fake_resend, app_context):
    tab = make_tab()
    select(tab, qloop, "Amara Diallo")
    fake_resend.fail_always("emails", Fault.error(500), times=3)
    send_email(tab, qloop)
    qloop.until(lambda: OPEN_OUTBOX in tab.banner.buttons, message="the failure")
    [failed] = outbox_store.list_outbox(app_context.engine)
    send_email(tab, qloop)
    qloop.until(lambda: "Sent to" in tab.assessment.email_status.text(), message="the second send")
    [sent] = outbox_store.list_outbox(app_context.engine)
    assert sent.id == failed.id and sent.status == "sent" and sent.attempts == 4
    assert {c.headers["idempotency-key"] for c in fake_resend.calls("emails")} == {failed.idempotency_key}
    assert len(fake_resend.delivered) == 1


@SQLITE_ONLY
def test_the_generated_then_manual_flow_keeps_one_assessment_row(make_tab, qloop, fake_gemini, app_context):
    tab = make_tab()
    select(tab, qloop, "Kwame Asante")
    fake_gemini.answer(json.dumps({**GOOD, "scores": [{"skill": "SQL", "score": 4, "rationale": "Cohorts"}]}))
    tab.assessment.generate_button.click()
    qloop.until(lambda: tab.assessment.status.text() == "Completed", message="the assessment")
    tab.fill_in_by_hand()
    qloop.until(lambda: tab.flows.editor is not None and tab.flows.editor.isVisible(), message="the editor")
    editor = tab.flows.editor
    assert editor.recommendation.currentData() == "advance" and editor.scores["SQL"].currentData() == 4
    editor.recommendation.setCurrentIndex(editor.recommendation.findData("hold"))
    editor.save_button.click()
    qloop.until(lambda: "Hold" in tab.assessment.content.toPlainText(), message="the edited assessment")
    kwame = next(i for i in tab.model.rows if i.candidate_name == "Kwame Asante")
    assert repository.get_assessment(app_context.engine, kwame.id).source == "manual"


@SQLITE_ONLY
def test_the_window_has_an_outbox_entry_and_open_settings_opens_settings(qtbot, qloop, app_context, monkeypatch):
    from insighta_desktop.ui.main_window import MainWindow

    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "RESEND_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    qloop.run(window.startup_task)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    entry = next(a for a in view.actions() if a.text() == "Email &outbox…")
    entry.trigger()
    dialog = window.interviews_tab.outbox_dialog
    assert dialog is not None and dialog.isVisible()
    qloop.until(lambda: dialog.summary.text() == "The outbox is empty.", message="the empty outbox")
    window.interviews_tab.settings_requested.emit()  # the outbox entry built the Interviews tab
    assert window._settings_dialog.isVisible()
    window._settings_dialog.close()
    dialog.close()
