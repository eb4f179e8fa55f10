"""Startup measurement: with INSIGHTA_STARTUP_PROBE=1 the app prints when its first window is painted, then quits.

tests/benchmarks/bench_bundle_startup.py reads the lines to time launch-to-first-window of the app. A window that
fills itself after it shows (the main window opens its database then) passes its `ready` signal: the probe also
prints when that fires, and quits only then, so the benchmark can report both moments.
"""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

PROBE_ENV = "INSIGHTA_STARTUP_PROBE"
PROBE_PREFIX = "insighta-startup-probe first-window-painted wall="
READY_PREFIX = "insighta-startup-probe data-shown wall="


class _Probe(QObject):
    def __init__(self, window: QWidget, wait_for_ready: bool) -> None:
        super().__init__(window)
        self._painted = False
        self._ready = not wait_for_ready

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._painted = True
            _print(PROBE_PREFIX)
            self._quit_when_done()
        return False

    def ready(self) -> None:
        if not self._ready:
            self._ready = True
            _print(READY_PREFIX)
            self._quit_when_done()

    def _quit_when_done(self) -> None:
        if self._painted and self._ready:
            QTimer.singleShot(0, QApplication.quit)


def _print(prefix: str) -> None:
    if sys.stdout is not None:
        print(f"{prefix}{time.time():.6f}", flush=True)


def install_startup_probe(window: QWidget, ready: SignalInstance | None = None) -> None:
    if os.environ.get(PROBE_ENV) != "1":
        return
    probe = _Probe(window, wait_for_ready=ready is not None)
    window.installEventFilter(probe)
    if ready is not None:
        ready.connect(probe.ready)
