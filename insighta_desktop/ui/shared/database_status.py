"""The status bar's database label: `○ connecting…`, `● PostgreSQL 15 · db.example.com · insighta` (with
`· read-only` when this user may not write), or `● offline — retrying in 4 s · …` while the link is down.

It follows the open context's DatabaseLink, whose reports may come from any thread (a Qt signal brings them to the
GUI thread), and says when the link goes offline or comes back, so the window can check the server more often.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

if TYPE_CHECKING:
    from insighta_desktop.context import AppContext
    from insighta_desktop.resilience.link import LinkStatus

STYLES = {"connecting": "color: #667;", "online": "color: #1b7a1b;", "offline": "color: #b00020;"}
READ_ONLY_STYLE = "color: #8a6d00;"
CONNECTING = "○ connecting…"


class DatabaseStatusLabel(QLabel):
    offline_changed = Signal(bool)  # the link went down (True) or came back (False)
    _reported = Signal(object)  # LinkStatus, from whichever thread reported it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(CONNECTING, parent)
        self.setStyleSheet(STYLES["connecting"])
        self._ctx: AppContext | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._offline = False
        self._reported.connect(self.show_status)

    def follow(self, ctx: AppContext) -> None:
        """Show this context's link from now on (a database switch hands over the new one)."""
        self.unfollow()
        self._ctx = ctx
        self._unsubscribe = ctx.link.subscribe(self._reported.emit)
        self.show_status(ctx.link.status)

    def unfollow(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def refresh(self) -> None:
        """Show the current status again (whether this user may write has just been read)."""
        if self._ctx is not None:
            self.show_status(self._ctx.link.status)

    def show_status(self, status: LinkStatus) -> None:
        """The followed context's link; with none yet, the database being opened (offline while out of reach)."""
        ctx = self._ctx
        state = status.state.value
        if ctx is None and state != "offline":
            return
        text, style = status.text, STYLES[state]
        tooltip = ctx.database_label if ctx is not None else "The database being opened"
        if state == "offline":
            tooltip += (f"\nThe database cannot be reached: {status.reason}\nThe app retries by itself; what is on "
                        "screen stays until it is back.")
        elif state == "online" and ctx is not None and ctx.read_only_reason is not None:
            text += " · read-only"
            style = READ_ONLY_STYLE
            tooltip += f"\nRead-only: {ctx.read_only_reason}."
        self.setText(("○ " if state == "connecting" else "● ") + text)
        self.setStyleSheet(style)
        self.setToolTip(tooltip)
        if (state == "offline") != self._offline:
            self._offline = state == "offline"
            self.offline_changed.emit(self._offline)


def report_in_status_bar(exc: BaseException, ctx: AppContext | None, status_bar: QStatusBar) -> bool:
    """A background task's failure that belongs in the status bar, not a dialog per failed call: a lost link
    (reported to the context's link: the label turns red) or a write this user may not make. False: neither."""
    from insighta_desktop.db.server_info import failure_line, write_refused
    from insighta_desktop.resilience import is_transient

    if write_refused(exc):
        reason = ctx.read_only_reason if ctx is not None else None
        status_bar.showMessage(f"Not saved: this database is read-only for you{f' ({reason})' if reason else ''}.",
                               15_000)
        return True
    if is_transient(exc) and ctx is not None:
        ctx.link.lost(failure_line(exc))
        return True
    return False
