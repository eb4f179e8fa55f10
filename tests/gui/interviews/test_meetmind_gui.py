"""Settings → "Sync now" from a real MeetMind database, and MeetMind's details in the Interviews tab."""
from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import make_url

from insighta_desktop.config import CredentialStore
from insighta_desktop.interviews.meetmind_sync import sync_meetmind
from insighta_desktop.ui.settings_dialog import SettingsDialog
from tests.gui.interviews.conftest import open_tab
from tests.integration.interviews.test_meetmind_sync import ASSESSMENT
from tests.meetmind_db import INTERVIEW

PASSWORD = "s3cret-pw"


@pytest.fixture
def dialog(qtbot, qloop, app_context):
    widget = SettingsDialog(app_context.settings, app_context.credentials, app_context.paths,
                            engine=app_context.engine)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.meetmind_box.tasks.cancel_all()
    qloop.run(asyncio.sleep(0.05))


def test_sync_now_copies_with_progress_and_keeps_the_password_in_the_keychain(
        dialog, qtbot, qloop, meetmind, app_context):  # noqa: F811
    for n in range(3):
        meetmind.add_interview(f"Candidate {n}", turns=INTERVIEW, assessment=ASSESSMENT)
    box = dialog.meetmind_box
    url = make_url(meetmind.url).set(password=PASSWORD).render_as_string(hide_password=False)
    box.url_edit.setText(url)
    values, threads, synced = [], set(), []
    box.progress.valueChanged.connect(values.append)
    box.synced.connect(lambda: synced.append(box.report))
    original = box._progress
    box._progress = lambda p: (threads.add(threading.current_thread()), original(p))

    qtbot.mouseClick(box.sync_button, Qt.MouseButton.LeftButton)
    assert not box.sync_button.isEnabled() and box.progress.isVisible()
    assert PASSWORD not in box.status.text()
    qloop.until(lambda: synced, message="the sync to finish")

    assert (synced[0].new, synced[0].updated, synced[0].unchanged) == (3, 0, 0)
    assert values[-1] == box.progress.maximum() == 3 and 0 in values
    assert threads == {threading.main_thread()}  # progress reaches widgets on the GUI thread only
    assert box.sync_button.isEnabled()
    assert "3 new, 0 updated, 0 unchanged" in box.status.text()
    assert PASSWORD not in box.status.text() and "***" in box.status.text()
    dialog.grab().save("/tmp/meetmind-settings.png")

    dialog.save()  # the URL to the settings without its password, the password to the keychain
    assert app_context.settings.meetmind_url == meetmind.url.replace("postgresql://", "postgresql+psycopg://")
    assert app_context.credentials.get(CredentialStore.MEETMIND_PASSWORD) == PASSWORD
    assert PASSWORD not in app_context.paths.settings_file.read_text(encoding="utf-8")

    again = SettingsDialog(app_context.settings, app_context.credentials, app_context.paths,
                           engine=app_context.engine)
    qtbot.addWidget(again)
    assert again.meetmind_box.url_edit.text() == app_context.settings.meetmind_url
    assert again.meetmind_box.url() and PASSWORD in again.meetmind_box.url()
    again.meetmind_box.synced.connect(lambda: synced.append(again.meetmind_box.report))
    again.meetmind_box.sync_now()
    qloop.until(lambda: len(synced) == 2, message="the second sync")
    assert (synced[1].new, synced[1].updated, synced[1].unchanged) == (0, 0, 3)


def test_sync_failures_are_a_message(dialog, qloop, meetmind):  # noqa: F811
    box = dialog.meetmind_box
    box.url_edit.setText("mysql://u:pw@host/db")
    qloop.run(box.sync_now())
    assert box.status.text().startswith("Sync failed") and "PostgreSQL" in box.status.text()
    assert box.sync_button.isEnabled() and not box.progress.isVisible()
    box.url_edit.setText("")
    assert box.sync_now() is None and "URL" in box.status.text()
    box.url_edit.setText("mysql://u:pw@host/db")
    dialog.save()
    assert dialog.isVisible()  # not saved: the URL is not a MeetMind (PostgreSQL) one


def test_interviews_tab_shows_the_source_and_meetmind_assessment(tab, qloop, meetmind, app_context):  # noqa: F811
    notes = [("user", "Strong on SQL, ask about system design.", 20)]
    from_json = meetmind.add_interview("Zainab Bello", json_turns=INTERVIEW[:2] + notes + INTERVIEW[2:],
                                       turns=INTERVIEW[:3], assessment=ASSESSMENT)
    qloop.run(sync_meetmind(app_context.engine, meetmind.url))
    open_tab(tab, qloop)
    assert any(i.id == from_json for i in tab.model.rows)  # MeetMind's id is the interview's id

    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 0).data() == "Zainab Bello")
    tab.table.selectRow(row)
    qloop.until(lambda: tab.meetmind.copy is not None and tab.meetmind.copy.interview_id == from_json,
                message="MeetMind's details")
    assert tab.meetmind.isVisible()
    assert "transcript_json" in tab.meetmind.source.text() and "6 turns" in tab.meetmind.source.text()
    assert "Interviewer: Meet Mind" in tab.meetmind.source.text()
    text = tab.meetmind.content.toPlainText()
    assert ASSESSMENT["observation"] in text and "Vague on rate limits" in text
    assert "Recruiter: Strong on SQL" in text
    assert "Strong on SQL" not in tab.transcript.browser.toPlainText()  # a note, not the transcript
    assert "Rebuilt" in tab.transcript.note.text()
    tab.grab().save("/tmp/meetmind-tab.png")

    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 0).data() == "Amara Diallo")
    tab.table.selectRow(row)
    qloop.until(lambda: tab.meetmind.copy is None, message="a demo interview")
    assert not tab.meetmind.isVisible()
