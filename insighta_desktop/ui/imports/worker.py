"""Runs one import on a QThread and reports back with signals carrying plain dataclasses."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal

from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.pipeline import CancelToken, Importer, ImportOptions
from insighta_desktop.ingest.summary import ImportProgress

log = logging.getLogger(__name__)


class ImportWorker(QObject):
    """Lives on its own QThread. The pipeline throttles progress to about ten reports a second."""

    progress = Signal(object)  # ImportProgress
    finished = Signal(object)  # ImportSummary
    refused = Signal(str)  # the file cannot be imported at all
    failed = Signal(str)  # an unexpected error

    def __init__(self, importer: Importer, path: Path, options: ImportOptions) -> None:
        super().__init__()
        self.importer = importer
        self.path = path
        self.options = options
        self.cancel_token = CancelToken()

    def run(self) -> None:
        try:
            summary = self.importer.run(self.path, self.options, on_progress=self._report,
                                        cancel=self.cancel_token)
        except ImportRefused as exc:
            self.refused.emit(exc.message)
        except Exception as exc:  # reported in the tab; the log has the traceback
            log.exception("Import of %s failed", self.path)
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(summary)

    def _report(self, progress: ImportProgress) -> None:
        self.progress.emit(progress)

    def cancel(self) -> None:
        self.cancel_token.cancel()


class ImportJob(QObject):
    """Owns a worker and its thread; `done` fires on the GUI thread once the thread has stopped.

    The thread is the job's child, so deleting the job (its owner does, after `done`) deletes the thread; the worker
    is deleted on its own thread as that thread finishes.
    """

    done = Signal()

    def __init__(self, worker: ImportWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._cancel_token = worker.cancel_token  # usable after the worker is gone
        self.worker_thread = QThread(self)  # not `thread`: that would hide QObject.thread()
        self.worker_thread.setObjectName("csv-import")
        worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(worker.run)
        for signal in (worker.finished, worker.refused, worker.failed):
            # Direct: quit from the worker's thread (QThread.quit is thread-safe). A queued call would wait for the
            # GUI thread, which blocks in wait() while the window closes: a 30 s freeze.
            signal.connect(self.worker_thread.quit, Qt.ConnectionType.DirectConnection)
        self.worker_thread.finished.connect(worker.deleteLater)
        self.worker_thread.finished.connect(self.done)

    def start(self) -> None:
        self.worker_thread.start()

    def cancel(self) -> None:
        self._cancel_token.cancel()

    @property
    def running(self) -> bool:
        return self.worker_thread.isRunning()

    def wait(self, ms: int = 30_000) -> bool:
        return self.worker_thread.wait(ms)
