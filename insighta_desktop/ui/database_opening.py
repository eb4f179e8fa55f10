"""Opening the window's database at start-up, and what the window says while it cannot.

A server that cannot be reached now (refused, timed out, the network down, the server starting up) is tried again
with backoff through the shared retry layer, for as long as the window is open: the status bar and each tab's page
say "offline — retrying in N s" with the reason, and the window attaches the database by itself once it answers. A
database that cannot be opened as asked (a wrong role, password or database name, a host name that does not exist, a
bad URL) is explained in one dialog, which ends the app.
"""
from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from insighta_desktop.resilience.classify import is_transient
from insighta_desktop.resilience.link import LinkState, LinkStatus
from insighta_desktop.resilience.retry import RetryEvent, retry_async

if TYPE_CHECKING:
    from insighta_desktop.config import AppPaths, CredentialStore
    from insighta_desktop.context import AppContext

T = TypeVar("T")

FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 30.0
ATTEMPTS = 1_000_000  # for as long as the window is open: closing it cancels the task


def open_in_background(database_url: str | None, paths: AppPaths, tab_module: str,
                       credentials: CredentialStore | None = None) -> AppContext:
    """Worker thread: open the database (creating or upgrading it) and import the first tab's modules."""
    from insighta_desktop.context import open_context

    ctx = open_context(database_url, paths=paths, credentials=credentials, read_secrets=True)
    importlib.import_module(tab_module)
    return ctx


def waiting_reason(event: RetryEvent) -> str:
    from insighta_desktop.db.server_info import failure_line
    from insighta_desktop.db.url_secrets import mask_secrets_in_text

    return mask_secrets_in_text(failure_line(event.error))


def waiting_line(event: RetryEvent) -> str:
    """The status bar's words (the database label beside them says "offline — retrying in N s")."""
    return f"Cannot reach the database server: {waiting_reason(event)}"


def waiting_status(event: RetryEvent) -> LinkStatus:
    return LinkStatus(LinkState.OFFLINE, reason=waiting_reason(event), retry_in=event.delay)


async def open_when_reachable(open_once: Callable[[], Awaitable[T]], on_wait: Callable[[RetryEvent], None], *,
                              sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> T:
    """`open_once()`, again after each transient failure (backoff from 1 s to 30 s); a permanent one is raised.
    `on_wait` hears of each wait before it starts."""
    return await retry_async(open_once, max_retries=ATTEMPTS, initial_delay=FIRST_WAIT_S, max_delay=LONGEST_WAIT_S,
                             retry_if=is_transient, task_name="Opening the database", on_retry=on_wait, sleep=sleep)


def explain_and_close(window: QWidget, reason: str) -> QMessageBox:
    """The one dialog for a database that cannot be opened; closing it closes the window (and the app)."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Insighta Desktop cannot start",
                      f"The database could not be opened.\n\n{reason}\n\n"
                      "Start with --db to choose another one, or fix the URL in the settings file.", parent=window)
    box.finished.connect(window.close)
    box.open()  # not exec(): this runs inside a coroutine
    return box
