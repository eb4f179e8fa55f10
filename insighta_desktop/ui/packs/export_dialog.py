"""File → Export review pack…: choose interviews (and optionally a profile search), write one portable pack."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QVBoxLayout, QWidget)

from insighta_desktop.interviews import repository
from insighta_desktop.packs import FILE_SUFFIX, PackError, export_pack, snapshot_search
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread


def write_pack(engine, interview_ids: list[str], search_text: str | None, out: Path):
    snapshot = snapshot_search(engine, search_text) if search_text else None
    return export_pack(engine, interview_ids, out, search=snapshot)


class ExportPackDialog(QDialog):
    def __init__(self, engine, tasks: TaskRunner, *, selected_id: str | None = None, search_text: str = "",
                 default_dir: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export review pack")
        self._engine, self._tasks, self._selected_id = engine, tasks, selected_id
        self.interviews = QListWidget()
        self.include_search = QCheckBox("Include the profiles found by this search:")
        self.search = QLineEdit(search_text, placeholderText="e.g. Nigerian females aged 20 to 45")
        self.include_search.setChecked(bool(search_text.strip()))
        self.search.textChanged.connect(lambda text: self.include_search.setChecked(bool(text.strip())))
        self.out = QLineEdit(str((default_dir or Path.home()) / f"review{FILE_SUFFIX}"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.choose_file)
        self.status = QLabel("The pack opens read-only and offline on any machine with Insighta Desktop.")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Interviews to include (transcript, assessment, chat and session data):"))
        layout.addWidget(self.interviews, 1)
        layout.addWidget(self.include_search)
        layout.addWidget(self.search)
        layout.addWidget(QLabel("Save as:"))
        layout.addLayout(out_row)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, 520)
        self.loaded = self._tasks.spawn(self._load(), key="export-pack-list")

    async def _load(self) -> None:
        for summary in await in_thread(repository.list_interviews, self._engine):
            date = summary.scheduled_at.strftime("%Y-%m-%d") if summary.scheduled_at else "no date"
            item = QListWidgetItem(f"{summary.candidate_name} — {summary.role} ({date})")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if summary.id == self._selected_id else Qt.CheckState.Unchecked)
            self.interviews.addItem(item)

    def chosen_ids(self) -> list[str]:
        items = (self.interviews.item(i) for i in range(self.interviews.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save review pack", self.out.text(),
                                              f"Insighta review packs (*{FILE_SUFFIX})")
        if name:
            self.out.setText(name)

    def export(self):
        return self._tasks.spawn(self._export(), key="export-pack")

    async def _export(self) -> None:
        out = Path(self.out.text().strip()).expanduser()
        if not out.suffix:
            out = out.with_suffix(FILE_SUFFIX)
        search_text = self.search.text().strip() if self.include_search.isChecked() else None
        self.export_button.setEnabled(False)
        self.status.setText("Writing the pack…")
        try:
            manifest = await in_thread(write_pack, self._engine, self.chosen_ids(), search_text, out)
        except (PackError, repository.NotFound, OSError) as exc:
            self.status.setText(f"<span style='color:#b00020'>Not exported: {exc}</span>")
            return
        finally:
            self.export_button.setEnabled(True)
        parts = [f"{len(manifest.interviews)} interview(s)"]
        if manifest.search is not None:
            parts.append(f"{manifest.search.included:,} profiles")
        self.status.setText(f"Wrote {out} ({out.stat().st_size / 1024:.0f} KiB): {', '.join(parts)}.")
        self.written = out
