"""Bringing interviews in from the GUI: files dropped on the Interviews tab (synthetic drag and drop, as Dangerzone
tests it) and File → Import interviews…; the import runs off the GUI thread and selects the new interview, whose
transcript, assessment and chat then work like any other."""
from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from insighta_desktop.db.migrations import table_counts
from insighta_desktop.demo.loader import load_demo_data
from insighta_desktop.integrations.gemini import GeminiClient, GeminiConfig
from insighta_desktop.integrations.resend_mail import ResendConfig, ResendMailer
from insighta_desktop.interviews.repository import list_interviews
from insighta_desktop.interviews.services import InterviewServices
from insighta_desktop.ui.interviews.tab import InterviewsTab
from insighta_desktop.ui.main_window import MainWindow
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.gui.interviews.conftest import open_tab
from tests.gui.test_import_tab import shot
from tests.integration.interviews.test_assessments import GOOD
from tests.integration.packs.packdata import export_test_pack

DATA = Path(__file__).resolve().parents[2] / "data" / "interviews"


def drop(widget, paths: list[Path]) -> bool:
    """What a real drag does: enter (accepted or not), then drop if it was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with warnings.catch_warnings():  # PySide6 marks the only QDragEnterEvent constructor as deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(30, 30), *args)
    QApplication.sendEvent(widget, enter)
    if enter.isAccepted():
        QApplication.sendEvent(widget, QDropEvent(QPointF(30, 30), *args))
    return enter.isAccepted()


def copy(tmp_path: Path, *names: str) -> list[Path]:
    return [Path(shutil.copy(DATA / name, tmp_path / name)) for name in names]


def loaded(dialog) -> bool:
    return all(e.file is not None or e.error is not None for e in dialog.entries)


def close(dialog) -> None:
    if dialog is not None and dialog.isVisible():
        dialog.reject()


def test_dropping_a_zoom_file_imports_it_and_selects_the_new_interview(tab, qloop, tmp_path, fake_gemini):
    open_tab(tab, qloop)
    [zoom] = copy(tmp_path, "zoom.vtt")
    assert drop(tab, [zoom])
    dialog = tab.importer.dialog
    qloop.until(lambda: loaded(dialog), message="the file read")
    assert "WebVTT" in dialog.format.text() and "10 turns" in dialog.format.text()
    assert "Daniel Reyes (5 turns)" in dialog.speakers.text() and "Ngozi Okafor (5 turns)" in dialog.speakers.text()
    assert dialog.candidate.currentData() is None and not dialog.import_button.isEnabled()  # nobody guessed
    assert [dialog.candidate.itemText(i) for i in range(dialog.candidate.count())][1:] == ["Daniel Reyes",
                                                                                          "Ngozi Okafor"]
    dialog.candidate.setCurrentIndex(dialog.candidate.findData("Ngozi Okafor"))
    assert dialog.name.text() == "Ngozi Okafor" and dialog.interviewers.text() == "Interviewer: Daniel Reyes"
    dialog.role.setText("Backend Engineer")
    assert dialog.import_button.isEnabled()
    shot(dialog, "import-interviews-dialog")

    dialog.import_button.click()
    qloop.until(lambda: tab.header.text() == "Ngozi Okafor — Backend Engineer", message="the new interview selected")
    qloop.until(lambda: "Daniel Reyes" in tab.transcript.browser.toPlainText(), message="its transcript")
    assert tab.importer.dialog is None  # closed (and deleted) once the import is done
    assert tab.model.rowCount() == 9
    text = tab.transcript.browser.toPlainText()
    assert "00:00:00" in text and "Ngozi Okafor" in text and "composite index" in text
    assert tab.assessment.generate_button.isEnabled() and tab.chat.send_button.isEnabled()
    shot(tab, "interviews-tab-imported")

    # the assessment works on it: the prompt says who is who
    fake_gemini.answer(json.dumps(GOOD))
    tab.generate_assessment()
    qloop.until(lambda: tab.assessment.status.text() == "Completed", message="the assessment")
    prompt = json.dumps(fake_gemini.calls("generateContent")[-1].body)
    assert "Daniel Reyes (interviewer)" in prompt and "Ngozi Okafor (candidate)" in prompt


def test_dropping_the_same_file_again_changes_nothing_and_says_so(tab, qloop, tmp_path):
    open_tab(tab, qloop)
    [teams] = copy(tmp_path, "teams.vtt")
    drop(tab, [teams])
    dialog = tab.importer.dialog
    qloop.until(lambda: loaded(dialog))
    dialog.candidate.setCurrentIndex(dialog.candidate.findData("Lina Haddad"))
    dialog.import_button.click()
    qloop.until(lambda: tab.header.text().startswith("Lina Haddad"), message="the imported interview")
    counts = table_counts(tab._ctx.engine)
    tab.select_row(0 if tab.model.rows[0].candidate_name != "Lina Haddad" else 1)

    drop(tab, [teams])
    again = tab.importer.dialog
    assert again is not dialog
    qloop.until(lambda: loaded(again))
    assert "Already imported" in again.status.text() and "changes nothing" in again.status.text()
    assert again.import_button.text() == "Show interview" and not again.form.isEnabled()
    shot(again, "import-interviews-already-imported")
    again.import_button.click()
    qloop.until(lambda: tab.header.text().startswith("Lina Haddad"), message="the earlier import selected")
    assert table_counts(tab._ctx.engine) == counts


def test_several_files_at_once_refusals_explained(tab, qloop, tmp_path):
    open_tab(tab, qloop)
    files = copy(tmp_path, "meetmind-session.json", "screenshot.png", "otter.txt")
    drop(tab, files)
    dialog = tab.importer.dialog
    qloop.until(lambda: loaded(dialog))
    assert dialog.files.isVisible() and dialog.files.count() == 3
    assert dialog.files.item(1).text() == "screenshot.png — cannot be imported"
    # MeetMind marks its candidate: chosen and named already
    dialog.files.setCurrentRow(0)
    assert dialog.candidate.currentData() == "Chidinma Eze" and dialog.role.text() == "Data Analyst"
    assert dialog.date.date().toString("yyyy-MM-dd") == "2026-01-05"
    dialog.files.setCurrentRow(1)
    assert "binary file" in dialog.status.text() and not dialog.form.isVisible()
    shot(dialog, "import-interviews-refused")
    dialog.files.setCurrentRow(2)
    assert dialog.date.date().toString("yyyy-MM-dd") == "2026-02-17"  # from the Otter title
    assert not dialog.import_button.isEnabled()  # the Otter file's candidate is still to choose
    dialog.candidate.setCurrentIndex(dialog.candidate.findData("Amara Diallo"))
    dialog.name.setText("Amara N. Diallo")
    dialog.files.setCurrentRow(0)
    dialog.files.setCurrentRow(2)
    assert dialog.name.text() == "Amara N. Diallo"  # each file keeps its own answers
    assert dialog.import_button.text() == "Import 2"
    shot(dialog, "import-interviews-several")
    dialog.import_button.click()
    qloop.until(lambda: tab.importer.dialog is None, message="the dialog closed after the import")
    qloop.until(lambda: tab.model.rowCount() == 10, message="two more interviews")
    names = {row.candidate_name for row in tab.model.rows}
    assert {"Chidinma Eze", "Amara N. Diallo"} <= names


def test_a_drag_without_files_is_not_taken(tab, qloop):
    mime = QMimeData()
    mime.setText("just some text")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(30, 30), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert not enter.isAccepted()
    assert tab.importer.dialog is None


@pytest.fixture
def offline_tab(qtbot, qloop, app_context):
    """The tab with no Gemini key: the chat answers by local search of the transcript."""
    services = InterviewServices(app_context.engine, GeminiClient(GeminiConfig(api_key=None)),
                                 ResendMailer(ResendConfig(api_key=None)))
    tasks = TaskRunner()
    widget = InterviewsTab(app_context, tasks, services=services)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    yield widget
    close(widget.importer.dialog)
    tasks.cancel_all()
    qloop.run(services.aclose())


def test_an_imported_interview_gets_a_local_chat_answer(offline_tab, qloop, tmp_path):
    tab = offline_tab
    qloop.run(tab.refresh())
    [srt] = copy(tmp_path, "interview.srt")
    drop(tab, [srt])
    dialog = tab.importer.dialog
    qloop.until(lambda: loaded(dialog))
    assert "1 damaged cue(s) skipped" in dialog.format.text()
    dialog.candidate.setCurrentIndex(dialog.candidate.findData("Kofi Mensah"))
    dialog.role.setText("Customer Success Lead")
    dialog.import_button.click()
    qloop.until(lambda: tab.header.text().startswith("Kofi Mensah"), message="the imported interview")
    qloop.until(lambda: tab.chat.send_button.isEnabled(), message="the chat ready")
    tab.chat.question.setText("How do they prioritise escalations?")
    tab.chat.send_button.click()
    qloop.until(lambda: not tab.chat.in_flight, message="the local answer")
    answer = tab.chat.plain_text
    assert "Local search of the transcript" in answer
    assert "customer impact and revenue at risk" in answer and "Fatima Hassan" in answer


def test_file_menu_imports_interviews(qtbot, qloop, app_context, tmp_path):
    [otter] = copy(tmp_path, "otter.txt")
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    qloop.run(window.startup_task)
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Import interviews…")
    action.trigger()
    chooser = window.interviews_tab.importer.file_dialog
    assert window.tabs.currentWidget() is window.interviews_tab and chooser.isVisible()
    chooser.selectFile(str(otter))
    chooser.accept()
    dialog = window.interviews_tab.importer.dialog
    assert dialog is not None
    qloop.until(lambda: loaded(dialog))
    dialog.candidate.setCurrentIndex(dialog.candidate.findData("Amara Diallo"))
    dialog.role.setText("Product Designer")
    dialog.import_button.click()
    tab = window.interviews_tab
    qloop.until(lambda: tab.header.text() == "Amara Diallo — Product Designer", message="the new interview")
    qloop.until(lambda: "Kwame Asante" in tab.transcript.browser.toPlainText(), message="its transcript")
    assert "Interview imported" in window.statusBar().currentMessage()
    window.close()


def test_a_review_pack_dropped_on_the_interviews_tab_still_opens_as_a_pack(qtbot, qloop, app_context, tmp_path):
    load_demo_data(app_context.engine, profiles=5)
    pack = tmp_path / "week.insighta-pack"
    export_test_pack(app_context.engine, [i.id for i in list_interviews(app_context.engine)[:2]], pack)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(2)  # the Interviews tab is built on its first visit
    assert drop(window.interviews_tab, [pack])  # not taken by the tab: it reaches the window, which asks to unlock
    qloop.until(lambda: window.review_packs.unlock_dialog is not None
                and window.review_packs.unlock_dialog.isVisible(), message="the passphrase dialog")
    assert window.interviews_tab.importer.dialog is None
    window.review_packs.unlock_dialog.reject()
    window.close()
