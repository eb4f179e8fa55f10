"""The Profiles tab's results: the table (grown by keyset pages as it scrolls), the line under it with the total,
and the "data changed" bar. The tab says what to show; the pane fetches further pages of the current search itself.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.db.server_info import failure_line
from insighta_desktop.profiles.errors import QueryError
from insighta_desktop.profiles.filters import PageRequest, ProfileFilters
from insighta_desktop.profiles.search import SearchResult
from insighta_desktop.resilience import RetryEvent
from insighta_desktop.ui.profiles.column_chooser import ColumnChooser
from insighta_desktop.ui.profiles.live_data import LiveDataNotice
from insighta_desktop.ui.profiles.offline import offline_text
from insighta_desktop.ui.profiles.results_model import SORTABLE_COLUMNS, ProfileResultsModel, configure_results_table
from insighta_desktop.ui.shared.tasks import TaskRunner

FETCH_SIZE = 100
KIND_TEXT = {"exact": "", "at_least": " (at least — counting stopped there)", "estimate": " (planner's estimate)"}


class ResultsPane(QWidget):
    """`current()` gives the search on screen (its filters and generation: a page of an older search is dropped);
    `can_refresh_now()` whether the live-data bar may search again in place; `show_error` shows a failed page."""

    def __init__(self, ctx: AppContext, tasks: TaskRunner, current: Callable[[], tuple[ProfileFilters, int]],
                 can_refresh_now: Callable[[], bool], show_error: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._tasks, self._current, self._show_error = ctx, tasks, current, show_error
        self.more_task: asyncio.Task[None] | None = None
        self.model = ProfileResultsModel(self._fetch_more, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        configure_results_table(self.table)
        self.column_chooser = ColumnChooser(
            self.table, QSettings(str(ctx.paths.config_dir / "window.ini"), QSettings.Format.IniFormat),
            "profiles/hidden_columns")
        self.page_label = QLabel("Loading…")
        # Another client's import or delete: refresh in place, or say so while the person reads further down.
        self.live_notice = LiveDataNotice(ctx.profile_search.on_data_change, self.table, can_refresh_now)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.page_label)
        layout.addWidget(self.live_notice)

    def show_result(self, result: SearchResult | None) -> None:
        """A new search's first page (None: nothing), from its first row whatever the old one's scroll position."""
        if result is not None:
            self.live_notice.results_shown()
        self.model.reset(result)
        if result is not None:
            self.table.scrollToTop()
            self.show_status(result)

    def show_status(self, result: SearchResult) -> None:
        if result.total == 0 and not self._current()[0].has_conditions:
            self.page_label.setText("No profiles yet: import a CSV file on the Import tab.")
            return
        # The timing is for developers: in the tooltip, not in the sentence people read.
        cached = " (from the cache)" if result.from_cache else ""
        self.page_label.setToolTip(f"Search took {result.elapsed_ms:.1f} ms{cached}")
        if result.total == 0:
            self.page_label.setText("No profiles match")
            return
        self.page_label.setText(
            f"Showing {self.model.rowCount():,} of {result.total_label} profiles{KIND_TEXT[result.total_kind]}")

    def show_sort_indicator(self, filters: ProfileFilters) -> None:
        column = next((c for c, field in SORTABLE_COLUMNS.items() if field == filters.sort_by), -1)
        order = Qt.SortOrder.AscendingOrder if filters.order == "asc" else Qt.SortOrder.DescendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)

    def offline(self, event: RetryEvent) -> None:
        """A search or page waits for the link: say so; what is on screen stays."""
        self._ctx.link.lost(failure_line(event.error), event.delay)
        self.page_label.setText(offline_text(event.delay, self.model.rowCount()))

    def cancel_more(self) -> None:
        """A new search: the previous one's next page is not wanted (it may be waiting for the link)."""
        if self.more_task is not None and not self.more_task.done():
            self.more_task.cancel()

    # -- further pages -----------------------------------------------------------------------------------------------
    def _fetch_more(self, cursor: str) -> None:
        filters, generation = self._current()
        self.more_task = self._tasks.spawn(self._more(filters, cursor, generation), key="profile-fetch-more")

    async def _more(self, filters: ProfileFilters, cursor: str, generation: int) -> None:
        try:
            result = await self._ctx.database_retrying.run_in_thread(
                self._ctx.profile_search.search, filters, PageRequest(page=1, limit=FETCH_SIZE, cursor=cursor),
                task_name="Next profiles", on_retry=self.offline)
        except QueryError as exc:
            self.model.fetch_failed()
            self._show_error(str(exc))
            return
        except asyncio.CancelledError:
            self.model.fetch_failed()
            raise
        self._ctx.link.reached()
        if generation == self._current()[1]:
            self.model.append(result)
            self.show_status(result)
