"""The transcript of one interview: coloured speakers, HH:MM:SS, search with highlight, copy and export.

Turns can be highlighted: select them (or right-click one) and press Highlight; highlighted turns are tinted."""
from __future__ import annotations

import html

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.model import Transcript, Turn

SPEAKER_COLOURS = {"interviewer": "#2d5fbf", "candidate": "#1b7a4b"}  # by the speaker's part
OTHER_COLOUR = "#7a4b9a"
HIGHLIGHT = "#fff2b3"  # the turn a citation, search result or highlight jumped to
MARKED = "#e3f1e8"  # turns the recruiter highlighted
MATCH, CURRENT_MATCH = QColor("#ffe680"), QColor("#ffb347")


def transcript_html(transcript: Transcript | None, highlighted: str | None = None,
                    marked: frozenset[str] = frozenset()) -> str:
    if transcript is None:
        return "<p style='color:#778'>Select an interview to read its transcript.</p>"
    if not transcript.turns:
        return "<p style='color:#778'>No transcript yet for this interview.</p>"
    rows = []
    for t in transcript.turns:
        colour = SPEAKER_COLOURS.get(t.role, OTHER_COLOUR)
        tint = HIGHLIGHT if t.id == highlighted else MARKED if t.id in marked else None
        background = f" bgcolor='{tint}'" if tint else ""
        rows.append(
            f"<tr{background}><td style='padding:4px 8px 4px 2px; color:#8a8f99; white-space:pre'>"
            f"<a name='turn-{t.id}'></a>{t.elapsed}</td>"
            f"<td style='padding:4px; color:{colour}; font-weight:600; white-space:pre'>{html.escape(t.speaker_label)}"
            f"</td><td style='padding:4px'>{html.escape(t.content)}</td></tr>")
    return "<table width='100%' cellspacing='0'>" + "".join(rows) + "</table>"


class TranscriptView(QWidget):
    export_requested = Signal(str, str)  # format, path
    highlight_requested = Signal(str, str)  # first and last turn id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript: Transcript | None = None
        self.highlighted: str | None = None
        self.marked: frozenset[str] = frozenset()
        self._matches: list[QTextCursor] = []
        self._current = -1

        self.search = QLineEdit(placeholderText="Search the transcript")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._run_search)
        self.search.returnPressed.connect(self.next_match)
        self.prev_button = QToolButton()
        self.prev_button.setText("▲")
        self.prev_button.setToolTip("Previous match (Shift+Enter)")
        self.next_button = QToolButton()
        self.next_button.setText("▼")
        self.next_button.setToolTip("Next match (Enter)")
        self.prev_button.clicked.connect(self.previous_match)
        self.next_button.clicked.connect(self.next_match)
        self.match_label = QLabel("")
        self.match_label.setStyleSheet("color:#667")
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy_text)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.choose_export)
        self.highlight_button = QPushButton("Highlight")
        self.highlight_button.setToolTip("Highlight the selected turns, or the turn at the cursor, with a note")
        self.highlight_button.clicked.connect(lambda: self.request_highlight())

        self.note = QLabel("")
        self.note.setObjectName("transcriptNote")
        self.note.setStyleSheet("#transcriptNote { color:#8a8f99; font-size: 11px; font-style: italic; }")
        self.note.setWordWrap(True)  # a long note wraps instead of widening the pane (and moving the splitters)
        self.note.setVisible(False)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setHtml(transcript_html(None))
        self.browser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.browser.customContextMenuRequested.connect(self._context_menu)
        self.context_menu: QMenu | None = None

        bar = QHBoxLayout()
        for w in (self.search, self.prev_button, self.next_button, self.match_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.highlight_button)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(self.browser, 1)
        self._set_enabled(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shift:
            self.previous_match()
            return
        super().keyPressEvent(event)

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.search, self.prev_button, self.next_button, self.copy_button, self.export_button,
                  self.highlight_button):
            w.setEnabled(enabled)

    def show_transcript(self, transcript: Transcript | None) -> None:
        self.transcript = transcript
        self.highlighted = None
        self.marked = frozenset()
        self._render()
        self.note.setText((transcript.note or "") if transcript else "")
        self.note.setVisible(bool(transcript and transcript.note))
        self._set_enabled(bool(transcript and transcript.turns))

    def show_message(self, text: str) -> None:
        self.transcript = None
        self.browser.setHtml(f"<p style='color:#778'>{html.escape(text)}</p>")
        self.note.setVisible(False)
        self._set_enabled(False)

    def _render(self) -> None:
        bar = self.browser.verticalScrollBar()
        position = bar.value()
        self.browser.setHtml(transcript_html(self.transcript, self.highlighted, self.marked))
        bar.setValue(position)  # re-rendering (a new mark) keeps the reader where they were
        self._run_search(self.search.text())

    def highlight_turn(self, turn_id: str) -> bool:
        """Scroll to a cited turn and highlight it; False when it is not in this transcript."""
        if self.transcript is None or self.transcript.turn_by_id(turn_id) is None:
            return False
        self.highlighted = turn_id
        self._render()
        self.browser.scrollToAnchor(f"turn-{turn_id}")
        return True

    # --- highlights --------------------------------------------------------------------------
    def set_marked(self, turn_ids: frozenset[str]) -> None:
        """Tint the turns the recruiter highlighted."""
        if turn_ids != self.marked:
            self.marked = frozenset(turn_ids)
            self._render()

    def turn_at(self, position: int) -> Turn | None:
        """The turn whose row holds this document position (the transcript is one table, a row per turn)."""
        if self.transcript is None or not self.transcript.turns:
            return None
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(max(0, min(position, self.browser.document().characterCount() - 1)))
        table = cursor.currentTable()
        if table is None:
            return None
        row = table.cellAt(cursor).row()
        return self.transcript.turns[row] if 0 <= row < len(self.transcript.turns) else None

    def selected_turns(self, at: QPoint | None = None) -> tuple[Turn, Turn] | None:
        """The first and last turn of the selection; without one, the turn under `at` (or the caret)."""
        cursor = self.browser.textCursor()
        if cursor.hasSelection():
            first = self.turn_at(cursor.selectionStart())
            last = self.turn_at(max(cursor.selectionStart(), cursor.selectionEnd() - 1))
        else:
            position = self.browser.cursorForPosition(at).position() if at is not None else cursor.position()
            first = last = self.turn_at(position)
        if first is None or last is None:
            return None
        return first, last

    @staticmethod
    def range_label(turns: tuple[Turn, Turn]) -> str:
        first, last = turns
        return f"turn {first.tag}" if first.id == last.id else f"turns {first.tag}–{last.tag}"

    def request_highlight(self, at: QPoint | None = None) -> bool:
        """Ask for a highlight of the selected turns; False when no turn is selected or under the cursor."""
        turns = self.selected_turns(at)
        if turns is None:
            self.match_label.setText("Select the turns to highlight first")
            return False
        self.highlight_requested.emit(turns[0].id, turns[1].id)
        return True

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.browser.createStandardContextMenu(pos)
        menu.setParent(self, menu.windowFlags())  # owned by the view: deleted with it, not left behind
        turns = self.selected_turns(pos) if self.highlight_button.isEnabled() else None
        if turns is not None:
            action = menu.addAction(f"Highlight {self.range_label(turns)}…")
            action.triggered.connect(lambda: self.highlight_requested.emit(turns[0].id, turns[1].id))
            menu.insertAction(menu.actions()[0], action)
            menu.insertSeparator(menu.actions()[1])
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        menu.popup(self.browser.viewport().mapToGlobal(pos))

    # --- search ------------------------------------------------------------------------------
    def _run_search(self, text: str) -> None:
        self._matches = []
        document = self.browser.document()
        if text.strip():
            cursor = QTextCursor(document)
            while True:
                cursor = document.find(text, cursor)
                if cursor.isNull():
                    break
                self._matches.append(QTextCursor(cursor))
        self._current = 0 if self._matches else -1
        self._paint_matches()

    def _paint_matches(self) -> None:
        selections = []
        for i, cursor in enumerate(self._matches):
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(CURRENT_MATCH if i == self._current else MATCH)
            selection.format, selection.cursor = fmt, cursor
            selections.append(selection)
        self.browser.setExtraSelections(selections)
        if self._current >= 0:
            caret = QTextCursor(self._matches[self._current])
            caret.setPosition(caret.selectionStart())
            self.browser.setTextCursor(caret)
            self.browser.ensureCursorVisible()
        total = len(self._matches)
        self.match_label.setText("" if not self.search.text().strip() else
                                 (f"{self._current + 1} of {total}" if total else "no match"))

    def next_match(self) -> None:
        if self._matches:
            self._current = (self._current + 1) % len(self._matches)
            self._paint_matches()

    def previous_match(self) -> None:
        if self._matches:
            self._current = (self._current - 1) % len(self._matches)
            self._paint_matches()

    @property
    def match_count(self) -> int:
        return len(self._matches)

    def toPlainText(self) -> str:  # noqa: N802 - reads like the QTextEdit it wraps
        return self.browser.toPlainText()

    # --- copy and export ---------------------------------------------------------------------
    def plain_text(self) -> str:
        if self.transcript is None:
            return ""
        return "\n".join(f"[{t.elapsed}] {t.speaker_label}: {t.content}" for t in self.transcript.turns)

    def copy_text(self) -> None:
        cursor = self.browser.textCursor()
        QGuiApplication.clipboard().setText(cursor.selectedText().replace("\u2029", "\n") if cursor.hasSelection()
                                            else self.plain_text())

    def choose_export(self) -> QFileDialog:
        dialog = QFileDialog(self, "Export transcript")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["Plain text (*.txt)", "JSON (*.json)", "WebVTT subtitles (*.vtt)"])
        dialog.selectFile("transcript.txt")
        dialog.fileSelected.connect(self._export_to)
        dialog.open()  # not exec(): the window keeps running
        self._dialog = dialog
        return dialog

    def _export_to(self, path: str) -> None:
        lower = path.lower()
        fmt = "json" if lower.endswith(".json") else "vtt" if lower.endswith(".vtt") else "txt"
        self.export_requested.emit(fmt, path)

