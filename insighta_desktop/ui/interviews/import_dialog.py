"""Bringing interviews in from transcript files: drop them on the Interviews tab or use File → Import interviews….

The dialog reads the files off the GUI thread and shows, for each, its format and speakers, a dropdown to say which
speaker is the candidate (every other one is an interviewer), and the candidate's name, the role and the date. The
import runs on a worker thread too; the new interview is then selected in the tab.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from insighta_desktop.db.interview_imports import ExistingImport, find_import
from insighta_desktop.interviews.file_import import (
    ImportOptions,
    ImportOutcome,
    ImportRefused,
    TranscriptFile,
    guess_candidate_speaker,
    import_file,
    read_transcript_file,
)
from insighta_desktop.interviews.model import ROLE_CANDIDATE
from insighta_desktop.packs.format import FILE_SUFFIX as PACK_SUFFIX
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

FILE_FILTER = ("Transcripts (*.vtt *.srt *.json *.txt);;WebVTT (*.vtt);;SRT (*.srt);;MeetMind JSON (*.json);;"
               "Text (*.txt);;All files (*)")
CHOOSE = "Choose which speaker is the candidate…"
ERROR_STYLE, OK_STYLE, NOTE_STYLE = "color:#b00020", "color:#1b7a4b", "color:#667"


@dataclass
class FileEntry:
    """One file in the dialog: what reading it gave, and the choices made for it."""

    path: Path
    file: TranscriptFile | None = None
    error: str | None = None
    existing: ExistingImport | None = None
    candidate_speaker: str | None = None
    candidate_name: str = ""
    name_edited: bool = False
    role: str = ""
    date: date | None = None
    outcome: ImportOutcome | None = None

    @property
    def importable(self) -> bool:
        return self.file is not None and self.existing is None and self.outcome is None

    def default_name(self) -> str:
        speaker = self.candidate_speaker or ""
        parsed = self.file.parsed if self.file else None
        if parsed is not None and parsed.candidate_name and speaker.casefold() == ROLE_CANDIDATE:
            return parsed.candidate_name
        return speaker

    def options(self) -> ImportOptions:
        return ImportOptions(candidate_name=self.candidate_name.strip() or None, role=self.role.strip() or None,
                             date=self.date, candidate_speaker=self.candidate_speaker)

    def summary(self) -> str:
        if self.outcome is not None:
            return f"{self.path.name} — imported" if self.outcome.imported else f"{self.path.name} — not imported"
        if self.error is not None:
            return f"{self.path.name} — cannot be imported"
        if self.existing is not None:
            return f"{self.path.name} — already imported"
        if self.file is None:
            return f"{self.path.name} — reading…"
        return f"{self.path.name} — {self.file.parsed.format_label}"


def read_entry(engine: Engine, path: Path) -> FileEntry:
    """Read and parse one file and look for an earlier import of it (blocking: run it on a worker thread)."""
    try:
        file = read_transcript_file(path)
    except ImportRefused as exc:
        return FileEntry(path, error=str(exc))
    parsed = file.parsed
    speaker = guess_candidate_speaker(parsed)
    entry = FileEntry(path, file, existing=find_import(engine, file.sha256), candidate_speaker=speaker,
                      role=parsed.role or "", date=(parsed.started_at or file.modified_at).date())
    entry.candidate_name = entry.default_name()
    return entry


class ImportInterviewsDialog(QDialog):
    imported = Signal(str)  # the id of an interview just imported (or already there) to select

    def __init__(self, engine: Engine, tasks: TaskRunner, paths: list[Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import interviews")
        self._engine, self._tasks = engine, tasks
        self.entries = [FileEntry(p) for p in paths]
        self.busy = False
        self.files = QListWidget()
        self.files.setMaximumHeight(110)
        self.files.currentRowChanged.connect(self._show_entry)
        self.file_name = QLabel()
        self.file_name.setStyleSheet("font-weight:600")
        self.format = QLabel()
        self.speakers = QLabel()
        self.speakers.setWordWrap(True)
        self.candidate = QComboBox()
        self.candidate.currentIndexChanged.connect(self._candidate_changed)
        self.interviewers = QLabel()
        self.interviewers.setWordWrap(True)
        self.interviewers.setStyleSheet(NOTE_STYLE)
        self.name = QLineEdit()
        self.name.textChanged.connect(self._name_edited)
        self._showing = False  # fields being filled from an entry, not edited
        self.role = QLineEdit(placeholderText="Unspecified")
        self.role.textChanged.connect(self._role_edited)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.dateChanged.connect(self._date_edited)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow("Format:", self.format)
        form.addRow("Speakers:", self.speakers)
        form.addRow("Candidate is:", self.candidate)
        form.addRow("", self.interviewers)
        form.addRow("Candidate name:", self.name)
        form.addRow("Role:", self.role)
        form.addRow("Date:", self.date)
        self.status = QLabel("Reading the files…")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.files)
        layout.addWidget(self.file_name)
        layout.addWidget(self.form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.files.setVisible(len(paths) > 1)
        for entry in self.entries:
            self.files.addItem(QListWidgetItem(entry.summary()))
        self.form.setEnabled(False)
        self.resize(560, 440 if len(paths) > 1 else 330)
        self.importing: asyncio.Task[None] | None = None
        self.finished.connect(self._stop)
        self.loaded = self._tasks.spawn(self._load())

    def _stop(self, _result: int) -> None:
        """Closed: stop waiting for the files still being read (an import under way finishes on its thread)."""
        for task in (self.loaded, self.importing):
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()

    # --- reading ------------------------------------------------------------------------------
    async def _load(self) -> None:
        for row, entry in enumerate(self.entries):
            self.entries[row] = await in_thread(read_entry, self._engine, entry.path)
            self.files.item(row).setText(self.entries[row].summary())
            if self.files.currentRow() in (-1, row):
                self.files.setCurrentRow(row)
                self._show_entry(row)
        self._refresh_buttons()

    @property
    def current(self) -> FileEntry | None:
        row = max(0, self.files.currentRow())
        return self.entries[row] if row < len(self.entries) else None

    def _show_entry(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        self._showing = True
        try:
            self._fill(self.entries[row])
        finally:
            self._showing = False

    def _fill(self, entry: FileEntry) -> None:
        self.file_name.setText(entry.path.name)
        parsed = entry.file.parsed if entry.file else None
        self.form.setEnabled(entry.importable and not self.busy)
        self.form.setVisible(parsed is not None and entry.existing is None)
        if parsed is not None:
            damaged = f"; {parsed.skipped} damaged cue(s) skipped" if parsed.skipped else ""
            self.format.setText(f"{parsed.format_label} — {len(parsed.turns)} turns{damaged}")
            counts = {s: sum(1 for t in parsed.turns if t.speaker == s) for s in parsed.speakers}
            self.speakers.setText(", ".join(f"{s} ({n} turn{'s' if n != 1 else ''})" for s, n in counts.items()))
            self.candidate.blockSignals(True)
            self.candidate.clear()
            self.candidate.addItem(CHOOSE, None)
            for speaker in parsed.speakers:
                self.candidate.addItem(speaker, speaker)
            self.candidate.setCurrentIndex(max(0, self.candidate.findData(entry.candidate_speaker)))
            self.candidate.blockSignals(False)
            self.name.setText(entry.candidate_name)
            self.role.setText(entry.role)
            if entry.date is not None:
                self.date.setDate(QDate(entry.date.year, entry.date.month, entry.date.day))
            self._show_interviewers(entry)
        self._show_status(entry)

    def _show_interviewers(self, entry: FileEntry) -> None:
        parsed = entry.file.parsed if entry.file else None
        if parsed is None or entry.candidate_speaker is None:
            self.interviewers.setText("Every other speaker will be an interviewer.")
            return
        others = [s for s in parsed.speakers if s != entry.candidate_speaker]
        self.interviewers.setText(f"Interviewer{'s' if len(others) != 1 else ''}: {', '.join(others)}"
                                  if others else "No interviewer speaks in this file.")

    def _show_status(self, entry: FileEntry) -> None:
        if entry.outcome is not None:
            self._say(entry.outcome.describe(), OK_STYLE if entry.outcome.imported else ERROR_STYLE)
        elif entry.error is not None:
            self._say(f"{entry.path.name} cannot be imported: {entry.error}.", ERROR_STYLE)
        elif entry.existing is not None:
            when = entry.existing.imported_at.strftime("%Y-%m-%d %H:%M")
            self._say(f"Already imported on {when} UTC as {entry.existing.candidate_name}: importing it again "
                      "changes nothing.", NOTE_STYLE)
        elif entry.file is None:
            self._say("Reading…", NOTE_STYLE)
        elif entry.candidate_speaker is None:
            self._say("Choose which speaker is the candidate.", NOTE_STYLE)
        else:
            self._say("Ready to import.", NOTE_STYLE)

    def _say(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    # --- choices ------------------------------------------------------------------------------
    def _update(self, **changes: object) -> None:
        entry = self.current
        if entry is not None and entry.importable:
            for name, value in changes.items():
                setattr(entry, name, value)
            self._refresh_buttons()

    def _candidate_changed(self, _index: int) -> None:
        entry = self.current
        if entry is None or not entry.importable:
            return
        entry.candidate_speaker = self.candidate.currentData()
        if not entry.name_edited:
            entry.candidate_name = entry.default_name()
            self._showing = True
            self.name.setText(entry.candidate_name)
            self._showing = False
        self._show_interviewers(entry)
        self._show_status(entry)
        self._refresh_buttons()

    def _role_edited(self, text: str) -> None:
        if not self._showing:
            self._update(role=text)

    def _date_edited(self, value: QDate) -> None:
        if not self._showing:
            self._update(date=value.toPython())

    def _name_edited(self, text: str) -> None:
        if not self._showing:
            self._update(candidate_name=text, name_edited=bool(text.strip()))

    def _refresh_buttons(self) -> None:
        ready = [e for e in self.entries if e.importable]
        existing = [e for e in self.entries if e.existing is not None]
        if not ready and existing:
            self.import_button.setText("Show interview")
            self.import_button.setEnabled(not self.busy)
            return
        count = f" {len(ready)}" if len(ready) > 1 else ""
        self.import_button.setText(f"Import{count}")
        self.import_button.setEnabled(bool(ready) and not self.busy and
                                      all(e.candidate_speaker is not None for e in ready))

    # --- importing ----------------------------------------------------------------------------
    def start_import(self) -> asyncio.Task[None] | None:
        ready = [e for e in self.entries if e.importable]
        if not ready:
            existing = next((e.existing for e in self.entries if e.existing is not None), None)
            if existing is not None:
                self.imported.emit(existing.interview_id)
                self.accept()
            return None
        self.busy = True
        self.form.setEnabled(False)
        self._refresh_buttons()
        self._say("Importing…", NOTE_STYLE)
        self.importing = self._tasks.spawn(self._import(ready))
        return self.importing

    async def _import(self, ready: list[FileEntry]) -> None:
        last_id = None
        for entry in ready:
            assert entry.file is not None
            outcome = await in_thread(import_file, self._engine, entry.file, entry.options())
            entry.outcome = outcome
            row = self.entries.index(entry)
            self.files.item(row).setText(entry.summary())
            if outcome.interview_id is not None:
                last_id = outcome.interview_id
        self.busy = False
        self.outcomes = [e.outcome for e in ready if e.outcome is not None]
        failed = [o for o in self.outcomes if not o.imported]
        if last_id is not None:
            self.imported.emit(last_id)
        if not failed:
            self.accept()
            return
        self.files.setCurrentRow(self.entries.index(next(e for e in ready if e.outcome in failed)))
        self._show_entry(self.files.currentRow())
        self._refresh_buttons()


class InterviewImporter(QObject):
    """Takes files dropped on a widget (the Interviews tab) or chosen from a file dialog into the import dialog."""

    imported = Signal(str)

    def __init__(self, target: QWidget, engine: Callable[[], Engine], tasks: TaskRunner) -> None:
        super().__init__(target)
        self._target, self._engine, self._tasks = target, engine, tasks
        self.dialog: ImportInterviewsDialog | None = None
        self.file_dialog: QFileDialog | None = None
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if watched is self._target and kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            assert isinstance(event, QDropEvent)  # QDragEnterEvent and QDragMoveEvent are QDropEvents
            paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
            if not paths or all(p.name.endswith(PACK_SUFFIX) for p in paths):
                return False  # not files, or review packs: the main window opens those
            event.acceptProposedAction()
            if kind == QEvent.Type.Drop:
                self.open_files(paths)
            return True
        return False

    def choose_files(self) -> QFileDialog:
        """A file dialog (not modal to the event loop: this may run from a menu while coroutines are pending)."""
        dialog = QFileDialog(self._target.window(), "Import interviews", "", FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(lambda names: self.open_files([Path(n) for n in names]))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.file_dialog = dialog
        return dialog

    def _forget(self, dialog: ImportInterviewsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None  # it deletes itself on close

    def open_files(self, paths: list[Path]) -> ImportInterviewsDialog:
        dialog = ImportInterviewsDialog(self._engine(), self._tasks, paths, self._target.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self.imported)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        dialog.open()
        self.dialog = dialog
        return dialog
