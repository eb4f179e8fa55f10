"""The preview's encoding and delimiter choices: "Detected: …" first, then each one a person may choose instead.

Changing either emits `format_changed` with the chosen FileFormat, and the tab reads the preview again with it;
what detection was unsure of (an ambiguous delimiter) is said beside them."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from insighta_desktop.ingest.file_format import AUTO, DETECT, FileFormat, delimiter_name
from insighta_desktop.ingest.mapped_preview import MappedPreview

ENCODINGS = (  # (shown, codec)
    ("UTF-8", "utf-8"),
    ("Windows-1252 (Western)", "cp1252"),
    ("UTF-16 LE", "utf-16-le"),
    ("UTF-16 BE", "utf-16-be"),
    ("Latin-1 (ISO-8859-1)", "iso8859-1"),
)
DELIMITERS = (("Comma  ,", ","), ("Semicolon  ;", ";"), ("Tab", "\t"), ("Pipe  |", "|"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252", "utf-16-le": "UTF-16 LE",
                  "utf-16-be": "UTF-16 BE", "iso8859-1": "Latin-1", AUTO: "UTF-8"}


def encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding)


class FormatPicker(QWidget):
    format_changed = Signal(object)  # FileFormat

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.encoding_box = QComboBox()
        self.encoding_box.setAccessibleName("Encoding")
        self.encoding_box.addItem("Detected", None)
        for shown, codec in ENCODINGS:
            self.encoding_box.addItem(shown, codec)
        self.delimiter_box = QComboBox()
        self.delimiter_box.setAccessibleName("Delimiter")
        self.delimiter_box.addItem("Detected", None)
        for shown, delimiter in DELIMITERS:
            self.delimiter_box.addItem(shown, delimiter)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #a05a00;")
        self.note_label.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Encoding"))
        row.addWidget(self.encoding_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Delimiter"))
        row.addWidget(self.delimiter_box)
        row.addSpacing(12)
        row.addWidget(self.detail_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note_label)
        self.encoding_box.currentIndexChanged.connect(self._changed)
        self.delimiter_box.currentIndexChanged.connect(self._changed)

    @property
    def chosen(self) -> FileFormat:
        return FileFormat(self.encoding_box.currentData(), self.delimiter_box.currentData())

    def reset(self) -> None:
        """A new file: back to detection, without asking for a re-read."""
        for box in (self.encoding_box, self.delimiter_box):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)

    def show_format(self, preview: MappedPreview) -> None:
        """What the preview was read with: the "Detected" items name what detection found."""
        if preview.file_format.encoding is None:
            self.encoding_box.setItemText(0, f"Detected: {encoding_name(preview.encoding)}")
        if preview.file_format.delimiter is None:
            self.delimiter_box.setItemText(0, f"Detected: {delimiter_name(preview.delimiter)}")
        self.detail_label.setText(f"read as {preview.encoding}, {delimiter_name(preview.delimiter)}-separated, "
                                  f"{preview.newline} line ends")
        self.note_label.setText(" ".join(note[:1].upper() + note[1:] + "." for note in preview.format_notes))
        self.note_label.setVisible(bool(preview.format_notes))

    def _changed(self) -> None:
        self.format_changed.emit(self.chosen)


__all__ = ["DETECT", "FormatPicker"]
