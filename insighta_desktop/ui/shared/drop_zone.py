"""A frame that takes exactly one .csv file, dropped or chosen, and says clearly what it refuses."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QFileDialog, QFrame, QLabel, QVBoxLayout, QWidget


def check_dropped_paths(paths: list[Path]) -> Path | str:
    """The one CSV file among `paths`, or the message that explains why the drop is refused."""
    if not paths:
        return "Nothing to import: drop a .csv file."
    if len(paths) > 1:
        return f"{len(paths)} items were dropped; drop one .csv file at a time."
    path = paths[0]
    if path.is_dir():
        return f"“{path.name}” is a folder; drop a .csv file."
    if path.suffix.lower() != ".csv":
        return f"“{path.name}” is not a .csv file."
    if not path.exists():
        return f"“{path.name}” cannot be found."
    return path


class DropZone(QFrame):
    file_chosen = Signal(Path)
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(120)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("#dropZone { border: 2px dashed #8892a6; border-radius: 10px; background: #f6f8fb; }"
                           "#dropZone[hover=\"true\"] { border-color: #2d6cdf; background: #eaf1fd; }")
        self.label = QLabel("Drop a .csv file here, or click to choose one")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("font-size: 15px; color: #44506a; border: none; background: transparent;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)

    def _set_hover(self, hover: bool) -> None:
        self.setProperty("hover", hover)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self._set_hover(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self._set_hover(False)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._set_hover(False)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        self.offer(paths)
        event.acceptProposedAction()

    def offer(self, paths: list[Path]) -> None:
        result = check_dropped_paths(paths)
        if isinstance(result, Path):
            self.file_chosen.emit(result)
        else:
            self.refused.emit(result)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        name, _ = QFileDialog.getOpenFileName(self, "Choose a CSV file", "", "CSV files (*.csv);;All files (*)")
        if name:
            self.offer([Path(name)])
