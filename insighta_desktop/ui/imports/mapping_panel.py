"""The preview's import setup: one dropdown per profile field (the file's columns, "not in file", "do not import")
with the first values under the chosen column, what to do with names already stored, Check file, and a note when
the same file was imported before (with Resume for an unfinished run)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.ingest.fixed_rows import reasons_in_words
from insighta_desktop.ingest.headers import FIELDS, REQUIRED_FIELDS
from insighta_desktop.ingest.mapped_preview import SAVED, MappedPreview
from insighta_desktop.ingest.same_file import SameFile
from insighta_desktop.ingest.summary import ImportSummary

NOT_IN_FILE, DO_NOT_IMPORT = "— not in file —", "— do not import —"
_SPECIAL = 2  # the two choices before the file's columns
DUPLICATE_CHOICES = [("skip", "Skip the row (keep the stored profile)"),
                     ("update", "Update the stored profile with the file's values")]


class ImportSetupPanel(QWidget):
    mapping_changed = Signal(object)  # dict field -> column (or None): re-read the preview with it
    check_requested = Signal()
    resume_requested = Signal(int)  # the unfinished run's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}
        self._preview: MappedPreview | None = None
        self._filling = False
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        for row, name in enumerate(FIELDS):
            label = QLabel(f"{name}{' *' if name in REQUIRED_FIELDS else ''}")
            combo = QComboBox()
            combo.setObjectName(f"map-{name}")
            combo.setMinimumWidth(170)
            combo.currentIndexChanged.connect(self._changed)
            sample = QLabel()
            sample.setStyleSheet("color: #6b7385;")
            self.combos[name], self.samples[name] = combo, sample
            grid.addWidget(label, row // 2, (row % 2) * 3)
            grid.addWidget(combo, row // 2, (row % 2) * 3 + 1)
            grid.addWidget(sample, row // 2, (row % 2) * 3 + 2)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(5, 1)
        self.source_label = QLabel()
        self.source_label.setStyleSheet("color: #6b7385;")
        self.missing_label = QLabel()
        self.missing_label.setStyleSheet("color: #b00020;")
        self.missing_label.setVisible(False)
        self.duplicates = QComboBox()
        for key, text in DUPLICATE_CHOICES:
            self.duplicates.addItem(text, key)
        self.check_button = QPushButton("Check file")
        self.check_button.setToolTip("Read and check the whole file and show what an import would do; "
                                     "nothing is written")
        self.check_button.clicked.connect(self.check_requested)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        self.check_label.setVisible(False)
        self.same_file_label = QLabel()
        self.same_file_label.setWordWrap(True)
        self.same_file_label.setVisible(False)
        self.same_file_label.setStyleSheet("color: #a05a00;")
        self.resume_button = QPushButton("Resume")
        self.resume_button.setVisible(False)
        self.resume_button.clicked.connect(self._resume)
        self._resume_run: int | None = None
        duplicates_row = QHBoxLayout()
        duplicates_row.addWidget(QLabel("A name already stored:"))
        duplicates_row.addWidget(self.duplicates)
        duplicates_row.addStretch(1)
        duplicates_row.addWidget(self.check_button)
        same_row = QHBoxLayout()
        same_row.addWidget(self.same_file_label, 1)
        same_row.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Columns</b> (field ← the file's column)"))
        head.addWidget(self.source_label, 1)
        layout.addLayout(head)
        layout.addLayout(grid)
        layout.addWidget(self.missing_label)
        layout.addLayout(duplicates_row)
        layout.addWidget(self.check_label)
        layout.addLayout(same_row)

    # -- the mapping --------------------------------------------------------------------------------------------
    def show_mapping(self, preview: MappedPreview) -> None:
        self._preview = preview
        self._filling = True
        try:
            if preview.headers != self.headers:
                self.headers = list(preview.headers)
                for combo in self.combos.values():
                    combo.clear()
                    combo.addItems([NOT_IN_FILE, DO_NOT_IMPORT, *[h.strip() or f"(column {i + 1})"
                                                                  for i, h in enumerate(self.headers)]])
            for name, combo in self.combos.items():
                index = preview.columns.get(name)
                if index is not None:
                    combo.setCurrentIndex(index + _SPECIAL)
                elif combo.currentIndex() != 1:  # keep a "do not import" the person chose
                    combo.setCurrentIndex(0)
                values = preview.column_values(index) if index is not None else []
                self.samples[name].setText(", ".join(v.strip()[:24] for v in values) + (" …" if values else ""))
        finally:
            self._filling = False
        self.source_label.setText("mapping saved for files with these columns" if preview.source == SAVED else "")
        self.missing_label.setText(
            f"Choose a column for {', '.join(preview.missing)}: the import needs "
            f"{'them' if len(preview.missing) > 1 else 'it'}." if preview.missing else "")
        self.missing_label.setVisible(bool(preview.missing))
        self.show_checking("")

    def chosen(self) -> dict[str, str | None]:
        """Every field -> the column chosen for it, or None."""
        return {name: (self.headers[combo.currentIndex() - _SPECIAL].strip()
                       if combo.currentIndex() >= _SPECIAL else None)
                for name, combo in self.combos.items()}

    def choose(self, name: str, column: str | None) -> None:
        """Pick a column (or "do not import" for None) as a person would."""
        combo = self.combos[name]
        combo.setCurrentIndex(1 if column is None else combo.findText(column))

    def _changed(self) -> None:
        if self._filling:
            return
        sender = self.sender()
        chosen = self.chosen()
        for name, combo in self.combos.items():
            if combo is not sender or chosen[name] is None:
                continue
            for other, other_combo in self.combos.items():  # a column feeds one field: the other one gives it up
                if other != name and chosen[other] == chosen[name]:
                    self._filling = True
                    other_combo.setCurrentIndex(0)
                    self._filling = False
                    chosen[other] = None
        self.mapping_changed.emit(chosen)

    # -- duplicates, check, same file ----------------------------------------------------------------------------
    @property
    def on_duplicate(self) -> str:
        return str(self.duplicates.currentData())

    def show_check(self, summary: ImportSummary) -> None:
        reasons = reasons_in_words(summary.reasons) if any(summary.reasons.values()) else ""
        text = (f"<b>Check:</b> {summary.total_rows:,} rows — {summary.inserted:,} would be inserted, "
                f"{summary.skipped:,} skipped")
        if summary.on_duplicate == "update":
            text += f", {summary.updated:,} updated, {summary.unchanged:,} unchanged"
        self.show_checking(text + (f" ({reasons})" if reasons else "") + ". Nothing was written.")

    def show_checking(self, text: str) -> None:
        self.check_label.setText(text)
        self.check_label.setVisible(bool(text))  # no blank line under the choices while there is nothing to say

    def show_same_file(self, known: SameFile | None) -> None:
        texts = []
        self._resume_run = None
        if known is not None and known.unfinished is not None:
            texts.append(known.describe_unfinished()[0].upper() + known.describe_unfinished()[1:] + ".")
            self._resume_run = known.unfinished.id
        elif known is not None and known.finished is not None:
            text = known.describe_finished()
            texts.append(text[0].upper() + text[1:] + ".")
        self.same_file_label.setText(" ".join(texts))
        self.same_file_label.setVisible(bool(texts))
        self.resume_button.setVisible(self._resume_run is not None)

    def _resume(self) -> None:
        if self._resume_run is not None:
            self.resume_requested.emit(self._resume_run)
