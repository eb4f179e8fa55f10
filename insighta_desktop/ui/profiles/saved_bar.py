"""Save…, Saved ▾, History ▾ and Copy link: searches kept in the database (shared by everyone on it) and links that
open the same search in another copy of the app (`insighta-desktop LINK`)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QMenu, QPushButton, QToolButton, QWidget

from insighta_desktop.profiles.errors import QueryError
from insighta_desktop.profiles.filters import ProfileFilters, chips
from insighta_desktop.profiles.links import to_link
from insighta_desktop.profiles.saved_searches import SavedSearch, SavedSearches, SavedSearchNotFound
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

HISTORY_SHOWN_TEXT = 70  # characters of a history entry's text in the menu


def describe(search: SavedSearch) -> str:
    text = search.query or ", ".join(c.label for c in chips(search.filters)) or "every profile"
    return text if len(text) <= HISTORY_SHOWN_TEXT else text[:HISTORY_SHOWN_TEXT - 1] + "…"


class SavedSearchBar(QWidget):
    chosen = Signal(object)  # SavedSearch: open this search
    message = Signal(str)  # what happened, for the status line

    def __init__(self, service: SavedSearches, tasks: TaskRunner,
                 current: Callable[[], tuple[str, ProfileFilters]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service, self._tasks, self._current = service, tasks, current
        self.saved: list[SavedSearch] = []
        self.history: list[SavedSearch] = []
        self.name_dialog: QInputDialog | None = None
        self.record_task: asyncio.Task[None] | None = None
        self.refresh_task: asyncio.Task[None] | None = None
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Keep this search under a name (in the database: everyone using it sees it)")
        self.save_button.clicked.connect(self.ask_name)
        self.saved_menu = QMenu(self)
        self.saved_button = self._menu_button("Saved", self.saved_menu)
        self.history_menu = QMenu(self)
        self.history_button = self._menu_button("History", self.history_menu)
        self.history_button.setToolTip("The last 100 searches on this database")
        self.copy_button = QPushButton("Copy link")
        self.copy_button.setToolTip("Copy an insighta:// link to this search; insighta-desktop LINK opens it")
        self.copy_button.clicked.connect(self.copy_link)
        # Menus are filled when they open, not after every search: each Qt call that returns nothing costs a
        # reference to None under PySide6 6.12 on Python 3.11 (see filter_panel.set_country_counts).
        self.saved_menu.aboutToShow.connect(self._fill_saved_menu)
        self.history_menu.aboutToShow.connect(self._fill_history_menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.save_button, self.saved_button, self.history_button, self.copy_button):
            layout.addWidget(widget)

    def _menu_button(self, text: str, menu: QMenu) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(menu)
        return button

    # -- reading ------------------------------------------------------------------------------------------------
    def refresh(self) -> asyncio.Task[None]:
        self.refresh_task = self._tasks.spawn(self._load(), key="saved-searches")
        return self.refresh_task

    async def _load(self) -> None:
        def read() -> tuple[list[SavedSearch], list[SavedSearch]]:
            return self._service.list(), self._service.history()

        self.saved, self.history = await in_thread(read)

    def _fill_saved_menu(self) -> None:
        self.saved_menu.clear()
        if not self.saved:
            self.saved_menu.addAction("No saved searches yet: Save… keeps the current one").setEnabled(False)
        for search in self.saved:
            action = self.saved_menu.addAction(search.name)
            action.setToolTip(describe(search))
            action.triggered.connect(lambda _=False, s=search: self.chosen.emit(s))
        if self.saved:
            self.saved_menu.addSeparator()
            delete_menu = self.saved_menu.addMenu("Delete")
            for search in self.saved:
                delete_menu.addAction(search.name).triggered.connect(
                    lambda _=False, name=search.name: self.delete(name))
        self.saved_menu.setToolTipsVisible(True)

    def _fill_history_menu(self) -> None:
        self.history_menu.clear()
        if not self.history:
            self.history_menu.addAction("No searches yet").setEnabled(False)
        for search in self.history:
            action = self.history_menu.addAction(f"{search.at.astimezone():%d %b %H:%M}  {describe(search)}")
            action.triggered.connect(lambda _=False, s=search: self.chosen.emit(s))

    # -- writing ------------------------------------------------------------------------------------------------
    def ask_name(self) -> QInputDialog:
        """A name for the current search (not modal: the answer arrives by signal)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save search")
        dialog.setLabelText("Name (saving under an existing name replaces that search):")
        dialog.textValueSelected.connect(self.save)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.name_dialog = dialog
        return dialog

    def save(self, name: str) -> asyncio.Task[None]:
        text, filters = self._current()
        return self._tasks.spawn(self._save(name, text, filters), key="saved-searches-write")

    async def _save(self, name: str, text: str, filters: ProfileFilters) -> None:
        try:
            replaced = await in_thread(self._service.save, name, text, filters)
        except QueryError as exc:
            self.message.emit(str(exc))
            return
        self.message.emit(f"{'Replaced' if replaced else 'Saved'} “{' '.join(name.split())}”")
        await self._load()

    def delete(self, name: str) -> asyncio.Task[None]:
        return self._tasks.spawn(self._delete(name), key="saved-searches-write")

    async def _delete(self, name: str) -> None:
        try:
            await in_thread(self._service.delete, name)
        except SavedSearchNotFound as exc:
            self.message.emit(str(exc))
        else:
            self.message.emit(f"Deleted “{name}”")
        await self._load()

    def record(self, text: str, filters: ProfileFilters) -> asyncio.Task[None]:
        """Add a search to the history, once its results are on screen (a write: never in their way)."""
        self.record_task = self._tasks.spawn(self._record(text, filters), key="search-history")
        return self.record_task

    async def _record(self, text: str, filters: ProfileFilters) -> None:
        def write() -> list[SavedSearch]:
            self._service.record(text, filters)
            return self._service.history()

        self.history = await in_thread(write)  # one hop to a worker, started after the tab has shown the results

    def copy_link(self) -> str:
        text, filters = self._current()
        link = to_link(filters, text)
        QGuiApplication.clipboard().setText(link)
        self.message.emit(f"Copied {link}")
        return link
