"""The desktop app's import child is background work: below the window's priority, and never left stopped when the
window is gone.

The window pauses the child (SIGSTOP) while a Profiles search runs (ui/imports/child_pause.py) and always resumes
it, but a window that crashes during a pause cannot. On Linux the child asks the kernel for SIGCONT when its parent
dies, so it continues, sees its stdin closed and cancels as after any lost parent (its run stays resumable); elsewhere
a stopped child of a dead window is continued by the kernel only when its process group is orphaned.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

BACKGROUND_NICE = 10
BELOW_NORMAL_PRIORITY_CLASS = 0x4000
PR_SET_PDEATHSIG = 1


def lower_priority() -> None:
    """Run below the window's priority, so that on a busy machine the window gets a core first (its event loop stays
    smooth) and the import takes what is left."""
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(BACKGROUND_NICE)
    except (AttributeError, OSError):  # not allowed here: the import runs at normal priority
        pass


FOREGROUND_HOLD_S = 5.0


class ForegroundSignal:
    """Whether the window paused this child in the last FOREGROUND_HOLD_S seconds: the person is searching, and the
    import keeps to one batch on the server meanwhile (ingest.pipeline). Told by the SIGCONT that ends each pause;
    install from the main thread. Windows has no pause, so there it never says True."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = -1.0

    def install(self) -> bool:
        if not hasattr(signal, "SIGCONT"):
            return False
        signal.signal(signal.SIGCONT, self.resumed)
        return True

    def resumed(self, *_: object) -> None:
        self._until = self._clock() + FOREGROUND_HOLD_S

    def __call__(self) -> bool:
        return self._clock() < self._until


def continue_when_parent_dies() -> bool:
    """Linux: SIGCONT from the kernel when the parent dies (a no-op for a running process). Whether it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGCONT), 0, 0, 0) == 0)
    except (AttributeError, OSError):
        return False
