"""The main window: three tabs, a status bar that names the database, menus, remembered geometry.

The window paints before its database is open: ui/app.py shows it, then `open_database` opens the database on a
worker thread (the keychain is read there, once) and `attach` hands the context over. Each tab is built, and its
modules imported, when it is first shown, so start-up pays only for the tab on screen. The tabs get their services
from the window's AppContext (one per database); a database switch builds a new context and new tabs, then closes
the old context.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from insighta_desktop.config import APP_NAME, AppPaths
from insighta_desktop.ui.packs.opener import ReviewPackOpener
from insighta_desktop.ui.shared.branding import AboutDialog, show_about
from insighta_desktop.ui.shared.database_status import DatabaseStatusLabel, report_in_status_bar
from insighta_desktop.ui.shared.error_dialog import show_error
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

if TYPE_CHECKING:
    from insighta_desktop.config import CredentialStore
    from insighta_desktop.context import AppContext
    from insighta_desktop.resilience.retry import RetryEvent
    from insighta_desktop.ui.imports.tab import ImportTab
    from insighta_desktop.ui.interviews.outbox_view import OutboxDialog
    from insighta_desktop.ui.interviews.tab import InterviewsTab
    from insighta_desktop.ui.profiles.tab import ProfilesTab
    from insighta_desktop.ui.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)

REACHABILITY_INTERVAL_MS = 30_000
OFFLINE_CHECK_INTERVAL_MS = 5_000  # while the link is down: notice its return even with no search waiting
PROFILES, IMPORT, INTERVIEWS = range(3)
TAB_TITLES = ("Profiles", "Import", "Interviews")
TAB_MODULES = ("insighta_desktop.ui.profiles.tab", "insighta_desktop.ui.imports.tab",
               "insighta_desktop.ui.interviews.tab")
OPENING = "Opening the database…"


class _AfterFirstPaint(QObject):
    """Calls `then` once the widget has painted for the first time (so that work does not delay the paint)."""

    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


class MainWindow(QMainWindow):
    ready = Signal()  # the start-up work is done: the database is open and the tab on screen shows its data

    def __init__(self, ctx: AppContext | None = None, *, paths: AppPaths | None = None,
                 load_demo_on_first_run: bool = True) -> None:
        """With a context the window is ready at once (tests, the self-test); without one, see open_database."""
        super().__init__()
        self.ctx: AppContext | None = None
        self.paths = paths or (ctx.paths if ctx is not None else AppPaths.default())
        self.load_demo_on_first_run = load_demo_on_first_run
        self.tasks = TaskRunner(on_error=self._task_failed)
        self.startup_task: asyncio.Task[None] | None = None
        self.exit_code = 0
        self.profiles_tab: ProfilesTab | None = None
        self.pending_link: str | None = None  # an insighta:// link to open once the database is ready
        self.import_tab: ImportTab | None = None
        self.interviews_tab: InterviewsTab | None = None
        self._state = QSettings(str(self.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        self.tabs = QTabWidget()
        self._placeholders: list[QLabel] = []  # each tab's page until the tab is built
        for title in TAB_TITLES:
            placeholder = QLabel(OPENING)
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setStyleSheet("color: #667;")
            self._placeholders.append(placeholder)
            self.tabs.addTab(placeholder, title)
        self.setCentralWidget(self.tabs)
        self.db_label = DatabaseStatusLabel()
        self.statusBar().addPermanentWidget(self.db_label)
        self._context_actions: list[QAction] = []
        self._build_menus()
        self._tab_shortcuts()
        self._restore_state()
        self.tabs.currentChanged.connect(self._tab_shown)
        self._reachability = QTimer(self)
        self._reachability.setInterval(REACHABILITY_INTERVAL_MS)
        self._reachability.timeout.connect(self.check_database)
        self.db_label.offline_changed.connect(
            lambda offline: self._reachability.setInterval(OFFLINE_CHECK_INTERVAL_MS if offline
                                                           else REACHABILITY_INTERVAL_MS))
        self.setWindowTitle(APP_NAME)
        if ctx is not None:
            self.attach(ctx)
        else:
            self.statusBar().showMessage(OPENING)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&Import interviews…", self.import_interviews)
        file_menu.addAction("&Settings…", self.open_settings)
        self.review_packs = ReviewPackOpener(self, file_menu)
        self._context_actions += file_menu.actions()  # import, settings, review packs: they need the database
        file_menu.addSeparator()
        file_menu.addAction("&Quit", self.close)
        view_menu = self.menuBar().addMenu("&View")
        self._context_actions.append(view_menu.addAction("Email &outbox…", self.open_outbox))
        help_menu = self.menuBar().addMenu("&Help")
        self._context_actions.append(help_menu.addAction("&About Insighta Desktop", self.show_about))
        for action in self._context_actions:
            action.setEnabled(False)

    def _tab_shortcuts(self) -> None:
        """Ctrl+Tab and Ctrl+Shift+Tab switch tabs whichever widget has the focus (a table or a text box would
        otherwise take the key for itself)."""
        self.tab_shortcuts = []
        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+Backtab", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda step=step: self.step_tab(step))
            self.tab_shortcuts.append(shortcut)

    def step_tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def open_link(self, link: str) -> None:
        """Show the search an insighta:// link describes, in the Profiles tab (once the database is open)."""
        self.pending_link = link
        self.tabs.setCurrentIndex(PROFILES)
        if self.startup_task is not None and self.startup_task.done():
            self._open_pending_link()

    def _open_pending_link(self) -> None:
        link, self.pending_link = self.pending_link, None
        if link is not None and self.ctx is not None:
            self.ensure_tab(PROFILES)
            assert self.profiles_tab is not None
            self.profiles_tab.open_link(link)

    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 800)
        self.tabs.setCurrentIndex(int(str(self._state.value("last_tab", 0))))  # the ini file holds text

    # -- the database ------------------------------------------------------------------------------------------------
    def open_database_once_painted(self, database_url: str | None = None) -> None:
        """Open the database right after the window's first paint, which it would otherwise compete with."""
        _AfterFirstPaint(self, lambda: self.open_database(database_url))

    def open_database(self, database_url: str | None = None,
                      credentials: CredentialStore | None = None) -> asyncio.Task[bool]:
        """Open the database off the GUI thread, then attach it; a server out of reach is tried again until it
        answers (ui/database_opening.py); any other failure is explained, and the app closes with exit code 2.

        The keychain (credentials: the system's by default) is first read on that thread too.
        """
        return self.tasks.spawn(self._open_database(database_url, credentials), key="open-database")

    async def _open_database(self, database_url: str | None, credentials: CredentialStore | None) -> bool:
        from insighta_desktop.ui import database_opening as opening

        def waiting(event: RetryEvent) -> None:
            log.warning("%s; retrying in %.0f s", opening.waiting_line(event), event.delay)
            self.statusBar().showMessage(opening.waiting_line(event))
            self.db_label.show_status(opening.waiting_status(event))
            for placeholder in self._placeholders:
                placeholder.setText("Waiting for the database server…")

        try:
            ctx = await opening.open_when_reachable(
                lambda: in_thread(opening.open_in_background, database_url, self.paths,
                                  TAB_MODULES[max(self.tabs.currentIndex(), 0)], credentials), waiting)
        except Exception as exc:
            from insighta_desktop.ui.settings_dialog import failure_reason

            log.exception("Cannot open the database")
            for placeholder in self._placeholders:
                placeholder.setText("The database could not be opened.")
            self.statusBar().clearMessage()
            opening.explain_and_close(self, failure_reason(exc, database_url))
            self.exit_code = 2
            return False
        self.attach(ctx)
        return True

    def attach(self, ctx: AppContext) -> None:
        """Use this database: title and status, the tab on screen, the reachability check, first-run demo data."""
        self.ctx = ctx
        self.db_label.follow(ctx)
        self.setWindowTitle(f"{APP_NAME} — {ctx.database_name}")
        self.statusBar().clearMessage()
        for action in self._context_actions:
            action.setEnabled(True)
        self._tab_shown(self.tabs.currentIndex())
        self._reachability.start()
        self.check_database()
        self.startup_task = self.tasks.spawn(self._startup(self.load_demo_on_first_run), key="startup")

    async def _startup(self, load_demo: bool) -> None:
        from insighta_desktop.demo.loader import database_is_empty, load_demo_data

        assert self.ctx is not None
        engine = self.ctx.engine
        if load_demo and self.ctx.is_embedded and await in_thread(database_is_empty, engine):
            self.statusBar().showMessage("First run: loading the demo data (5,000 profiles, 8 interviews)…")
            added = await in_thread(load_demo_data, engine)
            self.statusBar().showMessage(
                f"First run: loaded demo data — {added['profiles']:,} profiles and {added['interviews']} "
                "interviews — so there is something to explore.", 15_000)
        await asyncio.gather(*self.refresh_tabs(), return_exceptions=True)  # the tabs report their own errors
        self._open_pending_link()
        self.ready.emit()

    # -- tabs, built on first visit ----------------------------------------------------------------------------------
    def _tab_shown(self, index: int) -> None:
        if self.ctx is not None and index >= 0:
            self.ensure_tab(index)

    def ensure_tab(self, index: int) -> QWidget:
        """The tab at `index`, built (and its modules imported) now if it has not been yet."""
        built = self.built_tabs()
        existing = built.get(index)
        if existing is not None:
            return existing
        assert self.ctx is not None, "tabs are built once the database is open"
        tab = self._build_tab(index, self.ctx)
        self._put_page(index, tab)
        if self.startup_task is not None and self.startup_task.done():
            tab.refresh()  # otherwise the start-up task refreshes it once the demo data is in
        return tab

    def _put_page(self, index: int, page: QWidget) -> None:
        """Show `page` as the tab at `index` in place of what is there, keeping the current tab."""
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # not a visit: currentChanged would build tabs
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, TAB_TITLES[index])
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)

    def _build_tab(self, index: int, ctx: AppContext) -> ProfilesTab | ImportTab | InterviewsTab:
        if index == PROFILES:
            from insighta_desktop.ui.profiles.tab import ProfilesTab

            self.profiles_tab = ProfilesTab(ctx, self.tasks)
            self.profiles_tab.set_read_only(ctx.read_only_reason)
            return self.profiles_tab
        if index == IMPORT:
            from insighta_desktop.ui.imports.read_only import show_read_only
            from insighta_desktop.ui.imports.tab import ImportTab

            self.import_tab = ImportTab(ctx, self.tasks)
            show_read_only(self.import_tab, ctx.read_only_reason)
            return self.import_tab
        from insighta_desktop.ui.interviews.tab import InterviewsTab

        self.interviews_tab = InterviewsTab(ctx, self.tasks)
        self.interviews_tab.settings_requested.connect(self.open_settings)
        self.interviews_tab.importer.imported.connect(
            lambda _id: self.statusBar().showMessage("Interview imported and selected in the Interviews tab.", 10_000))
        return self.interviews_tab

    def built_tabs(self) -> dict[int, ProfilesTab | ImportTab | InterviewsTab]:
        tabs = {PROFILES: self.profiles_tab, IMPORT: self.import_tab, INTERVIEWS: self.interviews_tab}
        return {index: tab for index, tab in tabs.items() if tab is not None}

    def interviews(self) -> InterviewsTab:
        self.ensure_tab(INTERVIEWS)
        assert self.interviews_tab is not None
        return self.interviews_tab

    def _discard_tabs(self) -> None:
        """After a database switch: the built tabs go; the one on screen is built again on the new database."""
        for index, tab in self.built_tabs().items():
            self._put_page(index, self._placeholders[index])
            tab.deleteLater()
        self.profiles_tab = self.import_tab = self.interviews_tab = None
        self._tab_shown(self.tabs.currentIndex())

    def refresh_tabs(self) -> list[asyncio.Task[None]]:
        return [tab.refresh() for tab in self.built_tabs().values()]

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("last_tab", self.tabs.currentIndex())
        self._state.sync()
        self._reachability.stop()
        if self.import_tab is not None:
            self.import_tab.shutdown()  # a running import stops after its batch; what it committed stays
        self.tasks.cancel_all()
        self.db_label.unfollow()
        super().closeEvent(event)

    # -- status, settings, switching ---------------------------------------------------------------------------------
    def check_database(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._check_database(), key="reachability")

    async def _check_database(self) -> None:
        """One statement: what answers (the status bar) and whether this user may write (the tabs)."""
        from insighta_desktop.db.server_info import failure_line

        ctx = self.ctx
        if ctx is None:
            return
        was_read_only = ctx.read_only_reason
        try:
            server = await in_thread(ctx.read_server)  # reports the link as reached
        except Exception as exc:
            log.warning("The database is unreachable: %s", failure_line(exc))
            ctx.link.lost(failure_line(exc))
            return
        if server.read_only_reason != was_read_only:
            self._apply_read_only(server.read_only_reason)

    # -- the link and read-only databases ----------------------------------------------------------------------------
    def _apply_read_only(self, reason: str | None) -> None:
        """Tell the built tabs; a tab built later asks the context itself."""
        from insighta_desktop.ui.imports.read_only import show_read_only

        if self.import_tab is not None:
            show_read_only(self.import_tab, reason)
        if self.profiles_tab is not None:
            self.profiles_tab.set_read_only(reason)
        self.db_label.refresh()

    def _task_failed(self, exc: BaseException) -> None:
        """A background task's failure: a lost link or a refused write to the status bar, else the error dialog."""
        if not report_in_status_bar(exc, self.ctx, self.statusBar()):
            show_error(exc, self)

    def import_interviews(self) -> QFileDialog:
        """File → Import interviews…: choose transcript files; the Interviews tab shows what was imported."""
        self.tabs.setCurrentIndex(INTERVIEWS)  # builds the tab on its first visit
        return self.interviews().importer.choose_files()

    def open_settings(self) -> SettingsDialog:
        from insighta_desktop.ui.settings_dialog import SettingsDialog

        assert self.ctx is not None
        dialog = SettingsDialog(self.ctx.settings, self.ctx.credentials, self.ctx.paths, self, engine=self.ctx.engine)
        dialog.saved.connect(self.reload_clients)
        dialog.database_changed.connect(self.switch_database)
        dialog.meetmind_box.synced.connect(self._interviews_synced)
        dialog.show()
        self._settings_dialog = dialog
        return dialog

    def _interviews_synced(self) -> None:
        if self.interviews_tab is not None:  # an unbuilt tab reads them when first shown
            self.interviews_tab.refresh()

    def open_outbox(self) -> OutboxDialog:
        return self.interviews().open_outbox()

    def reload_clients(self) -> None:
        """New keys or endpoints take effect now: the context replaces its clients, the old ones are closed."""
        assert self.ctx is not None
        replaced = self.ctx.reload_clients()
        if replaced is not None:
            self.tasks.spawn(replaced.aclose())

    def switch_database(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._switch_database(), key="switch-database")

    async def _switch_database(self) -> None:
        from insighta_desktop.context import open_context
        from insighta_desktop.ui.settings_dialog import failure_reason

        assert self.ctx is not None
        if self.import_tab is not None and self.import_tab.busy:
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
        self.db_label.follow(new_ctx)
        self.setWindowTitle(f"{APP_NAME} — {new_ctx.database_name}")
        self._discard_tabs()
        await old.aclose()
        old.close()
        self.check_database()
        self.statusBar().showMessage(f"Now using {new_ctx.backend_name} · {new_ctx.database_name}", 10_000)

    def show_about(self) -> AboutDialog:
        assert self.ctx is not None
        return show_about(self, self.ctx)
