"""The core's data-version watcher, brought onto the GUI thread: `changed(version)` is emitted there (queued)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class DataChanges(QObject):
    """Relays `subscribe(callback)` callbacks (called on the watcher's thread) as the `changed` signal, delivered on
    this object's thread. `stop()` (or destruction of the parent) ends it; no callback arrives afterwards."""

    changed = Signal(int)
    _arrived = Signal(int)

    def __init__(self, subscribe: Callable[[Callable[[int], None]], Callable[[], None]],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._active = True
        # Queued: the watcher's thread only posts an event; the slot runs on this object's (the GUI's) thread.
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = subscribe(self._on_watcher_thread)
        self.destroyed.connect(self._unsubscribe)

    def stop(self) -> None:
        with self._lock:
            self._active = False
        self._unsubscribe()

    def _on_watcher_thread(self, version: int) -> None:
        with self._lock:  # stop() waits for an emit in progress, so none reaches a deleted object
            if self._active:
                self._arrived.emit(version)

    def _deliver(self, version: int) -> None:
        if self._active:
            self.changed.emit(version)
