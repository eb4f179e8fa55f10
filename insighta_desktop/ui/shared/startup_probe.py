"""Startup measurement: with INSIGHTA_STARTUP_PROBE=1 the app prints when its first window is painted, then quits.

tests/benchmarks/bench_bundle_startup.py reads the line to time launch-to-first-window of the packaged app.
"""
from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

PROBE_ENV = "INSIGHTA_STARTUP_PROBE"
PROBE_PREFIX = "insighta-startup-probe first-window-painted wall="


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            if sys.stdout is not None:
                print(f"{PROBE_PREFIX}{time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def install_startup_probe(window: QWidget) -> None:
    if os.environ.get(PROBE_ENV) != "1":
        return
    probe = _FirstPaint(window)
    window.installEventFilter(probe)
