"""Opening a pack: who signed it, whether they are trusted (trust on first use), and its passphrase.

The dialog stays open on a wrong passphrase and says so; `unlock_interactively` drives it from a coroutine
(`open()`, never `exec()`), decrypting off the GUI thread.
"""
from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from insighta_desktop.config import CredentialStore
from insighta_desktop.packs import (
    ReviewPack,
    SealedPack,
    TrustStore,
    TrustVerdict,
    WrongPassphrase,
    read_sealed,
    unlock,
)
from insighta_desktop.packs.container import day_text
from insighta_desktop.packs.signing import own_public_key
from insighta_desktop.ui.shared.tasks import in_thread

OK_COLOUR, WARN_COLOUR, BAD_COLOUR = "#1b7a1b", "#8a5a00", "#b00020"


def inspect_pack(path: Path, trust: TrustStore,
                 credentials: CredentialStore | None) -> tuple[SealedPack, TrustVerdict, bytes | None]:
    """Off the GUI thread: check structure, signature and expiry, and what this installation thinks of the signer."""
    sealed = read_sealed(path, today=date.today())
    own_key = own_public_key(credentials) if credentials is not None else None
    return sealed, trust.verdict(sealed.signer, own_key), own_key


def trust_colour(verdict: TrustVerdict) -> str:
    return OK_COLOUR if verdict.trusted else (BAD_COLOUR if verdict.status == "key_changed" else WARN_COLOUR)


def signer_html(verdict: TrustVerdict, *, fingerprint_below: bool = False) -> str:
    """Name, grouped fingerprint (monospace) and trust, coloured by how far to trust it."""
    signer = verdict.signer
    name = f"Signed by <b>{html.escape(signer.name)}</b>"
    trust = f"<b style='color:{trust_colour(verdict)}'>{html.escape(verdict.label)}</b>"
    fingerprint = f"fingerprint <span style='font-family: monospace'>{signer.fingerprint}</span>"
    if fingerprint_below:
        return f"{name} · {trust}<br>{fingerprint[0].upper()}{fingerprint[1:]}"
    return f"{name} · {fingerprint} · {trust}"


class UnlockPackDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, sealed: SealedPack, verdict: TrustVerdict, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open review pack")
        self.sealed, self.verdict = sealed, verdict
        header = sealed.header
        self.title = QLabel(f"<b>{html.escape(sealed.name)}</b> is encrypted. Enter the passphrase the sender "
                            "gave you.")
        self.title.setWordWrap(True)
        self.signer = QLabel(signer_html(verdict, fingerprint_below=True))
        self.signer.setObjectName("unlockSigner")
        self.signer.setWordWrap(True)
        self.warning = QLabel(verdict.warning() or "")
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {trust_colour(verdict)};")
        self.warning.setVisible(bool(verdict.warning()))
        expires = f"Opens until {day_text(header.expires)}." if header.expires else "No expiry date."
        self.details = QLabel(f"Created {header.created_at[:10]} · {expires}")
        self.trust_box = QCheckBox(f"Trust this new key for {verdict.signer.name} as well"
                                   if verdict.status == "key_changed"
                                   else f"Trust {verdict.signer.name} (this fingerprint) for future packs")
        self.trust_box.setVisible(not verdict.trusted)
        self.trust_box.setChecked(verdict.status == "unknown")  # first use: trust; a changed key: only on purpose
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="Passphrase")
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setObjectName("unlockError")
        self.error.setStyleSheet(f"color: {BAD_COLOUR};")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.signer, self.warning, self.details, self.trust_box, self.passphrase, self.error,
                       self.buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(720)  # the grouped fingerprint on one line

    def submit(self) -> None:
        if not self.passphrase.text():
            self.show_error("Enter the pack's passphrase.")
            return
        self.set_busy(True)
        self.submitted.emit(self.passphrase.text())

    def set_busy(self, busy: bool) -> None:
        self.open_button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        if busy:
            self.error.setText("Checking the passphrase…")
            self.error.setStyleSheet("")

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setStyleSheet(f"color: {BAD_COLOUR};")
        self.error.setText(message)
        self.passphrase.selectAll()
        self.passphrase.setFocus()


@dataclass
class Unlocked:
    pack: ReviewPack
    verdict: TrustVerdict


async def _next_passphrase(dialog: UnlockPackDialog) -> str | None:
    """The next passphrase submitted, or None once the dialog is cancelled or closed."""
    future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def settle(value: str | None) -> None:
        if not future.done():
            future.set_result(value)

    def on_submit(text: str) -> None:
        settle(text)

    def on_finish(_result: int) -> None:
        settle(None)

    dialog.submitted.connect(on_submit)
    dialog.finished.connect(on_finish)
    try:
        return await future
    finally:
        dialog.submitted.disconnect(on_submit)
        dialog.finished.disconnect(on_finish)


async def unlock_interactively(dialog: UnlockPackDialog, path: Path, trust: TrustStore,
                               own_key: bytes | None = None) -> Unlocked | None:
    """Ask until the passphrase is right (None when cancelled); record the signer as trusted when asked to."""
    sealed = dialog.sealed
    if not dialog.isVisible():
        dialog.open()
    try:
        while True:
            passphrase = await _next_passphrase(dialog)
            if passphrase is None:
                return None
            try:
                pack = await in_thread(unlock, path, sealed, passphrase, today=date.today())
            except WrongPassphrase as exc:
                dialog.show_error(f"{exc} Try again.")
                continue
            if not dialog.verdict.trusted and dialog.trust_box.isChecked():
                await in_thread(trust.trust, sealed.signer)
            verdict = await in_thread(trust.verdict, sealed.signer, own_key)
            dialog.accept()
            return Unlocked(pack, verdict)
    finally:
        if dialog.isVisible():
            dialog.reject()
