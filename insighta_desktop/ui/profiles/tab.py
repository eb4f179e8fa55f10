"""Profiles tab: plain-language search with a filter panel kept in step (with each country's count), removable
chips, a lazily fetched table sorted on the server, the total with its kind (the query time in its tooltip), facet
charts that filter when clicked, saved searches, history and links, and CSV export.

Every database call runs on a worker thread (a search the cache answers for the pushed data version needs none and
is shown at once); a new search supersedes the pending one (its result is dropped). The table, its status line and
further pages are ResultsPane's (results_pane.py).
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.context import AppContext
from insighta_desktop.profiles import facet_filters, typos
from insighta_desktop.profiles.errors import QueryError, UninterpretableQuery
from insighta_desktop.profiles.export import export_csv
from insighta_desktop.profiles.filters import PageRequest, ProfileFilters, build_filters, chips
from insighta_desktop.profiles.links import parse_link
from insighta_desktop.profiles.parser import Interpretation, parse_query
from insighta_desktop.profiles.phrasing import to_query_text
from insighta_desktop.profiles.saved_searches import SavedSearch
from insighta_desktop.profiles.search import Facets, SearchResult
from insighta_desktop.ui.profiles.add_profile_dialog import AddProfileDialog
from insighta_desktop.ui.profiles.facet_charts import FacetCharts
from insighta_desktop.ui.profiles.filter_chips import ChipBar
from insighta_desktop.ui.profiles.filter_panel import FilterPanel
from insighta_desktop.ui.profiles.offline import ADD_TIP, SAVE_TIP, read_only_refusal
from insighta_desktop.ui.profiles.results_model import SORTABLE_COLUMNS
from insighta_desktop.ui.profiles.results_pane import FETCH_SIZE, ResultsPane
from insighta_desktop.ui.profiles.saved_bar import SavedSearchBar
from insighta_desktop.ui.shared.foreground import FOREGROUND
from insighta_desktop.ui.shared.profile_columns import PROFILE_COLUMNS
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread, start_in_thread, started_then_retried

__all__ = ["PROFILE_COLUMNS", "ProfilesTab"]

TYPING_DEBOUNCE_MS = 450
ERROR_STYLE = "color: #b00020;"


async def _nothing() -> None:
    """The task of a search answered from the cache: already on screen."""


class ProfilesTab(QWidget):
    results_shown = Signal()  # a search's page, total, charts and counts are on screen

    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self.search_service = ctx.profile_search
        self.filters: ProfileFilters = build_filters()
        self.interpretation: tuple[Interpretation, ...] = ()
        self.literal: list[str] = []  # words of the current text the user asked to keep as typed (undone corrections)
        self.result: SearchResult | None = None
        self.facets: Facets | None = None
        self._generation = 0
        self.search_task: asyncio.Task[None] | None = None
        self.export_task: asyncio.Task[None] | None = None
        self.read_only_reason: str | None = None  # why this user may not write here (None: writes allowed)
        self._record_next = False  # a search the person asked for goes to the history; a refresh does not

        self.query = QLineEdit(placeholderText="Search in plain words, e.g. “Nigerian females aged 20 to 45”",
                               clearButtonEnabled=True)
        self.search_button = QPushButton("Search")
        self.export_button = QPushButton("Export CSV…")
        self.add_button = QPushButton("Add profile…")
        self.add_button.setToolTip(ADD_TIP)
        self.add_button.clicked.connect(self.open_add_profile)
        self.add_dialog: AddProfileDialog | None = None
        self._typing = QTimer(self, singleShot=True, interval=TYPING_DEBOUNCE_MS)
        self._typing.timeout.connect(self.search_text)
        self.query.textEdited.connect(self._text_edited)
        self.query.returnPressed.connect(self.search_text)
        self.search_button.clicked.connect(self.search_text)
        self.export_button.clicked.connect(self._choose_export_file)
        top = QHBoxLayout()
        top.addWidget(self.query, 1)
        top.addWidget(self.search_button)
        top.addWidget(self.export_button)
        top.addWidget(self.add_button)
        self.saved_bar = SavedSearchBar(ctx.saved_searches, tasks, lambda: (self.query.text().strip(), self.filters))
        self.saved_bar.chosen.connect(self.open_search)
        self.saved_bar.message.connect(self._show_message)
        top.addWidget(self.saved_bar)

        self.error_label = QLabel("")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.unknown_label = QLabel("")
        self.unknown_label.setStyleSheet("color: #8a6d00;")
        self.unknown_label.hide()
        self.chip_bar = ChipBar()
        self.chip_bar.removed.connect(self._remove_chip)
        self.notes = self.chip_bar.notes
        self.notes.undo_correction.connect(self.undo_correction)
        self.notes.replace_words.connect(self._replace_words)
        self.notes.example_chosen.connect(self.search_example)

        self.panel = FilterPanel()
        self.panel.filters_changed.connect(self._panel_changed)
        self.panel.invalid.connect(self._show_error)
        self.panel.setMaximumWidth(300)

        self.results = ResultsPane(
            ctx, tasks, lambda: (self.filters, self._generation),
            lambda: self.result is not None and (self.search_task is None or self.search_task.done()),
            self._show_error)
        self.model, self.table, self.page_label = self.results.model, self.results.table, self.results.page_label
        self.column_chooser, self.live_notice = self.results.column_chooser, self.results.live_notice
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.live_notice.refresh_requested.connect(self.refresh)
        self.live_notice.auto_refresh.connect(self._live_refresh)
        self.charts = FacetCharts()
        self.charts.setMinimumWidth(280)  # narrower, Qt elides the age labels
        self.charts.gender_clicked.connect(lambda g: self._narrow(facet_filters.with_gender, g))
        self.charts.decade_clicked.connect(lambda d: self._narrow(facet_filters.with_decade, d))
        self.charts.country_clicked.connect(lambda c: self._narrow(facet_filters.with_country, c))

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(self.panel)
        middle.addWidget(self.results)
        middle.addWidget(self.charts)
        middle.setStretchFactor(1, 1)
        middle.setSizes([300, 590, 280])
        self.splitter = middle

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addWidget(self.chip_bar)
        layout.addWidget(self.unknown_label)
        layout.addWidget(middle, 1)
        self.panel.set_filters(self.filters)
        self.results.show_sort_indicator(self.filters)
        # The typo index takes a fraction of a second to build: build it now, off the GUI thread.
        self._warm_task = tasks.spawn(in_thread(typos.index), key="typo-index")
        self.saved_bar.refresh()

    # -- entry points ------------------------------------------------------------------------------------------------
    def refresh(self, foreground: bool = True) -> asyncio.Task[None]:
        """Search again with the current filters (the cache notices changed data by its version). `foreground`:
        someone waits for it (an import's child steps aside meanwhile); a live refresh does not."""
        return self.run_search(self.filters, self.interpretation, foreground=foreground)

    def _live_refresh(self) -> None:
        self.refresh(foreground=False)

    def search_text(self) -> asyncio.Task[None] | None:
        """Parse the search box and search; an empty box means every profile, filtered by the panel."""
        self._typing.stop()
        text = self.query.text().strip()
        if not text:
            self._record_next = True
            return self.run_search(self.panel.current_or_no_filters())
        try:
            parsed = parse_query(text, literal=self.literal)
        except UninterpretableQuery as exc:
            self._nothing_understood(str(exc))
            return None
        except QueryError as exc:
            self._show_error(str(exc))
            return None
        self._show_unknown(parsed.unknown_words)
        self.notes.show_notes(parsed.corrections, parsed.suggestions)  # before: the results add the name's notes
        self._record_next = True
        task = self.run_search(parsed.filters, parsed.interpretation)
        self.panel.set_filters(parsed.filters)  # ~250 countries: once the search is on its way
        return task

    def undo_correction(self, words: str) -> asyncio.Task[None] | None:
        """Search again with `words` (a corrected misspelling, as typed) taken literally."""
        self.literal.append(words)
        return self.search_text()

    def search_example(self, text: str) -> asyncio.Task[None] | None:
        self.query.setText(text)
        self.literal = []
        return self.search_text()

    def _replace_words(self, words: str, option: str) -> None:
        self.query.setText(self.query.text().replace(words, option, 1))
        self.literal = []
        self.search_text()

    def _text_edited(self, _text: str) -> None:
        self.literal = []
        self._typing.start()

    def _nothing_understood(self, message: str) -> None:
        """Today's error text, and nothing left of the previous search: no rows, chips or charts; three examples."""
        self._generation += 1  # a pending search's answer is dropped
        self.result, self.facets = None, None
        self.filters, self.interpretation = build_filters(), ()
        self.panel.set_filters(self.filters)
        self.results.show_result(None)
        self.charts.clear()
        self.panel.set_country_counts(None)
        self.chip_bar.clear_all("Nothing understood.")
        self.notes.show_examples()
        self._show_unknown(())
        self._show_error(message)

    def run_search(self, filters: ProfileFilters, interpretation: tuple[Interpretation, ...] = (), *,
                   foreground: bool = True) -> asyncio.Task[None]:
        self.filters, self.interpretation = filters, interpretation
        self._generation += 1
        self.results.cancel_more()
        # Asked before (the cache holds it for the data version the server pushed): shown now, on this thread,
        # with no round trip and no worker to wait for.
        cached = self.search_service.cached_search_with_facets(
            filters, PageRequest(limit=FETCH_SIZE), interpretation=interpretation, country_counts=True)
        if cached is not None:
            self.chip_bar.set_chips(chips(filters), interpretation)
            self.results.show_sort_indicator(self.filters)
            self._show_results(filters, *cached)
            self.search_task = self._tasks.spawn(_nothing(), key="profile-search")  # supersedes a pending search
            return self.search_task

        def work() -> tuple[SearchResult, Facets, Facets | None]:
            # page, total, charts and the panel's country counts: one round trip on PostgreSQL
            return self.search_service.search_with_facets(filters, PageRequest(limit=FETCH_SIZE),
                                                          interpretation=interpretation, country_counts=True)

        # An import's child process steps aside until this answer is on screen, when someone waits for it.
        mark = FOREGROUND.begin() if foreground else None
        started = start_in_thread(work)  # on its way to the server while the chips and the label repaint
        self.chip_bar.set_chips(chips(filters), interpretation)
        self.results.show_sort_indicator(self.filters)
        self.page_label.setText("Searching…")
        self.search_task = self._tasks.spawn(
            self._search(filters, started_then_retried(started, work), self._generation), key="profile-search")
        if mark is not None:
            self.search_task.add_done_callback(mark.end)
        return self.search_task

    def apply_filters(self, filters: ProfileFilters, text: str | None = None,
                      interpretation: tuple[Interpretation, ...] = ()) -> asyncio.Task[None]:
        """Search with these filters, the box showing `text` (default: the filters in words), the panel in step."""
        self.query.setText(to_query_text(filters) if text is None else text)
        self.literal = []
        self.notes.show_notes(())
        self._show_unknown(())
        self._record_next = True
        task = self.run_search(filters, interpretation)
        self.panel.set_filters(filters)  # ~250 countries: once the search is on its way
        return task

    def open_search(self, search: SavedSearch) -> asyncio.Task[None]:
        """A saved search or a history entry: its text in the box, its filters as they were saved."""
        return self.apply_filters(search.filters, search.query)

    def open_link(self, link: str) -> asyncio.Task[None] | None:
        """An insighta:// link: its filters (or, without any, its text parsed as if typed)."""
        try:
            parsed = parse_link(link)
        except QueryError as exc:
            self._show_error(f"Cannot open the link: {exc}")
            return None
        if parsed.filters is None:
            self.query.setText(parsed.text)
            self.literal = []
            return self.search_text()
        return self.apply_filters(parsed.filters, parsed.text or None)

    def _narrow(self, add: Callable[[ProfileFilters, Any], ProfileFilters],
                value: object) -> asyncio.Task[None] | None:
        """A click on a facet: its filter added to the current ones."""
        try:
            filters = add(self.filters, value)
        except QueryError as exc:
            self._show_error(str(exc))
            return None
        return self.apply_filters(filters)

    def open_add_profile(self) -> AddProfileDialog | None:
        """The Add profile… dialog (one at a time, not modal); a profile it adds refreshes the search."""
        if self.read_only_reason is not None:
            self._show_error(read_only_refusal("Adding a profile", self.read_only_reason))
            return None
        if self.add_dialog is None:
            dialog = AddProfileDialog(self._ctx.profiles_from_name, self._tasks, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.profile_added.connect(lambda _profile: self.refresh())
            dialog.destroyed.connect(self._add_dialog_closed)
            self.add_dialog = dialog
        self.add_dialog.show()
        self.add_dialog.raise_()
        return self.add_dialog

    def _add_dialog_closed(self) -> None:
        self.add_dialog = None

    def export_to(self, path: Path) -> asyncio.Task[None]:
        self.export_task = self._tasks.spawn(self._export(Path(path), self.filters), key="profile-export")
        return self.export_task

    def set_read_only(self, reason: str | None) -> None:
        """A database this user may only read: searching works; adding, saving and the history do not."""
        self.read_only_reason = reason
        for button, tip in ((self.add_button, ADD_TIP), (self.saved_bar.save_button, SAVE_TIP)):
            button.setEnabled(reason is None)
            button.setToolTip(tip if reason is None else read_only_refusal(button.text().rstrip("…"), reason))

    # -- background work ---------------------------------------------------------------------------------------------
    async def _search(self, filters: ProfileFilters,
                      attempt: Callable[[], Awaitable[tuple[SearchResult, Facets, Facets | None]]],
                      generation: int) -> None:
        """The search run_search started, retried with backoff while the link is down."""
        try:
            result, facets, country_facets = await self._ctx.database_retrying.run(
                attempt, task_name="Profile search", on_retry=self.results.offline)
        except QueryError as exc:
            if generation == self._generation:
                self._show_error(str(exc))
            return
        self._ctx.link.reached()
        if generation != self._generation:
            return  # a newer search has started; this answer is stale
        self._show_results(filters, result, facets, country_facets)

    def _show_results(self, filters: ProfileFilters, result: SearchResult, facets: Facets,
                      country_facets: Facets | None) -> None:
        """Page, total, charts and the panel's country counts on screen; then (a write, off the result path) the
        search goes to the history."""
        self._clear_error()
        self.result, self.facets = result, facets
        self.results.show_result(result)
        self.charts.show_facets(facets)
        self.notes.show_name_match(result.name_match)  # "no name starts with 'kabroe': showing 'kabore'"
        # Each country's count for the other filters (the country condition left out): asked with the search,
        # or the result's own facets when there is no country condition.
        counts = country_facets or facets
        self.panel.set_country_counts(dict(counts.countries), sample=counts.kind == "sample")
        self.results_shown.emit()
        if self._record_next:
            self._record_next = False
            if self.read_only_reason is None:  # the history is a write
                self.saved_bar.record(self.query.text().strip(), filters)

    async def _export(self, path: Path, filters: ProfileFilters) -> None:
        self.export_button.setEnabled(False)
        self.page_label.setText(f"Exporting to {path.name}…")

        def write() -> int:
            with open(path, "w", newline="", encoding="utf-8") as fh:
                return export_csv(self.search_service, filters, fh)

        try:
            written = await in_thread(write)
        except OSError as exc:
            self._show_error(f"Could not write {path}: {exc.strerror or exc}")
            return
        finally:
            self.export_button.setEnabled(True)
        self.page_label.setText(f"Exported {written:,} profiles to {path}")

    # -- reactions -----------------------------------------------------------------------------------------------
    def _panel_changed(self, filters: ProfileFilters) -> None:
        self.apply_filters(filters)

    def _remove_chip(self, field: str, value: object) -> None:
        self.apply_filters(self.filters.without(field, value), interpretation=self.interpretation)

    def _header_clicked(self, section: int) -> None:
        sort_by = SORTABLE_COLUMNS.get(section)
        if sort_by is None:
            self.results.show_sort_indicator(self.filters)
            return
        if self.filters.sort_by == sort_by:
            order = "asc" if self.filters.order == "desc" else "desc"
        else:
            order = "desc" if sort_by in ("created_at", "gender_probability") else "asc"
        self.apply_filters(build_filters(**{**self.filters.to_dict(), "sort_by": sort_by, "order": order}),
                           interpretation=self.interpretation)

    def _choose_export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export profiles", "profiles.csv", "CSV files (*.csv)")
        if name:
            self.export_to(Path(name))

    # -- display -------------------------------------------------------------------------------------------------
    def _show_message(self, message: str) -> None:
        self.page_label.setText(message)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.page_label.setText("")

    def _clear_error(self) -> None:
        self.error_label.hide()
        self.error_label.setText("")

    def _show_unknown(self, words: tuple[str, ...]) -> None:
        self.unknown_label.setText("Not understood (ignored): " + ", ".join(f"“{w}”" for w in words) if words else "")
        self.unknown_label.setVisible(bool(words))
