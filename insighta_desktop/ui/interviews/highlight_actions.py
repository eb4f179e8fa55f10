"""Highlighting on the Interviews tab: the note dialog, saving and removing highlights, the list and the tints.

The tab gives its transcript view, highlight list and banner; everything else about highlights lives here, so the
tab only wires it (HighlightActions(tab)) and asks for the highlights of each interview it shows (load).
"""
from __future__ import annotations

import asyncio
import html
import logging
from typing import Any, Protocol

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from insighta_desktop.interviews.failures import explain
from insighta_desktop.interviews.highlights import MAX_NOTE
from insighta_desktop.interviews.model import ResolvedHighlight, Transcript
from insighta_desktop.ui.interviews.highlight_list import HighlightList
from insighta_desktop.ui.interviews.problem_banner import ProblemBanner
from insighta_desktop.ui.interviews.transcript_view import TranscriptView
from insighta_desktop.ui.shared.tasks import TaskRunner

log = logging.getLogger(__name__)


class HighlightDialog(QDialog):
    """Which turns, and an optional note. Opened with open(), never exec()."""

    def __init__(self, what: str, excerpt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Highlight")
        self.setMinimumWidth(440)
        self.what = QLabel(f"<b>Highlight {html.escape(what)}</b><br><span style='color:#556'>"
                           f"“{html.escape(excerpt)}”</span>")
        self.what.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("A note (optional): why this matters, what to ask next…")
        self.note.setFixedHeight(90)
        self.limit = QLabel("")
        self.limit.setStyleSheet("color:#b00020")
        self.note.textChanged.connect(self._check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Highlight")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what)
        layout.addWidget(self.note)
        layout.addWidget(self.limit)
        layout.addWidget(self.buttons)
        self._check()

    def _check(self) -> None:
        length = len(self.note.toPlainText().strip())
        too_long = length > MAX_NOTE
        self.limit.setText(f"The note is {length:,} characters long; keep it under {MAX_NOTE:,}." if too_long else "")
        self.limit.setVisible(too_long)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not too_long)

    def note_text(self) -> str:
        return self.note.toPlainText()


class _Tab(Protocol):
    """What the actions need from the Interviews tab."""

    current_id: str | None
    transcript: TranscriptView
    highlight_list: HighlightList
    banner: ProblemBanner
    _tasks: TaskRunner

    @property
    def services(self) -> Any: ...


class HighlightActions:
    def __init__(self, tab: _Tab) -> None:
        self.tab = tab
        self.dialog: HighlightDialog | None = None
        tab.transcript.highlight_requested.connect(self.request)
        tab.highlight_list.turn_clicked.connect(tab.transcript.highlight_turn)
        tab.highlight_list.remove_requested.connect(self.remove)

    def request(self, first_turn_id: str, last_turn_id: str) -> HighlightDialog | None:
        """Open the note dialog for these turns of the interview shown."""
        interview_id, transcript = self.tab.current_id, self.tab.transcript.transcript
        if interview_id is None or transcript is None or transcript.interview_id != interview_id:
            return None
        first, last = transcript.turn_by_id(first_turn_id), transcript.turn_by_id(last_turn_id)
        if first is None or last is None:
            return None
        what = TranscriptView.range_label((first, last))
        excerpt = first.content if len(first.content) <= 160 else first.content[:159] + "…"
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog = HighlightDialog(what, excerpt, self.tab.transcript)
        dialog.accepted.connect(lambda: self._save(interview_id, first.id, last.id, dialog.note_text()))
        dialog.open()
        return dialog

    def _save(self, interview_id: str, first: str, last: str, note: str) -> asyncio.Task[Any]:
        return self.tab._tasks.spawn(self.add(interview_id, first, last, note), key=f"highlight-{interview_id}")

    async def add(self, interview_id: str, first: str, last: str, note: str | None) -> ResolvedHighlight | None:
        try:
            made: ResolvedHighlight = await self.tab.services.highlights.add(interview_id, first, last, note)
        except Exception as exc:
            log.warning("The highlight was not saved", exc_info=exc)
            if interview_id == self.tab.current_id:
                self.tab.banner.show_problem(f"The highlight was not saved. {explain(exc, 'The database').text}")
            return None
        await self.load(interview_id)
        return made

    def remove(self, highlight_id: str) -> asyncio.Task[Any] | None:
        interview_id = self.tab.current_id
        if interview_id is None:
            return None
        return self.tab._tasks.spawn(self._remove(interview_id, highlight_id), key=f"highlight-{interview_id}")

    async def _remove(self, interview_id: str, highlight_id: str) -> None:
        try:
            await self.tab.services.highlights.delete(highlight_id)
        except Exception as exc:
            log.warning("The highlight was not removed", exc_info=exc)
            if interview_id == self.tab.current_id:
                self.tab.banner.show_problem(f"The highlight was not removed. {explain(exc, 'The database').text}")
            return
        await self.load(interview_id)

    async def load(self, interview_id: str, transcript: Transcript | None = None) -> None:
        """Show the interview's highlights in the list and tint their turns (if it is still the one shown)."""
        shown = self.tab.transcript.transcript
        if transcript is None and shown is not None and shown.interview_id == interview_id:
            transcript = shown
        try:
            highlights = await self.tab.services.highlights.list(interview_id, transcript)
        except Exception as exc:
            log.warning("Highlights of %s could not be loaded", interview_id, exc_info=exc)
            highlights = []
        if interview_id != self.tab.current_id:
            return
        self.tab.highlight_list.show_highlights(highlights)
        self.tab.transcript.set_marked(frozenset(t.id for h in highlights for t in h.turns))
