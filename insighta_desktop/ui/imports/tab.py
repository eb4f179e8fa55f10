"""Import tab: drop or choose a CSV, look at a preview, import in a child process with live progress, then the
summary, the rejected rows, and the history of past imports (with Resume)."""
from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from insighta_desktop.context import AppContext
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.file_format import DETECT, FileFormat
from insighta_desktop.ingest.fixed_rows import fixed_rows_path, load_editable, run_label, write_fixed_rows
from insighta_desktop.ingest.mapped_preview import preview_mapped
from insighta_desktop.ingest.ownership import shown_state
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.runs import RunRecord, list_runs
from insighta_desktop.ingest.same_file import same_file
from insighta_desktop.ingest.summary import ImportProgress, ImportSummary
from insighta_desktop.ui.imports.child_import import ChildImportJob, home_of
from insighta_desktop.ui.imports.panels import PreviewPanel, ProgressPanel, SummaryPanel
from insighta_desktop.ui.imports.rejects import RejectsPanel
from insighta_desktop.ui.shared.bulk_load import built_without_collections
from insighta_desktop.ui.shared.drop_zone import DropZone
from insighta_desktop.ui.shared.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

HISTORY_COLUMNS = [
    Column("Started", lambda r: r.started_at.strftime("%d %b %H:%M")),
    Column("File", lambda r: run_label(r.record)),
    Column("Status", lambda r: r.shown),
    Column("Rows", lambda r: r.record.total_rows, True, "{:,}".format),
    Column("Inserted", lambda r: r.record.inserted, True, "{:,}".format),
    Column("Skipped", lambda r: r.record.skipped, True, "{:,}".format),
]
MAX_SHOWN_REJECTS = 100_000


class _HistoryRow:
    def __init__(self, record: RunRecord, shown: str, resumable: bool) -> None:
        self.record = record
        self.started_at = record.started_at
        self.file_name = record.file_name
        self.shown = shown
        self.resumable = resumable


def _history(engine: Engine) -> list[_HistoryRow]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return [_HistoryRow(r, *shown_state(engine, r, now)) for r in list_runs(engine)]


class ImportTab(QWidget):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self.setAcceptDrops(True)
        self.chosen_file: Path | None = None
        self.job: ChildImportJob | None = None
        self.last_summary: ImportSummary | None = None
        self.batch_size = ctx.settings.import_batch_size

        self.drop_zone = DropZone()
        self.drop_zone.setMinimumHeight(90)
        self.drop_zone.file_chosen.connect(self.choose_file)
        self.drop_zone.refused.connect(self.show_problem)
        self.message = QLabel(f"Imports go into {ctx.database_label}.")
        self.message.setWordWrap(True)

        self.preview_panel = PreviewPanel()
        self.preview_panel.start_requested.connect(self.start_import)
        setup = self.preview_panel.setup
        setup.mapping_changed.connect(self._remap)
        setup.check_requested.connect(self.check_file)
        setup.resume_requested.connect(lambda _run: self.start_import(resume=True))
        self.preview_panel.format_picker.format_changed.connect(self.reread_preview)
        self.progress_panel = ProgressPanel()
        self.progress_panel.cancel_requested.connect(self.cancel_import)
        self.summary_panel = SummaryPanel()
        self.stack = QStackedWidget()
        self.empty_page = QLabel("Choose a file to see a preview of its first rows before importing.")
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_page.setStyleSheet("color: #6b7385;")
        for page in (self.empty_page, self.preview_panel, self.progress_panel, self.summary_panel):
            self.stack.addWidget(page)

        self.rejects_panel = RejectsPanel()
        self.rejects_panel.import_fixed_requested.connect(self.import_fixed_rows)
        self.history_model = RecordTableModel(HISTORY_COLUMNS, self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        configure_table(self.history, 1)
        self.history.selectionModel().currentRowChanged.connect(self._history_selected)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setEnabled(False)
        self.resume_button.setToolTip("Continue a cancelled, failed or interrupted import from its last batch")
        self.resume_button.clicked.connect(self.resume_selected)
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Past imports</b>"), 1)
        head.addWidget(self.resume_button)
        history_layout.addLayout(head)
        history_layout.addWidget(self.history, 1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.rejects_panel)
        lower.addWidget(history_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setSizes([600, 450])

        layout = QVBoxLayout(self)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.message)
        layout.addWidget(self.stack)
        layout.addWidget(lower, 1)

    # Drops anywhere on the tab go to the drop zone.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self.drop_zone.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.drop_zone.dropEvent(event)

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    def choose_file(self, path: Path) -> asyncio.Task[None] | None:
        if self.busy:
            self.show_problem("An import is running; wait for it to finish or cancel it first.")
            return None
        self.chosen_file = path
        self.preview_panel.format_picker.reset()
        self.show_message(f"Reading the start of {path.name}…")
        return self._tasks.spawn(self._load_preview(path), key="import-preview")

    def reread_preview(self, _file_format: FileFormat) -> asyncio.Task[None] | None:
        """The encoding or delimiter chosen in the preview changed: read the preview again with it (the columns
        may differ, so their mapping starts again from the automatic one)."""
        if self.busy or self.chosen_file is None:
            return None
        self.show_message(f"Reading {self.chosen_file.name} again…")
        return self._tasks.spawn(self._load_preview(self.chosen_file), key="import-preview")

    async def _load_preview(self, path: Path, chosen: dict[str, str | None] | None = None) -> None:
        file_format = self.preview_panel.format_picker.chosen
        try:
            preview = await in_thread(preview_mapped, path, self._ctx.engine, chosen, 15, file_format=file_format)
        except ImportRefused as exc:
            if file_format != DETECT or "delimiter is ambiguous" in exc.message:
                # Another encoding or delimiter may read it: keep the choices on screen.
                self.preview_panel.show_unreadable(path)
                self.stack.setCurrentWidget(self.preview_panel)
                self.show_problem(f"{path.name} cannot be imported as read: {exc.message}. "
                                  "Choose another encoding or delimiter.")
                return
            self.chosen_file = None
            self.stack.setCurrentWidget(self.empty_page)
            self.show_problem(f"{path.name} cannot be imported: {exc.message}.")
            return
        except OSError as exc:
            self.chosen_file = None
            self.show_problem(f"{path.name} cannot be read: {exc.strerror or exc}.")
            return
        self.preview_panel.show_preview(preview, self._ctx.database_label)
        self.stack.setCurrentWidget(self.preview_panel)
        self.show_message(f"Ready to import {path.name} into {self._ctx.database_label}.")
        if chosen is None:
            self.preview_panel.setup.show_same_file(None)
            self._tasks.spawn(self._load_same_file(path), key="import-same-file")

    def _remap(self, chosen: dict[str, str | None]) -> None:
        if self.chosen_file is not None and not self.busy:
            self._tasks.spawn(self._load_preview(self.chosen_file, chosen), key="import-preview")

    async def _load_same_file(self, path: Path) -> None:
        try:
            known = await in_thread(same_file, self._ctx.engine, path)
        except OSError:
            return
        if path == self.chosen_file:
            self.preview_panel.setup.show_same_file(known)

    def check_file(self) -> ChildImportJob | None:
        """Check file: the summary an import would give, nothing written (a dry run, in a child process like an
        import, so reading the whole file never holds this window's interpreter lock)."""
        if self.chosen_file is None or self.busy:
            return None
        setup = self.preview_panel.setup
        options = ImportOptions(batch_size=self.batch_size, dry_run=True, columns=setup.chosen(),
                                on_duplicate=setup.on_duplicate, file_format=self.preview_panel.format_picker.chosen)
        setup.show_checking(f"Checking {self.chosen_file.name}…")
        job = self.job = ChildImportJob(self._ctx.engine, self._ctx.database_url, self.chosen_file, options,
                                        home_of(self._ctx.paths), self)
        job.finished.connect(setup.show_check)
        job.refused.connect(lambda message: setup.show_checking(f"The file cannot be imported: {message}."))
        job.failed.connect(lambda message: setup.show_checking(f"The check stopped: {message}"))
        job.done.connect(lambda: self._on_check_done(job))
        job.start()
        return job

    def _on_check_done(self, job: ChildImportJob) -> None:
        if self.job is job:
            self.job = None
        job.deleteLater()

    def start_import(self, resume: bool = False) -> None:
        if self.busy or self.chosen_file is None:
            return
        setup = self.preview_panel.setup
        # A resumed run reads as it did before; a new one as the preview's choices say.
        file_format = DETECT if resume else self.preview_panel.format_picker.chosen
        options = ImportOptions(batch_size=self.batch_size, resume=resume, on_duplicate=setup.on_duplicate,
                                columns=None if resume or not setup.headers else setup.chosen(),
                                file_format=file_format)
        self._start_job(self.chosen_file, options, f"{'Resuming' if resume else 'Importing'} {self.chosen_file.name}")

    def _start_job(self, path: Path, options: ImportOptions, doing: str) -> None:
        """The import in a child process: the options chosen here reach it whole (ingest.child_command)."""
        job = self.job = ChildImportJob(self._ctx.engine, self._ctx.database_url, path, options,
                                        home_of(self._ctx.paths), self)
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.refused.connect(self._on_refused)
        job.failed.connect(self._on_failed)
        job.done.connect(lambda: self._on_job_done(job))
        self.progress_panel.reset(path.name)
        self.stack.setCurrentWidget(self.progress_panel)
        self.show_message(f"{doing}; the window stays usable meanwhile.")
        job.start()

    def import_fixed_rows(self, run_id: int) -> asyncio.Task[None] | None:
        """The rows fixed in the rejected-rows table, as a new run whose parent is `run_id`."""
        if self.busy:
            self.show_problem("An import is running; wait for it to finish or cancel it first.")
            return None
        return self._tasks.spawn(self._import_fixed_rows(run_id), key="import-fixed-rows")

    async def _import_fixed_rows(self, run_id: int) -> None:
        from datetime import UTC, datetime

        model = self.rejects_panel.model
        path = fixed_rows_path(self._ctx.paths.data_dir / "fixed-rows", run_id,
                               datetime.now(UTC).strftime("%Y%m%d-%H%M%S"))
        try:
            count = await in_thread(write_fixed_rows, path, list(model.rows), model.fields)
        except OSError as exc:
            self.show_problem(f"The fixed rows could not be written to {path}: {exc.strerror or exc}.")
            return
        if count and not self.busy:
            self._start_job(path, ImportOptions(batch_size=self.batch_size, parent_run_id=run_id),
                            f"Importing {count:,} fixed row{'s' if count != 1 else ''} of run {run_id}")

    def cancel_import(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_progress(self, progress: ImportProgress) -> None:
        self.progress_panel.show_progress(progress)

    def _on_finished(self, summary: ImportSummary) -> None:
        self.last_summary = summary
        self.summary_panel.show_summary(summary)
        self.stack.setCurrentWidget(self.summary_panel)
        self.show_message(f"{summary.file_name}: {summary.inserted:,} inserted, {summary.skipped:,} skipped.")
        if self.job is not None and self.job.options.parent_run_id is not None:
            # Fixed rows: they leave the table of the run they came from, which stays shown; the new run's own
            # rejects (a name already imported, say) are one click away in the history.
            self.rejects_panel.drop_fixed()
        elif summary.run_id is not None:
            self._tasks.spawn(self._load_rejects(summary.run_id, summary.file_name), key="import-rejects")

    def _on_refused(self, message: str) -> None:
        self.stack.setCurrentWidget(self.empty_page)
        self.show_problem(f"The file cannot be imported: {message}.")

    def _on_failed(self, message: str) -> None:
        self.stack.setCurrentWidget(self.empty_page)
        self.show_problem(f"The import stopped with an error: {message}")

    def _on_job_done(self, job: ChildImportJob) -> None:
        if self.job is job:
            self.job = None
        job.deleteLater()  # and its ended process with it
        self.refresh()

    async def _load_rejects(self, run_id: int, file_name: str) -> None:
        rows, fields = await in_thread(built_without_collections, load_editable, self._ctx.engine, run_id,
                                       MAX_SHOWN_REJECTS)
        self.rejects_panel.set_rejects(rows, fields, f"Rejected rows of {Path(file_name).name}", run_id)

    def _selected_run(self) -> _HistoryRow | None:
        index = self.history.currentIndex()
        return self.history_model.row_at(index.row()) if index.isValid() else None

    def _history_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.history_model.row_at(current.row()) if current.isValid() else None
        self.resume_button.setEnabled(bool(row and row.resumable and not self.busy))
        if row is not None:
            self._tasks.spawn(self._load_rejects(row.record.id, row.record.file_name), key="import-rejects")

    def resume_selected(self) -> None:
        row = self._selected_run()
        if row is None or self.busy:
            return
        path = Path(row.record.file_name)
        if not path.is_file():
            self.show_problem(f"{path} is no longer there; put the same file back to resume its import.")
            return
        self.chosen_file = path
        self.start_import(resume=True)

    def refresh(self) -> asyncio.Task[None]:
        return self._tasks.spawn(self._load_history(), key="import-history")

    async def _load_history(self) -> None:
        self.history_model.set_rows(await in_thread(_history, self._ctx.engine))
        self.resume_button.setEnabled(False)

    def shutdown(self, wait_ms: int = 30_000) -> None:
        """Cancel a running import and wait for its process (window closing)."""
        if self.job is not None and self.job.running:
            self.job.cancel()
            self.job.wait(wait_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown()  # the tab on its own, as a window: its import must stop before the tab is deleted
        super().closeEvent(event)
