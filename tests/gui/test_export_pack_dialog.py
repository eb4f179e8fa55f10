"""File → Export review pack…: the checked interviews and the search go into an encrypted pack signed with this
installation's key; passphrase, expiry and masking are chosen in the dialog; empty or bad choices refused."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from insighta_desktop.interviews import repository
from insighta_desktop.packs import load_identity, open_pack, read_sealed
from insighta_desktop.packs.redaction import EMAIL_MASK
from insighta_desktop.ui.main_window import MainWindow
from tests.integration.packs.packdata import PASSPHRASE, fill_source

SCREENSHOTS = Path("/tmp/insighta-screens")


@pytest.fixture
def app_context(sqlite_url, app_paths, credentials):
    """The dialog does not depend on the back end (the pack tests export from both): SQLite only."""
    from insighta_desktop.context import open_context

    ctx = open_context(sqlite_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


def test_export_dialog_writes_the_checked_interviews_and_the_search(app_context, tmp_path, qtbot, qloop):
    ids = fill_source(app_context.engine)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert texts[:2] == ["Open &review pack…", "&Export review pack…"]
    dialog = window.review_packs.open_export_dialog()
    qloop.until(dialog.loaded.done, message="the interview list")
    assert dialog.interviews.count() == len(ids)
    own = load_identity(app_context.credentials)  # made when the dialog opened, kept in the keychain
    assert own.persistent and own.fingerprint in dialog.fingerprint.text()
    assert not dialog.keychain_notice.isVisible()
    assert dialog.redact.isChecked()  # masking is on unless unticked
    assert dialog.expires_box.isChecked() and dialog.expires.date() == QDate.currentDate().addDays(90)
    for row in (0, 2):
        dialog.interviews.item(row).setCheckState(Qt.CheckState.Checked)
    dialog.search.setText("women")
    assert dialog.include_search.isChecked()
    dialog.out.setText(str(tmp_path / "from-gui"))
    dialog.signer_name.setText("  Ada   Obi ")
    last_day = date.today() + timedelta(days=14)
    dialog.expires.setDate(QDate(last_day.year, last_day.month, last_day.day))

    for first, again, refusal in [("", "", "at least 10 characters"), ("too short", "too short", "at least 10"),
                                  (PASSPHRASE, PASSPHRASE + "!", "The two passphrases differ")]:
        dialog.passphrase.setText(first)
        dialog.passphrase_again.setText(again)
        task = dialog.export()
        qloop.until(task.done, message="the refusal")
        assert "Not exported" in dialog.status.text() and refusal in dialog.status.text(), dialog.status.text()
    assert not (tmp_path / "from-gui.insighta-pack").exists()

    dialog.passphrase_again.setText(PASSPHRASE)
    task = dialog.export()
    qloop.until(task.done, message="the export")
    assert "Wrote" in dialog.status.text() and "encrypted and signed" in dialog.status.text(), dialog.status.text()
    assert "2 email(s) and 0 phone number(s) masked" in dialog.status.text()
    SCREENSHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SCREENSHOTS / "export-pack-dialog.png"))
    path = tmp_path / "from-gui.insighta-pack"
    header = read_sealed(path).header
    assert header.signer.name == "Ada Obi" and header.signer.public_key == own.public_key
    assert header.expires == last_day
    assert app_context.settings.pack_signer_name == "Ada Obi"  # remembered for the next export
    pack = open_pack(path, PASSPHRASE)
    try:
        listed = [i.id for i in repository.list_interviews(app_context.engine)]
        assert pack.interview_ids == [listed[0], listed[2]]
        assert pack.manifest.search.query == "women" and pack.manifest.search.included > 0
        assert repository.get_interview(pack.engine, listed[0]).summary.candidate_email == EMAIL_MASK
    finally:
        pack.close()
    dialog.search.setText("")
    for row in range(dialog.interviews.count()):
        dialog.interviews.item(row).setCheckState(Qt.CheckState.Unchecked)
    task = dialog.export()
    qloop.until(task.done, message="the refusal")
    assert "Not exported: Choose at least one interview" in dialog.status.text()
    dialog.close()


def test_unticked_masking_and_expiry_export_as_they_are(app_context, tmp_path, qtbot, qloop):
    ids = fill_source(app_context.engine)
    window = MainWindow(app_context, load_demo_on_first_run=False)
    qtbot.addWidget(window)
    dialog = window.review_packs.open_export_dialog()
    qloop.until(dialog.loaded.done, message="the interview list")
    dialog.interviews.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.redact.setChecked(False)
    dialog.expires_box.setChecked(False)
    assert not dialog.expires.isEnabled()
    dialog.out.setText(str(tmp_path / "plain.insighta-pack"))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.passphrase_again.setText(PASSPHRASE)
    qloop.until(dialog.export().done, message="the export")
    header = read_sealed(tmp_path / "plain.insighta-pack").header
    assert header.expires is None and header.contents["redacted"] is None
    pack = open_pack(tmp_path / "plain.insighta-pack", PASSPHRASE)
    try:
        first = pack.interview_ids[0]
        assert first in ids
        email = repository.get_interview(pack.engine, first).summary.candidate_email
        assert email == repository.get_interview(app_context.engine, first).summary.candidate_email
    finally:
        pack.close()
    dialog.close()


def test_without_a_keychain_the_dialog_says_the_key_is_for_this_session(sqlite_url, app_paths, qtbot, qloop):
    import keyring.backends.fail

    from insighta_desktop.config import CredentialStore
    from insighta_desktop.context import open_context

    ctx = open_context(sqlite_url, paths=app_paths, credentials=CredentialStore(keyring.backends.fail.Keyring()))
    try:
        window = MainWindow(ctx, load_demo_on_first_run=False)
        qtbot.addWidget(window)
        dialog = window.review_packs.open_export_dialog()
        qloop.until(dialog.loaded.done, message="the signing key")
        assert dialog.keychain_notice.isVisible()
        assert dialog.keychain_notice.text().startswith("No system keychain is available here, so packs are signed "
                                                        "with a key kept for this session only")
        dialog.grab().save(str(SCREENSHOTS / "export-pack-no-keychain.png")) if SCREENSHOTS.exists() else None
        dialog.close()
    finally:
        ctx.close()
