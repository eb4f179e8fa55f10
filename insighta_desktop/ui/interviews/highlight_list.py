"""The highlights of the interview shown: turns, time, who spoke, an excerpt and the note; a click jumps to the turn.

Read-only in a review pack (no Remove button)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.model import ResolvedHighlight

EMPTY_TEXT = "No highlights yet. Select turns in the transcript and press Highlight."
EMPTY_READ_ONLY = "No highlights were exported with this interview."
ID_ROLE = Qt.ItemDataRole.UserRole
TURN_ROLE = Qt.ItemDataRole.UserRole + 1


def item_text(h: ResolvedHighlight) -> str:
    if not h.turns:
        head = "Turns no longer in the transcript"
        body = ""
    else:
        head = f"{h.range_tag} · {h.elapsed} · {h.speakers}"
        body = f"\n“{h.excerpt(140)}”"
    note = f"\nNote: {h.note}" if h.note else ""
    return head + body + note


class HighlightList(QWidget):
    turn_clicked = Signal(str)  # the highlight's first turn
    remove_requested = Signal(str)  # highlight id

    def __init__(self, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.read_only = read_only
        self.highlights: list[ResolvedHighlight] = []
        self.title = QLabel("<b>Highlights</b>")
        self.list = QListWidget()
        self.list.setObjectName("highlightList")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setStyleSheet("#highlightList::item { padding: 4px 2px; border-bottom: 1px solid #e4e6eb; }"
                                "#highlightList::item:selected { background: #dbe6fb; color: #1a1a1a; }")
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.empty = QLabel(EMPTY_READ_ONLY if read_only else EMPTY_TEXT)
        self.empty.setObjectName("highlightsEmpty")
        self.empty.setStyleSheet("#highlightsEmpty { color:#778; }")
        self.empty.setWordWrap(True)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected highlight")
        self.remove_button.clicked.connect(self._remove)
        self.remove_button.setVisible(not read_only)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.show_highlights([])

    def show_highlights(self, highlights: list[ResolvedHighlight]) -> None:
        self.highlights = list(highlights)
        self.list.clear()
        for h in self.highlights:
            item = QListWidgetItem(item_text(h))
            item.setData(ID_ROLE, h.id)
            item.setData(TURN_ROLE, h.first_turn_id if h.turns else "")
            item.setToolTip("Show in the transcript" if h.turns else "Its turns are no longer in the transcript")
            self.list.addItem(item)
        count = len(self.highlights)
        self.title.setText(f"<b>Highlights</b> ({count})" if count else "<b>Highlights</b>")
        self.empty.setVisible(not count)
        self.list.setVisible(bool(count))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.list.currentRow() >= 0)

    def _clicked(self, item: QListWidgetItem) -> None:
        turn = item.data(TURN_ROLE)
        if turn:
            self.turn_clicked.emit(str(turn))

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(str(item.data(ID_ROLE)))
