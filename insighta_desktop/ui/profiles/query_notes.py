"""What the parser did with the words beside the chips: each correction of a misspelling ("interpreted 'nigerain'
as Nigeria") with one click to undo it, the "did you mean Niger or Nigeria?" options of a tie, and, when nothing in
a query was understood, three example queries that work."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from insighta_desktop.profiles.names import NameMatch
from insighta_desktop.profiles.parser import Correction, Suggestion

EXAMPLE_QUERIES = ("Nigerian females aged 20 to 45", "men from Kenya, oldest first", "teenagers in Ghana")
NOTE_STYLE = ("QToolButton { border: 1px dashed #b08a00; border-radius: 10px; padding: 2px 8px; background: #fff8e1;"
              " color: #5d4300; } QToolButton:hover { background: #ffecb3; }")
EXAMPLE_STYLE = ("QToolButton { border: none; color: #1565c0; text-decoration: underline; padding: 2px 4px; }"
                 "QToolButton:hover { color: #0d47a1; }")


class QueryNotes(QWidget):
    undo_correction = Signal(str)  # the words as typed: search again with them taken literally
    replace_words = Signal(str, str)  # words as typed, the option chosen for them
    example_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addStretch(1)
        self.items: list[QWidget] = []
        self.hide()

    def show_notes(self, corrections: tuple[Correction, ...], suggestions: tuple[Suggestion, ...] = ()) -> None:
        self._clear()
        for correction in corrections:
            button = self._button(f"{correction.text}  ↶", NOTE_STYLE)
            button.setToolTip(f"Undo: search for “{correction.from_}” as typed")
            button.setProperty("from_words", correction.from_)
            button.clicked.connect(lambda _=False, w=correction.from_: self.undo_correction.emit(w))
        for suggestion in suggestions:
            self._label(f"“{suggestion.words}”: did you mean")
            for index, option in enumerate(suggestion.options):
                if index:
                    self._label("or")
                button = self._button(option, EXAMPLE_STYLE)
                button.setToolTip(f"Search with {option} instead of “{suggestion.words}”")
                button.clicked.connect(lambda _=False, w=suggestion.words, o=option: self.replace_words.emit(w, o))
            self._label("?")
        self.setVisible(bool(self.items))

    def show_name_match(self, match: NameMatch | None) -> None:
        """Beside the other notes: each typed name word answered by similar names ("no name starts with 'kabroe':
        showing 'kabore'")."""
        for term in match.terms if match is not None else ():
            if term.kind == "fuzzy":
                shown = " or ".join(f"“{w}”" for w, _ in term.words)
                label = self._label(f"no name starts with “{term.term}”: showing {shown}")
                label.setToolTip("Similar names (similarity " + ", ".join(f"{s:.2f}" for _, s in term.words) + ")")
                label.setStyleSheet("color: #5d4300;")
            elif term.kind == "none":
                self._label(f"no name starts with or resembles “{term.term}”").setStyleSheet("color: #5d4300;")
        self.setVisible(bool(self.items))

    def show_examples(self) -> None:
        self._clear()
        self._label("Try:")
        for example in EXAMPLE_QUERIES:
            button = self._button(example, EXAMPLE_STYLE)
            button.setToolTip("Search for this")
            button.clicked.connect(lambda _=False, q=example: self.example_chosen.emit(q))
        self.show()

    def texts(self) -> list[str]:
        return [w.text() for w in self.items]  # type: ignore[attr-defined]

    def buttons(self) -> list[QToolButton]:
        return [w for w in self.items if isinstance(w, QToolButton)]

    def _button(self, text: str, style: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setStyleSheet(style)
        self._add(button)
        return button

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        self._add(label)
        return label

    def _add(self, widget: QWidget) -> None:
        self._layout.insertWidget(len(self.items), widget)
        self.items.append(widget)

    def _clear(self) -> None:
        for widget in self.items:
            self._layout.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self.items = []
        self.hide()
