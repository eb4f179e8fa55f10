"""A one-line banner above an interview: what went wrong and what to do, with buttons for the way forward."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QWidget

STYLES = {
    "error": "#problemBanner { background: #fdecee; border: 1px solid #f0b8c0; border-radius: 4px; }"
             " #problemText { color: #8c1022; }",
    "info": "#problemBanner { background: #eaf3ec; border: 1px solid #b9dcc4; border-radius: 4px; }"
            " #problemText { color: #1b5e3b; }",
}
Action = tuple[str, Callable[[], object]]


class ProblemBanner(QFrame):
    """Hidden until there is something to say; the tab clears it when another interview is selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemBanner")
        self.text = QLabel()
        self.text.setObjectName("problemText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear_problem)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 4, 4)
        self._layout.addWidget(self.text, 1)
        self._layout.addWidget(self.close_button)
        self.buttons: dict[str, QPushButton] = {}
        self.kind = ""
        self.setVisible(False)

    def show_problem(self, text: str, actions: Sequence[Action] = (), *, kind: str = "error") -> None:
        self._clear_buttons()
        self.kind = kind
        self.setStyleSheet(STYLES[kind])
        self.text.setText(text)
        for label, callback in actions:
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, run=callback: run())
            self._layout.insertWidget(self._layout.count() - 1, button)
            self.buttons[label] = button
        self.setVisible(True)

    def show_info(self, text: str) -> None:
        self.show_problem(text, kind="info")

    def clear_problem(self) -> None:
        self._clear_buttons()
        self.text.clear()
        self.kind = ""
        self.setVisible(False)

    def _clear_buttons(self) -> None:
        for button in self.buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
