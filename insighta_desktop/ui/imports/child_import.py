"""Runs one import in a child process (the `insighta import` command) and reports back with the same signals the
Import tab used for its worker thread.

The child writes progress as JSON lines on its stdout (ingest.progress); the event loop reads them through
QProcess as they arrive, so parsing and validation never hold this process's interpreter lock. Cancel writes
`cancel` on the child's stdin; a child still running 0.8 s later is killed (its open batch is rolled back by the
database, committed batches stay) and its run is marked cancelled here. A child that dies on its own is a failed run,
resumable from its last committed batch. While a Profiles search is in flight the child is paused (child_pause.py).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal
from sqlalchemy.engine import Engine

from insighta_desktop.config import AppPaths
from insighta_desktop.ingest.child_command import child_environment, import_command
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.progress import CANCEL_COMMAND, parse_line
from insighta_desktop.ingest.stopped_runs import close_stopped_run, exit_description
from insighta_desktop.ingest.summary import CANCELLED, FAILED, ImportProgress, ImportSummary
from insighta_desktop.ui.imports.child_pause import ChildPause

log = logging.getLogger(__name__)

KILL_AFTER_CANCEL_MS = 800
MAX_STDERR = 64 * 1024


def home_of(paths: AppPaths) -> Path | None:
    """The app's home folder when its paths are one folder's (INSIGHTA_HOME, tests), for the child to use too."""
    home = paths.data_dir.parent
    return home if AppPaths.under(home) == paths else None


class ChildImportJob(QObject):
    """One import in a child process. `done` fires once the process has ended and the outcome was reported."""

    progress = Signal(object)  # ImportProgress
    finished = Signal(object)  # ImportSummary
    refused = Signal(str)  # the file cannot be imported at all (nothing written)
    failed = Signal(str)  # the child could not start, or stopped before it created a run
    done = Signal()
    _closed = Signal(object)  # ImportSummary, from the thread that recorded a stopped run

    def __init__(self, engine: Engine, database_url: str, path: Path, options: ImportOptions,
                 home: Path | None = None, parent: QObject | None = None,
                 command: Callable[[Path, ImportOptions], list[str]] = import_command) -> None:
        super().__init__(parent)
        self.engine = engine
        self.path = path
        self.options = options
        self.run_id: int | None = None
        self.summary: ImportSummary | None = None
        self.cancel_requested = False
        self._stderr = b""
        self._closer: threading.Thread | None = None
        self._closed_summary: ImportSummary | None = None  # what the closing thread recorded, once it has
        self._ended = False
        program, *args = command(path, options)
        self.process = QProcess(self)
        self.process.setProgram(program)
        self.process.setArguments(args)
        env = QProcessEnvironment()
        for key, value in child_environment(database_url, home).items():
            env.insert(key, value)
        self.process.setProcessEnvironment(env)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._process_finished)
        self.process.errorOccurred.connect(self._process_error)
        self.kill_timer = QTimer(self)
        self.kill_timer.setSingleShot(True)
        self.kill_timer.setInterval(KILL_AFTER_CANCEL_MS)
        self.kill_timer.timeout.connect(self._kill)
        self._closed.connect(self._report_closed)
        self.pause = ChildPause(self._running_pid, parent=self)

    def start(self) -> None:
        self.process.start()
        self.pause.listen()

    def _running_pid(self) -> int:
        return self.pid if self.process.state() == QProcess.ProcessState.Running else 0

    @property
    def running(self) -> bool:
        return not self._ended

    @property
    def pid(self) -> int:
        return int(self.process.processId())

    def cancel(self) -> None:
        if self._ended or self.cancel_requested:
            return
        self.cancel_requested = True
        self.pause.close()  # a paused child could not read the cancel, nor be paused again while it stops
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.write(f"{CANCEL_COMMAND}\n".encode())
            self.process.closeWriteChannel()
            self.kill_timer.start()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the child has ended (the window closing): a cancelled child gets its 0.8 s, then is killed."""
        self.pause.close()
        if self.process.state() != QProcess.ProcessState.NotRunning:
            if not self.process.waitForFinished(min(ms, KILL_AFTER_CANCEL_MS) if self.cancel_requested else ms):
                self._kill()
                self.process.waitForFinished(ms)
        if self._closer is not None:
            self._closer.join(ms / 1000)
            if self._closed_summary is not None:  # its queued signal cannot arrive while this blocks: end it here
                self._report_closed(self._closed_summary)
        return self.process.state() == QProcess.ProcessState.NotRunning

    def _kill(self) -> None:
        self.pause.close()
        if self.process.state() != QProcess.ProcessState.NotRunning:
            log.info("Import process %d did not stop within %d ms of Cancel; killing it", self.pid,
                     KILL_AFTER_CANCEL_MS)
            self.process.kill()

    def _read_stdout(self) -> None:
        while self.process.canReadLine():
            item = parse_line(bytes(self.process.readLine().data()))
            if isinstance(item, ImportProgress):
                if item.run_id is not None:
                    self.run_id = item.run_id
                self.progress.emit(item)
            elif isinstance(item, ImportSummary):
                self.summary = item

    def _read_stderr(self) -> None:
        self._stderr = (self._stderr + bytes(self.process.readAllStandardError().data()))[-MAX_STDERR:]

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.error("Could not start the import process %s: %s", self.process.program(),
                      self.process.errorString())
            self._end_with(lambda: self.failed.emit(f"the import process could not start "
                                                    f"({self.process.errorString()})"))

    def _process_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self.kill_timer.stop()
        self.pause.close(ended=True)
        self._read_stdout()
        self._read_stderr()
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        message = self._stderr_message()
        if message:
            log.info("Import process ended with %s: %s", exit_code, message)
        if self.summary is not None:
            summary = self.summary
            self._end_with(lambda: self.finished.emit(summary))
        elif self.run_id is not None:
            status = CANCELLED if self.cancel_requested else FAILED
            error = None if self.cancel_requested else (message or exit_description(exit_code, crashed))
            self._close_run_in_thread(self.run_id, status, error)
        elif self.cancel_requested:
            self._end_with(lambda: self.failed.emit("the import was cancelled before it started"))
        else:
            text = message or exit_description(exit_code, crashed)
            refused = text.startswith("cannot import ")
            prefix = f"cannot import {self.path.name}: "
            text = text.removeprefix(prefix) if refused else text
            self._end_with(lambda: (self.refused if refused else self.failed).emit(text))

    def _stderr_message(self) -> str:
        lines = [line.strip() for line in self._stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        return lines[-1].removeprefix("insighta: ") if lines else ""

    def _close_run_in_thread(self, run_id: int, status: str, error: str | None) -> None:
        def close() -> None:
            try:
                summary = close_stopped_run(self.engine, run_id, status, error)
            except Exception as exc:  # the database is gone too: say what happened to the import
                log.exception("Could not record the end of import run %d", run_id)
                summary = ImportSummary(status=FAILED, run_id=run_id, run_status=FAILED, file_name=self.path.name,
                                        error=f"{error or 'cancelled'}; the run could not be updated: {exc}")
            self._closed_summary = summary
            self._closed.emit(summary)

        self._closer = threading.Thread(target=close, name="import-run-close", daemon=True)
        self._closer.start()

    def _report_closed(self, summary: ImportSummary) -> None:
        if not summary.file_name:
            summary.file_name = self.path.name
        self._end_with(lambda: self.finished.emit(summary))

    def _end_with(self, report: Callable[[], object]) -> None:
        if self._ended:
            return
        self._ended = True
        self.pause.close(ended=self.process.state() == QProcess.ProcessState.NotRunning)
        report()
        self.done.emit()
