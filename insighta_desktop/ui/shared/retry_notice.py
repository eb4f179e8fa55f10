"""A calm one-line notice while a remote call is retrying: "Gemini busy — retrying 2/3 in 2 s"."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

from insighta_desktop.interviews.services import retry_notice
from insighta_desktop.resilience import RetryEvent


class RetryNotice(QLabel):
    """Hidden until a retry is scheduled; cleared by the caller when the call finishes either way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retryNotice")
        self.setStyleSheet("#retryNotice { color: #7a5b00; background: #fff7dd; border: 1px solid #f0dea0;"
                           " border-radius: 4px; padding: 3px 8px; }")
        self.setVisible(False)
        self.history: list[str] = []  # every notice shown, for the log-minded (and the tests)

    def reporter(self, service: str) -> Callable[[RetryEvent], None]:
        """An `on_retry` callback for the resilience layer."""
        def report(event: RetryEvent) -> None:
            self.show_notice(retry_notice(service, event))
        return report

    def show_notice(self, text: str) -> None:
        self.history.append(text)
        self.setText(text)
        self.setVisible(True)

    def clear_notice(self) -> None:
        self.clear()
        self.setVisible(False)
