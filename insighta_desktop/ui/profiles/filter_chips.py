"""Removable chips, one per condition of the current filters, with the words that produced it as a tooltip."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from insighta_desktop.profiles.filters import FilterChip
from insighta_desktop.profiles.parser import Interpretation
from insighta_desktop.ui.profiles.query_notes import QueryNotes

_FIELD_OF_INTERPRETATION = {"min_gender_probability": "min_gender_probability",
                            "min_country_probability": "min_country_probability"}
CHIP_STYLE = ("QToolButton { border: 1px solid #9ab; border-radius: 10px; padding: 2px 8px; background: #eef4fa; }"
              "QToolButton:hover { background: #dbe8f5; }")


class ChipBar(QWidget):
    removed = Signal(str, object)  # field, value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.title = QLabel("Understood:")
        self._layout.addWidget(self.title)
        self.notes = QueryNotes(self)  # corrections, "did you mean", examples: beside the chips
        self._layout.addWidget(self.notes)
        self._layout.addStretch(1)
        self.buttons: list[QToolButton] = []

    def set_chips(self, chips: list[FilterChip], interpretation: tuple[Interpretation, ...] = ()) -> None:
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.hide()  # gone at once, not when the deferred delete runs
            button.deleteLater()
        self.buttons = []
        self.title.setText("Filters:" if chips else "No filters: every profile")
        for index, chip in enumerate(chips):
            button = QToolButton(self)
            button.setText(f"{chip.label}  ✕")
            button.setStyleSheet(CHIP_STYLE)
            words = [i.words for i in interpretation if _matches(chip, i)]
            button.setToolTip((f"From “{'”, “'.join(words)}”. " if words else "") + "Click to remove this filter.")
            button.setProperty("chip_field", chip.field)
            button.clicked.connect(lambda _=False, c=chip: self.removed.emit(c.field, c.value))
            self._layout.insertWidget(1 + index, button)
            self.buttons.append(button)

    def clear_all(self, title: str) -> None:
        """No chips at all (nothing was understood), with `title` in their place."""
        self.set_chips([])
        self.title.setText(title)

    def labels(self) -> list[str]:
        return [b.text().removesuffix("  ✕") for b in self.buttons]


def _matches(chip: FilterChip, item: Interpretation) -> bool:
    if chip.field == "country_id":
        return item.field == "country_id" and f"({chip.value})" in item.meaning
    if chip.field == "age_group":
        return item.field == "age_group" and item.meaning.endswith(str(chip.value))
    if chip.field == "age":
        return item.field in ("age", "age_group")
    return item.field == _FIELD_OF_INTERPRETATION.get(chip.field, chip.field)
