"""GUI fixtures: an app context on a throwaway home, an in-memory keychain, a qasync loop to drive coroutines, and
a check that each test leaves no window, timer or thread behind."""
from __future__ import annotations

import asyncio
import gc
import time

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QEvent

from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.context import open_context
from tests.fakes.memory_keyring import MemoryKeyring
from tests.gui.qt_leaks import Leak, discard, find_leaks, new_leaks


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def credentials(memory_keyring) -> CredentialStore:
    return CredentialStore(memory_keyring, trusted_modules=(MemoryKeyring.__module__,))


@pytest.fixture
def app_paths(tmp_path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


@pytest.fixture
def app_context(db_url, app_paths, credentials):
    """The app's object graph on a fresh database (SQLite and PostgreSQL)."""
    ctx = open_context(db_url, paths=app_paths, credentials=credentials)
    yield ctx
    ctx.close()


class LoopDriver:
    """Runs the qasync loop until a condition holds, so coroutines started by widgets make progress."""

    def __init__(self, loop: qasync.QEventLoop):
        self.loop = loop

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def until(self, predicate, timeout: float = 10.0, message: str = "condition") -> None:
        async def poll():
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
                await asyncio.sleep(0.01)
        self.loop.run_until_complete(poll())


@pytest.fixture
def qloop(qapp):
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield LoopDriver(loop)
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()  # also joins the loop's worker threads
    asyncio.set_event_loop(None)
    # qasync's close() leaves the Qt timers of callbacks still due registered on its timer object: a cancelled sleep
    # or timeout (one per early-finished asyncio.wait_for, httpx request...) stays until it would have fired. Its
    # handles point back at the loop, so the loop is a cycle, and the window's tasks keep it reachable until after
    # this fixture: a later collection frees it, on whichever thread runs it. From a worker thread (the typo index
    # is built on one) ~QObject cannot unregister the timers, and Qt fires the next one at freed memory: a segfault
    # in a later test. Deleted here, on the GUI thread, the object unregisters them; first the calls the executor's
    # last jobs queued with call_soon_threadsafe are delivered, to the closed loop, which drops them.
    qapp.sendPostedEvents(None, QEvent.Type.MetaCall)
    shiboken6.delete(loop._timer)
    gc.collect()  # the test's other cycles, collected on this thread too


@pytest.fixture(scope="session", autouse=True)
def freeze_what_is_imported(qapp):
    """Keep the modules' objects out of the collections and scans below, as the app does at start-up (ui/app.py):
    a full collection over them took about 0.3 s per test."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


_left_before: list[Leak] = []  # what earlier tests left that could not be discarded: not blamed on the next one


@pytest.fixture(autouse=True)
def no_qt_leaks(qapp):
    """Fail the test that leaves a window, an active timer, a running thread or an app QObject alive.

    pytest-qt closes the widgets a test registered with qtbot and calls deleteLater on them, but nothing runs those
    deletions until some later event loop does: without this check every test's widgets, timers and threads lived
    on into later tests and up to interpreter exit. Autouse, so it is set up first and torn down last, after the
    test's own fixtures (the qasync loop, the app context) are gone.
    """
    global _left_before
    yield
    leaks = new_leaks(qapp, _left_before)
    if leaks:
        discard(qapp, leaks)  # so the next test starts clean and is not blamed
        _left_before = find_leaks(qapp)
        pytest.fail("Qt objects left alive by this test (close them and let them be deleted):\n  "
                    + "\n  ".join(leak.description for leak in leaks), pytrace=False)


@pytest.fixture
def make_import_tab(qtbot, qloop, app_context):
    """Import tabs of a given size on the test's app context, shown, and shut down (their child imports stopped)
    when the test ends."""
    from insighta_desktop.ui.imports.tab import ImportTab
    from insighta_desktop.ui.shared.tasks import TaskRunner

    made = []

    def make(width: int = 1100, height: int = 760):
        widget = ImportTab(app_context, TaskRunner())
        widget.resize(width, height)
        qtbot.addWidget(widget)
        widget.show()
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.shutdown()
