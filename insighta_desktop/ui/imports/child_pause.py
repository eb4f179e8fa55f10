"""An import's child process steps aside while the person waits for foreground work (a Profiles search): it is
paused while the work is in flight, so that the search has the machine's cores (the child's parsing and, fed by it,
the database's writer sessions) to itself, and resumed when the work ends.

POSIX: SIGSTOP and SIGCONT (the database sessions of a stopped child finish what was already sent, then wait).
Windows has no such signal: the child is not paused there, and runs below normal priority as everywhere.

Safe by construction: a pause lasts at most MAX_PAUSE_MS, then the child is resumed whatever is still in flight;
after a resume the child runs at least MIN_RUN_MS before it may be paused again (searches one after another cannot
starve the import); `resume` comes before Cancel, a kill and the window's wait, and `close` (the child ended, or
the job is going away) resumes it too. A pause is far shorter than the run-owner heartbeat's staleness (30 s), and
the run's lock (a PostgreSQL session, a lock file) stays held while paused, so a paused run never looks dead.
"""
from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from insighta_desktop.ui.shared.foreground import FOREGROUND, ForegroundWork

log = logging.getLogger(__name__)

PAUSE_SUPPORTED = hasattr(signal, "SIGSTOP")
MAX_PAUSE_MS = 1500
MIN_RUN_MS = 500


class ChildPause(QObject):
    """Pauses the process `pid()` names while `work` is active (see the module's notes for the limits)."""

    def __init__(self, pid: Callable[[], int], work: ForegroundWork = FOREGROUND, parent: QObject | None = None,
                 *, max_pause_ms: int = MAX_PAUSE_MS, min_run_ms: int = MIN_RUN_MS) -> None:
        super().__init__(parent)
        self._pid = pid
        self._min_run_s = min_run_ms / 1000
        self._paused_pid = 0
        self._paused_at = 0.0
        self._resumed_at = -1e9
        self.pauses = 0
        self.paused_s = 0.0
        self._limit = QTimer(self)
        self._limit.setSingleShot(True)
        self._limit.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may end the pause 5% early
        self._limit.setInterval(max_pause_ms)
        self._limit.timeout.connect(self.resume)
        self._work = work
        self._unsubscribe: Callable[[], None] | None = None

    def listen(self) -> None:
        """From now on, pause the child while foreground work is in flight (where pausing is possible)."""
        if PAUSE_SUPPORTED and self._unsubscribe is None:
            self._unsubscribe = self._work.subscribe(self._foreground_changed)

    @property
    def paused(self) -> bool:
        return self._paused_pid != 0

    def _foreground_changed(self, active: bool) -> None:
        if active:
            self.pause()
        else:
            self.resume()

    def pause(self) -> None:
        if self.paused or self._unsubscribe is None or time.monotonic() - self._resumed_at < self._min_run_s:
            return
        pid = self._pid()
        if pid <= 0:
            return
        try:
            os.kill(pid, signal.SIGSTOP)
        except OSError:  # it has just ended
            return
        self._paused_pid, self._paused_at = pid, time.monotonic()
        self._limit.start()

    def resume(self) -> None:
        pid, self._paused_pid = self._paused_pid, 0
        if not pid:
            return
        self._limit.stop()
        self._resumed_at = time.monotonic()
        self.pauses += 1
        self.paused_s += self._resumed_at - self._paused_at
        try:
            os.kill(pid, signal.SIGCONT)
        except OSError:  # it has ended (killed while paused)
            pass

    def close(self, ended: bool = False) -> None:
        """Stop listening and resume the child if paused (Cancel, a kill, the window's wait); `ended`: the process
        is gone (and reaped: its pid may be another's now), so nothing is sent."""
        if ended and self._paused_pid:
            self._paused_pid = 0
            self._limit.stop()
        self.resume()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.pauses:
            log.info("The import stepped aside %d times for searches, %.1f s in all", self.pauses, self.paused_s)
