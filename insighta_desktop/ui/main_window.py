"""The main window: three tabs, a status bar that names the database, menus, remembered geometry.

The tabs get their services from the window's AppContext (one per database); a database switch builds a new
context and new tabs, then closes the old context.
"""
from __future__ import annotations

import asyncio

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from insighta_desktop.config import APP_NAME
from insighta_desktop.context import AppContext, open_context
from insighta_desktop.demo.loader import database_is_empty, load_demo_data
from insighta_desktop.ui.imports.tab import ImportTab
from insighta_desktop.ui.interviews.outbox_view import OutboxDialog
from insighta_desktop.ui.interviews.tab import InterviewsTab
from insighta_desktop.ui.packs.opener import ReviewPackOpener
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.settings_dialog import SettingsDialog, failure_reason
from insighta_desktop.ui.shared.branding import AboutDialog, show_about
from insighta_desktop.ui.shared.error_dialog import show_error
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

REACHABILITY_INTERVAL_MS = 30_000


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, *, load_demo_on_first_run: bool = True):
        super().__init__()
        self.ctx = ctx
        self.tasks = TaskRunner(on_error=lambda exc: show_error(exc, self))
        self._state = QSettings(str(ctx.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.db_label = QLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_menus()
        self._build_tabs()
        self._restore_state()
        self._reachability = QTimer(self)
        self._reachability.setInterval(REACHABILITY_INTERVAL_MS)
        self._reachability.timeout.connect(self.check_database)
        self._reachability.start()
        self.check_database()
        self.startup_task = self.tasks.spawn(self._startup(load_demo_on_first_run), key="startup")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&Import interviews…", self.import_interviews)
        file_menu.addAction("&Settings…", self.open_settings)
        self.review_packs = ReviewPackOpener(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction("&Quit", self.close)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction("Email &outbox…", self.open_outbox)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About Insighta Desktop", self.show_about)

    def _build_tabs(self) -> None:
        current = self.tabs.currentIndex()
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        self.profiles_tab = ProfilesTab(self.ctx, self.tasks)
        self.import_tab = ImportTab(self.ctx, self.tasks)
        self.interviews_tab = InterviewsTab(self.ctx, self.tasks)
        self.interviews_tab.settings_requested.connect(self.open_settings)
        self.interviews_tab.importer.imported.connect(
            lambda _id: self.statusBar().showMessage("Interview imported and selected in the Interviews tab.", 10_000))
        self.tabs.addTab(self.profiles_tab, "Profiles")
        self.tabs.addTab(self.import_tab, "Import")
        self.tabs.addTab(self.interviews_tab, "Interviews")
        if current >= 0:
            self.tabs.setCurrentIndex(current)
        self.setWindowTitle(f"{APP_NAME} — {self.ctx.database_name}")

    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 760)
        self.tabs.setCurrentIndex(int(str(self._state.value("last_tab", 0))))  # the ini file holds text

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("last_tab", self.tabs.currentIndex())
        self._state.sync()
        self._reachability.stop()
        self.import_tab.shutdown()  # a running import stops after its batch; what it committed stays
        self.tasks.cancel_all()
        super().closeEvent(event)

    async def _startup(self, load_demo: bool) -> None:
        if load_demo and self.ctx.is_embedded and await in_thread(database_is_empty, self.ctx.engine):
            self.statusBar().showMessage("First run: loading the demo data (5,000 profiles, 8 interviews)…")
            added = await in_thread(load_demo_data, self.ctx.engine)
            self.statusBar().showMessage(
                f"First run: loaded demo data — {added['profiles']:,} profiles and {added['interviews']} "
                "interviews — so there is something to explore.", 15_000)
        self.refresh_tabs()

    def refresh_tabs(self) -> None:
        for tab in (self.profiles_tab, self.import_tab, self.interviews_tab):
            tab.refresh()

    def check_database(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._check_database(), key="reachability")

    async def _check_database(self) -> None:
        name = f"{self.ctx.backend_name} · {self.ctx.database_name}"
        try:
            await in_thread(self.ctx.check_connection)
            self.db_label.setText(f"● {name}")
            self.db_label.setToolTip(f"{self.ctx.database_label}\nThe database is reachable.")
            self.db_label.setStyleSheet("color: #1b7a1b;")
        except Exception as exc:
            self.db_label.setText(f"● {name} — unreachable")
            self.db_label.setToolTip(f"{self.ctx.database_label}\n{failure_reason(exc)}")
            self.db_label.setStyleSheet("color: #b00020;")

    def import_interviews(self) -> QFileDialog:
        """File → Import interviews…: choose transcript files; the Interviews tab shows what was imported."""
        self.tabs.setCurrentWidget(self.interviews_tab)
        return self.interviews_tab.importer.choose_files()

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.ctx.settings, self.ctx.credentials, self.ctx.paths, self, engine=self.ctx.engine)
        dialog.saved.connect(self.reload_clients)
        dialog.database_changed.connect(self.switch_database)
        dialog.meetmind_box.synced.connect(self.interviews_tab.refresh)
        dialog.show()
        self._settings_dialog = dialog
        return dialog

    def open_outbox(self) -> OutboxDialog:
        return self.interviews_tab.open_outbox()

    def reload_clients(self) -> None:
        """New keys or endpoints take effect now: the context replaces its clients, the old ones are closed."""
        replaced = self.ctx.reload_clients()
        if replaced is not None:
            self.tasks.spawn(replaced.aclose())

    def switch_database(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._switch_database(), key="switch-database")

    async def _switch_database(self) -> None:
        if self.import_tab.busy:
            # The running import keeps its database; switching under it would pull the tab away from its thread.
            self.statusBar().showMessage("An import is running: the new database is saved and will be used from the "
                                         "next start, or save Settings again once the import is done.", 15_000)
            return
        self.statusBar().showMessage("Opening the new database…")
        try:
            new_ctx = await in_thread(open_context, paths=self.ctx.paths, credentials=self.ctx.credentials,
                                      read_secrets=True)
        except Exception as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, "Database not changed",
                              f"The new database could not be opened, so the app keeps using "
                              f"{self.ctx.database_label}.\n\n{failure_reason(exc)}", parent=self)
            box.open()  # not exec(): this runs inside a coroutine
            self.statusBar().clearMessage()
            return
        old, self.ctx = self.ctx, new_ctx
        self._build_tabs()
        await old.aclose()
        old.close()
        self.check_database()
        self.statusBar().showMessage(f"Now using {self.ctx.backend_name} · {self.ctx.database_name}", 10_000)
        self.refresh_tabs()

    def show_about(self) -> AboutDialog:
        return show_about(self, self.ctx)
