"""Profiles tab: plain-language search with a filter panel kept in step, removable chips, a lazily fetched table
sorted on the server, the total with its kind and the query time, facet charts, and CSV export.

Every database call runs on a worker thread; a new search supersedes the pending one (its result is dropped).
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.context import AppContext
from insighta_desktop.profiles import typos
from insighta_desktop.profiles.errors import QueryError, UninterpretableQuery
from insighta_desktop.profiles.export import export_csv
from insighta_desktop.profiles.filters import PageRequest, ProfileFilters, build_filters, chips
from insighta_desktop.profiles.parser import Interpretation, parse_query
from insighta_desktop.profiles.phrasing import to_query_text
from insighta_desktop.profiles.search import Facets, SearchResult
from insighta_desktop.ui.profiles.add_profile_dialog import AddProfileDialog
from insighta_desktop.ui.profiles.facet_charts import FacetCharts
from insighta_desktop.ui.profiles.filter_chips import ChipBar
from insighta_desktop.ui.profiles.filter_panel import FilterPanel
from insighta_desktop.ui.profiles.results_model import SORTABLE_COLUMNS, ProfileResultsModel
from insighta_desktop.ui.shared.profile_columns import PROFILE_COLUMNS
from insighta_desktop.ui.shared.table_model import configure_table
from insighta_desktop.ui.shared.tasks import TaskRunner, in_thread

__all__ = ["PROFILE_COLUMNS", "ProfilesTab"]

FETCH_SIZE = 100
TYPING_DEBOUNCE_MS = 450
ERROR_STYLE = "color: #b00020;"
KIND_TEXT = {"exact": "", "at_least": " (at least — counting stopped there)", "estimate": " (planner's estimate)"}


class ProfilesTab(QWidget):
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

        self.query = QLineEdit(placeholderText="Search in plain words, e.g. “Nigerian females aged 20 to 45”",
                               clearButtonEnabled=True)
        self.search_button = QPushButton("Search")
        self.export_button = QPushButton("Export CSV…")
        self.add_button = QPushButton("Add profile…")
        self.add_button.setToolTip("Predict a profile from a name (Genderize, Agify, Nationalize) and store it")
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
        self.panel.setMaximumWidth(330)

        self.model = ProfileResultsModel(self._fetch_more, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        configure_table(self.table, 0)
        header = self.table.horizontalHeader()
        # Names are what people scan for: a fixed, readable width rather than whatever the other columns leave.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 210)
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._header_clicked)
        self.page_label = QLabel("Loading…")
        self.charts = FacetCharts()
        self.charts.setMinimumWidth(260)

        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(self.panel)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.page_label)
        middle.addWidget(table_box)
        middle.addWidget(self.charts)
        middle.setStretchFactor(1, 1)
        middle.setSizes([280, 720, 280])

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addWidget(self.chip_bar)
        layout.addWidget(self.unknown_label)
        layout.addWidget(middle, 1)
        self.panel.set_filters(self.filters)
        self._show_sort_indicator()
        # The typo index takes a fraction of a second to build: build it now, off the GUI thread.
        self._warm_task = tasks.spawn(in_thread(typos.index), key="typo-index")

    # -- entry points ------------------------------------------------------------------------------------------------
    def refresh(self) -> asyncio.Task[None]:
        """Search again with the current filters (the cache notices changed data by its version)."""
        return self.run_search(self.filters, self.interpretation)

    def search_text(self) -> asyncio.Task[None] | None:
        """Parse the search box and search; an empty box means every profile, filtered by the panel."""
        self._typing.stop()
        text = self.query.text().strip()
        if not text:
            return self.run_search(self.panel.current_filters() if self._panel_valid() else build_filters())
        try:
            parsed = parse_query(text, literal=self.literal)
        except UninterpretableQuery as exc:
            self._nothing_understood(str(exc))
            return None
        except QueryError as exc:
            self._show_error(str(exc))
            return None
        self.panel.set_filters(parsed.filters)
        self._show_unknown(parsed.unknown_words)
        task = self.run_search(parsed.filters, parsed.interpretation)
        self.notes.show_notes(parsed.corrections, parsed.suggestions)
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
        self.model.reset(None)
        self.charts.clear()
        self.chip_bar.clear_all("Nothing understood.")
        self.notes.show_examples()
        self._show_unknown(())
        self._show_error(message)

    def run_search(self, filters: ProfileFilters,
                   interpretation: tuple[Interpretation, ...] = ()) -> asyncio.Task[None]:
        self.filters, self.interpretation = filters, interpretation
        self._generation += 1
        self.chip_bar.set_chips(chips(filters), interpretation)
        self._show_sort_indicator()
        self.page_label.setText("Searching…")
        self.search_task = self._tasks.spawn(self._search(filters, interpretation, self._generation),
                                             key="profile-search")
        return self.search_task

    def open_add_profile(self) -> AddProfileDialog:
        """The Add profile… dialog (one at a time, not modal); a profile it adds refreshes the search."""
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

    # -- background work ---------------------------------------------------------------------------------------------
    async def _search(self, filters: ProfileFilters, interpretation: tuple[Interpretation, ...],
                      generation: int) -> None:
        def work() -> tuple[SearchResult, Facets]:
            page = self.search_service.search(filters, PageRequest(limit=FETCH_SIZE), interpretation=interpretation)
            return page, self.search_service.facets(filters)

        try:
            result, facets = await in_thread(work)
        except QueryError as exc:
            if generation == self._generation:
                self._show_error(str(exc))
            return
        if generation != self._generation:
            return  # a newer search has started; this answer is stale
        self._clear_error()
        self.result, self.facets = result, facets
        self.model.reset(result)
        self.charts.show_facets(facets)
        self._show_status(result)

    def _fetch_more(self, cursor: str) -> None:
        self._tasks.spawn(self._more(cursor, self._generation), key="profile-fetch-more")

    async def _more(self, cursor: str, generation: int) -> None:
        try:
            result = await in_thread(self.search_service.search, self.filters,
                                     PageRequest(page=1, limit=FETCH_SIZE, cursor=cursor))
        except QueryError as exc:
            self.model.fetch_failed()
            self._show_error(str(exc))
            return
        except asyncio.CancelledError:
            self.model.fetch_failed()
            raise
        if generation == self._generation:
            self.model.append(result)
            self._show_status(result)

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
        self.query.setText(to_query_text(filters))
        self.literal = []
        self.notes.show_notes(())
        self._show_unknown(())
        self.run_search(filters)

    def _remove_chip(self, field: str, value: object) -> None:
        filters = self.filters.without(field, value)
        self.panel.set_filters(filters)
        self.query.setText(to_query_text(filters))
        self.literal = []
        self.notes.show_notes(())
        self.run_search(filters, self.interpretation)

    def _header_clicked(self, section: int) -> None:
        sort_by = SORTABLE_COLUMNS.get(section)
        if sort_by is None:
            self._show_sort_indicator()
            return
        if self.filters.sort_by == sort_by:
            order = "asc" if self.filters.order == "desc" else "desc"
        else:
            order = "desc" if sort_by in ("created_at", "gender_probability") else "asc"
        filters = build_filters(**{**self.filters.to_dict(), "sort_by": sort_by, "order": order})
        self.panel.set_filters(filters)
        self.query.setText(to_query_text(filters))
        self.literal = []
        self.notes.show_notes(())
        self.run_search(filters, self.interpretation)

    def _choose_export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export profiles", "profiles.csv", "CSV files (*.csv)")
        if name:
            self.export_to(Path(name))

    # -- display -------------------------------------------------------------------------------------------------
    def _show_status(self, result: SearchResult) -> None:
        if result.total == 0 and not self.filters.has_conditions:
            self.page_label.setText("No profiles yet: import a CSV file on the Import tab.")
            return
        if result.total == 0:
            self.page_label.setText(f"No profiles match · {result.elapsed_ms:.1f} ms")
            return
        cached = " (cached)" if result.from_cache else ""
        self.page_label.setText(
            f"Showing {self.model.rowCount():,} of {result.total_label} profiles{KIND_TEXT[result.total_kind]}"
            f" · {result.elapsed_ms:.1f} ms{cached}")

    def _show_sort_indicator(self) -> None:
        column = next((c for c, field in SORTABLE_COLUMNS.items() if field == self.filters.sort_by), -1)
        order = Qt.SortOrder.AscendingOrder if self.filters.order == "asc" else Qt.SortOrder.DescendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)

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

    def _panel_valid(self) -> bool:
        try:
            self.panel.current_filters()
        except QueryError:
            return False
        return True
