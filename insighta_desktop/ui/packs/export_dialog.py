"""File → Export review pack…: choose interviews (and optionally a profile search), write one encrypted, signed pack.

The exporter chooses the passphrase (typed twice), an optional expiry date and whether candidates' email
addresses and phone numbers are masked (on by default). The pack is signed with this installation's key; the
dialog shows its fingerprint, and says so when there is no keychain to keep the key beyond this session.
"""
from __future__ import annotations

import asyncio
import dataclasses
import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.context import AppContext
from insighta_desktop.interviews import repository
from insighta_desktop.packs import (
    FILE_SUFFIX,
    PackError,
    SigningIdentity,
    load_identity,
)
from insighta_desktop.packs.container import MIN_PASSPHRASE_LENGTH, check_passphrase, day_text
from insighta_desktop.packs.signing import clean_signer_name
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

DEFAULT_EXPIRY_DAYS = 90
WARN, BAD = "#8a5a00", "#b00020"


@dataclasses.dataclass(frozen=True)
class ExportChoices:
    passphrase: str
    signer: SigningIdentity
    expires: date | None
    redact: bool


class ExportPackDialog(QDialog):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, *, selected_id: str | None = None, search_text: str = "",
                 default_dir: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export review pack")
        self._ctx, self._tasks, self._selected_id = ctx, tasks, selected_id
        self.identity: SigningIdentity | None = None
        self.interviews = QListWidget()
        self.include_search = QCheckBox("Include the profiles found by this search:")
        self.search = QLineEdit(search_text, placeholderText="e.g. Nigerian females aged 20 to 45")
        self.include_search.setChecked(bool(search_text.strip()))
        self.search.textChanged.connect(lambda text: self.include_search.setChecked(bool(text.strip())))
        self.out = QLineEdit(str((default_dir or Path.home()) / f"review{FILE_SUFFIX}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.choose_file)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                    placeholderText=f"at least {MIN_PASSPHRASE_LENGTH} characters")
        self.passphrase_again = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="the same again")
        self.redact = QCheckBox("Mask candidates' email addresses and phone numbers")
        self.redact.setChecked(True)
        self.expires_box = QCheckBox("Stop opening after")
        self.expires_box.setChecked(True)
        self.expires = QDateEdit(QDate.currentDate().addDays(DEFAULT_EXPIRY_DAYS))
        self.expires.setCalendarPopup(True)
        self.expires.setDisplayFormat("d MMM yyyy")
        self.expires.setMinimumDate(QDate.currentDate())
        self.expires_box.toggled.connect(self.expires.setEnabled)
        self.signer_name = QLineEdit(placeholderText="your name, as reviewers will see it")
        self.fingerprint = QLabel("Loading this installation's signing key…")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keychain_notice = QLabel("")
        self.keychain_notice.setWordWrap(True)
        self.keychain_notice.setStyleSheet(f"color: {WARN};")
        self.keychain_notice.hide()
        self.status = QLabel("The pack is encrypted: send the passphrase to reviewers separately from the file. It "
                             "opens read-only and offline on any machine with Insighta Desktop.")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        self._lay_out(browse)
        self.loaded = self._tasks.spawn(self._load(), key="export-pack-list")

    def _lay_out(self, browse: QPushButton) -> None:
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        expiry_row = QHBoxLayout()
        expiry_row.addWidget(self.expires_box)
        expiry_row.addWidget(self.expires)
        expiry_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Save as:", out_row)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("Passphrase again:", self.passphrase_again)
        form.addRow("Expiry:", expiry_row)
        form.addRow("", self.redact)
        form.addRow("Signed as:", self.signer_name)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Interviews to include (transcript, assessment, chat and session data):"))
        layout.addWidget(self.interviews, 1)
        layout.addWidget(self.include_search)
        layout.addWidget(self.search)
        layout.addLayout(form)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.keychain_notice)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(680, 700)

    async def _load(self) -> None:
        ctx = self._ctx
        self.identity = await in_thread(load_identity, ctx.credentials, ctx.settings.pack_signer_name)
        self.signer_name.setText(self.identity.name)
        self.fingerprint.setText("This installation's key fingerprint (reviewers see it when they open the pack):"
                                 f"<br><span style='font-family: monospace'>{self.identity.fingerprint}</span>")
        if self.identity.keychain_notice:
            self.keychain_notice.setText(self.identity.keychain_notice)
            self.keychain_notice.show()
        for summary in await in_thread(ctx.packs.interviews):
            when = summary.scheduled_at.strftime("%Y-%m-%d") if summary.scheduled_at else "no date"
            item = QListWidgetItem(f"{summary.candidate_name} — {summary.role} ({when})")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if summary.id == self._selected_id else Qt.CheckState.Unchecked)
            self.interviews.addItem(item)

    def chosen_ids(self) -> list[str]:
        items = (self.interviews.item(i) for i in range(self.interviews.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save review pack", self.out.text(),
                                              f"Insighta review packs (*{FILE_SUFFIX})")
        if name:
            self.out.setText(name)

    def choices(self) -> ExportChoices:
        """What the form says, or PackError with the one thing to fix."""
        if self.identity is None:
            raise PackError("The signing key is still loading; try again in a moment")
        passphrase = self.passphrase.text()
        check_passphrase(passphrase)
        if self.passphrase_again.text() != passphrase:
            raise PackError("The two passphrases differ: type the same passphrase twice")
        day = self.expires.date()
        expires = date(day.year(), day.month(), day.day()) if self.expires_box.isChecked() else None
        signer = dataclasses.replace(self.identity, name=clean_signer_name(self.signer_name.text()))
        return ExportChoices(passphrase, signer, expires, self.redact.isChecked())

    def _remember_signer_name(self, name: str) -> None:
        settings = self._ctx.settings
        if settings.pack_signer_name != name:
            settings.pack_signer_name = name
            settings.save(self._ctx.paths.settings_file)

    def _fail(self, message: str) -> None:
        self.status.setText(f"<span style='color:{BAD}'>Not exported: {html.escape(message)}</span>")

    def export(self) -> asyncio.Task[None]:
        return self._tasks.spawn(self._export(), key="export-pack")

    async def _export(self) -> None:
        out = Path(self.out.text().strip()).expanduser()
        if not out.suffix:
            out = out.with_suffix(FILE_SUFFIX)
        search_text = self.search.text().strip() if self.include_search.isChecked() else None
        try:
            choices = self.choices()
        except PackError as exc:
            self._fail(str(exc))
            return
        self.export_button.setEnabled(False)
        self.status.setText("Writing the pack…")
        try:
            manifest = await in_thread(
                self._ctx.packs.export, self.chosen_ids(), out, passphrase=choices.passphrase, signer=choices.signer,
                search_text=search_text, expires=choices.expires, redact=choices.redact)
        except (PackError, repository.NotFound, OSError) as exc:
            self._fail(str(exc))
            return
        finally:
            self.export_button.setEnabled(True)
        self._remember_signer_name(choices.signer.name)
        parts = [f"{len(manifest.interviews)} interview(s)"]
        if manifest.search is not None:
            parts.append(f"{manifest.search.included:,} profiles")
        masked = manifest.extra.get("redacted")
        if masked is not None:
            parts.append(f"{masked['emails']} email(s) and {masked['phones']} phone number(s) masked")
        expiry = f" Opens until {day_text(choices.expires)}." if choices.expires else ""
        self.status.setText(f"Wrote {html.escape(str(out))} ({out.stat().st_size / 1024:.0f} KiB, encrypted and "
                            f"signed): {', '.join(parts)}.{expiry}")
        self.written = out

