"""The Import tab's panels: preview before starting, live progress while running, summary after."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.ingest.fixed_rows import problem_words, reasons_in_words
from insighta_desktop.ingest.mapped_preview import MappedPreview
from insighta_desktop.ingest.summary import ImportProgress, ImportSummary
from insighta_desktop.ui.imports.format_picker import FormatPicker
from insighta_desktop.ui.imports.mapping_panel import ImportSetupPanel
from insighta_desktop.ui.shared.table_model import configure_table


def _panel() -> QFrame:
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    return frame


def format_reasons(reasons: dict[str, int]) -> str:
    return reasons_in_words(reasons)


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class PreviewPanel(QWidget):
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame = _panel()
        self.file_label = QLabel()
        self.format_picker = FormatPicker()  # encoding and delimiter: detected, or chosen here
        self.encoding_label = self.format_picker.detail_label
        self.target_label = QLabel()
        self.mapping_label = QLabel()
        self.mapping_label.setWordWrap(True)
        self.start_button = QPushButton("Start import")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_requested)
        form = QFormLayout()
        form.addRow("File:", self.file_label)
        form.addRow("Format:", self.format_picker)
        form.addRow("Columns:", self.mapping_label)
        form.addRow("Into:", self.target_label)
        self.rows_model = QStandardItemModel(self)
        self.rows = QTableView()
        self.rows.setModel(self.rows_model)
        configure_table(self.rows, 0)
        self.rows.setMaximumHeight(220)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setup = ImportSetupPanel()  # the column mapping, duplicates, Check file, same file again
        inner = QVBoxLayout(frame)
        inner.addLayout(top)
        inner.addWidget(self.setup)
        inner.addWidget(QLabel("First rows as they would be read:"))
        inner.addWidget(self.rows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)

    def show_preview(self, preview: MappedPreview, target: str) -> None:
        self.file_label.setText(f"{preview.path.name} — {preview.size:,} bytes")
        self.format_picker.show_format(preview)
        unused = ", ".join(c.strip() for c in preview.extra_columns)
        self.mapping_label.setText(f"{len(preview.headers)} in the file" + (f"; not imported: {unused}"
                                                                            if unused else ", all imported"))
        self.target_label.setText(target)
        self.rows_model.clear()
        self.setup.show_mapping(preview)
        self.start_button.setEnabled(not preview.missing)
        fields = dict(enumerate(field for _column, field in preview.mapping))
        self.rows_model.setHorizontalHeaderLabels(
            ["Line", "Check", *[f"{h.strip()} → {fields[i]}" if fields.get(i, "ignored") != "ignored" else h.strip()
                                for i, h in enumerate(preview.headers)]])
        for row in preview.rows:
            verdict = "ok" if row.verdict == "ok" else problem_words(row.verdict, row.detail)
            items = [QStandardItem(str(row.line_number)), QStandardItem(verdict)]
            items += [QStandardItem(value[:80]) for value in row.fields]
            if row.verdict != "ok":
                items[1].setForeground(Qt.GlobalColor.darkRed)
            self.rows_model.appendRow(items)


    def show_unreadable(self, path: Path) -> None:
        """Read with the format chosen (or an ambiguous one), the file cannot be imported: no rows, no start."""
        self.file_label.setText(path.name)
        self.encoding_label.setText("cannot be read this way (see above); choose another encoding or delimiter")
        self.mapping_label.setText("")
        self.rows_model.clear()
        self.start_button.setEnabled(False)


class ProgressPanel(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame = _panel()
        self.title = QLabel("<b>Importing…</b>")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.rate_label = QLabel("—")
        self.counts_label = QLabel("—")
        self.reasons_label = QLabel("—")
        self.reasons_label.setWordWrap(True)
        self.note_label = QLabel("")
        self.note_label.setStyleSheet("color: #a05a00;")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        form = QFormLayout()
        form.addRow("Speed:", self.rate_label)
        form.addRow("Rows:", self.counts_label)
        form.addRow("Skipped by reason:", self.reasons_label)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.cancel_button)
        inner = QVBoxLayout(frame)
        inner.addLayout(head)
        inner.addWidget(self.bar)
        inner.addLayout(form)
        inner.addWidget(self.note_label)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.updates = 0

    def reset(self, file_name: str) -> None:
        self.title.setText(f"<b>Importing {file_name}…</b>")
        self.bar.setValue(0)
        self.rate_label.setText("starting…")
        self.counts_label.setText("—")
        self.reasons_label.setText("—")
        self.note_label.setText("")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.updates = 0

    def show_progress(self, p: ImportProgress) -> None:
        self.updates += 1
        self.bar.setValue(int(p.fraction * 1000))
        self.bar.setFormat(f"{p.fraction:.0%} of {p.bytes_total / 1e6:,.1f} MB")
        self.rate_label.setText(f"{p.rows_per_s:,.0f} rows/s · elapsed {format_seconds(p.elapsed_s)} · "
                                f"ETA {format_seconds(p.eta_s)}")
        self.counts_label.setText(f"{p.total_rows:,} read · {p.inserted:,} inserted · {p.skipped:,} skipped")
        self.reasons_label.setText(format_reasons(p.reasons))
        self.note_label.setText(p.message if p.phase == "retrying" else "")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.note_label.setText("Stopping the import; rows already committed are kept.")
        self.cancel_requested.emit()


class SummaryPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame = _panel()
        self.title = QLabel()
        self.counts = QLabel()
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner = QVBoxLayout(frame)
        for label in (self.title, self.counts, self.reasons, self.details):
            inner.addWidget(label)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)

    def show_summary(self, s: ImportSummary) -> None:
        colour = {"success": "#1b7a1b", "cancelled": "#a05a00"}.get(s.status, "#b00020")
        word = {"success": "Imported", "cancelled": "Cancelled", "failed": "Failed"}.get(s.status, s.status)
        self.title.setText(f"<b style='color:{colour}'>{word}: {s.file_name}</b>")
        timing = "" if s.resumed_from_line else f" · {s.duration_s:.1f} s · {s.rows_per_s:,.0f} rows/s"
        self.counts.setText(f"{s.total_rows:,} rows · <b>{s.inserted:,} inserted</b> · {s.skipped:,} skipped · "
                            f"{s.encoding}{timing}")
        self.reasons.setText(f"Skipped by reason: {format_reasons(s.reasons)}")
        notes = []
        corrected = {k: v for k, v in s.corrected.items() if v}
        if corrected:
            notes.append("Corrected: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in corrected.items()))
        if s.extra_columns:
            notes.append("Ignored columns: " + ", ".join(c.strip() for c in s.extra_columns))
        if s.resumed_from_line:
            notes.append(f"Resumed; {s.speed_text()}.")
        if s.skipped and s.rejects_path:
            notes.append(f"Rejected rows written to {s.rejects_path}")
        if s.error:
            notes.append(f"Error: {s.error}")
        if s.run_status in ("cancelled", "failed"):
            notes.append("Committed rows are kept; use Resume in the history below to continue.")
        self.details.setText("<br>".join(notes))
