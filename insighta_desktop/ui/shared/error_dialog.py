"""A copyable error dialog, and the global hook that shows it instead of dying silently."""
from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


class ErrorDialog(QDialog):
    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Something went wrong")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        label = QLabel(summary)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{summary}\n\n{details}"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)


def show_error(exc: BaseException, parent: QWidget | None = None) -> ErrorDialog:
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    summary = f"{type(exc).__name__}: {exc}\n\nThe app is still running; the details below are also in the log file."
    dialog = ErrorDialog(summary, details, parent)
    dialog.show()  # never exec(): this may run inside a coroutine
    return dialog


def install_exception_hook() -> None:
    open_dialogs: list[ErrorDialog] = []

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("Unhandled exception", exc_info=(exc_type, exc, tb))
        if QApplication.instance() is not None:
            dialog = show_error(exc.with_traceback(tb), QApplication.activeWindow())
            open_dialogs.append(dialog)
            dialog.finished.connect(lambda _=None, d=dialog: open_dialogs.remove(d) if d in open_dialogs else None)

    sys.excepthook = hook
