"""The filter panel: every structured filter as a widget, kept in sync with the canonical ProfileFilters."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop import countries
from insighta_desktop.countries import normalise_phrase
from insighta_desktop.profiles.errors import QueryError
from insighta_desktop.profiles.filters import ORDERS, SORT_FIELDS, ProfileFilters, build_filters
from insighta_desktop.profiles.model import AGE_GROUPS, MAX_AGE
from insighta_desktop.profiles.names import canonical_name

ANY = "any"
PANEL_DEBOUNCE_MS = 300
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2  # "Nigeria (NG)", without the count
NO_MATCH_COLOUR = QColor("#999")
SORT_LABELS = {"created_at": "Date added", "age": "Age", "name": "Name", "gender_probability": "Gender confidence"}


class FilterPanel(QGroupBox):
    """Emits `filters_changed` (debounced) when the person edits it; `set_filters` updates it silently."""

    filters_changed = Signal(object)  # ProfileFilters
    invalid = Signal(str)  # a message when the widgets describe an impossible combination

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Filters", parent)
        self._updating = False
        self.country_counts: dict[str, int] | None = None
        self._dimmed: set[str] = set()  # countries shown greyed: no match
        self._debounce = QTimer(self, singleShot=True, interval=PANEL_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)

        self.name = QLineEdit(placeholderText="Any name (start of a word: kabore, ama ob)", clearButtonEnabled=True)
        self.name.setToolTip("Each word finds names with a word starting so; accents and case are ignored. When no "
                             "name starts so, the most similar names are shown.")
        self.gender = QComboBox()
        for label, value in (("Any", None), ("Female", "female"), ("Male", "male")):
            self.gender.addItem(label, value)
        self.min_age = self._age_box()
        self.max_age = self._age_box()
        ages = QHBoxLayout()
        ages.addWidget(self.min_age)
        ages.addWidget(QLabel("to"))
        ages.addWidget(self.max_age)
        self.groups = {g: QCheckBox(g.capitalize()) for g in AGE_GROUPS}
        group_box = QGridLayout()
        for index, box in enumerate(self.groups.values()):
            group_box.addWidget(box, index // 2, index % 2)
        self.country_find = QLineEdit(placeholderText="Type to find a country…", clearButtonEnabled=True)
        self.country_list = QListWidget()
        self.country_list.setMinimumHeight(110)
        # Every row one line high: each result's counts relabel the countries, and the list's relayout then measures
        # one row, not ~250 (its layout and paint after new counts 6 -> 1.8 ms, in the Enter's path to the painted
        # results). The few names wider than the panel end in "…" instead of needing a horizontal scroll bar.
        self.country_list.setUniformItemSizes(True)
        for c in sorted(countries.all_countries(), key=lambda c: c.name):
            item = QListWidgetItem(f"{c.name} ({c.alpha2})")
            item.setData(Qt.ItemDataRole.UserRole, c.alpha2)
            item.setData(LABEL_ROLE, item.text())
            item.setData(Qt.ItemDataRole.UserRole + 1, " ".join(
                normalise_phrase(p) for p in (c.name, c.alpha2, c.alpha3, *c.aliases, *c.demonyms)))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.country_list.addItem(item)
        self.min_gender_probability = self._probability_box()
        self.min_country_probability = self._probability_box()
        self.sort_by = QComboBox()
        for field in SORT_FIELDS:
            self.sort_by.addItem(SORT_LABELS[field], field)
        self.order = QComboBox()
        for order in ORDERS:
            self.order.addItem({"asc": "Ascending", "desc": "Descending"}[order], order)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Gender", self.gender)
        form.addRow("Age", ages)
        form.addRow("Age groups", group_box)
        form.addRow("Min gender p", self.min_gender_probability)
        form.addRow("Min country p", self.min_country_probability)
        sort_row = QHBoxLayout()
        sort_row.addWidget(self.sort_by, 1)
        sort_row.addWidget(self.order)
        form.addRow("Sort", sort_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Countries"))
        self.selected_countries = QLabel("Any country")
        self.selected_countries.setWordWrap(True)
        self.selected_countries.setStyleSheet("color: #555;")
        layout.addWidget(self.selected_countries)
        layout.addWidget(self.country_find)
        layout.addWidget(self.country_list, 1)

        self.name.textEdited.connect(self._edited)
        self.gender.currentIndexChanged.connect(self._edited)
        self.min_age.valueChanged.connect(self._edited)
        self.max_age.valueChanged.connect(self._edited)
        for box in self.groups.values():
            box.toggled.connect(self._edited)
        self.country_list.itemChanged.connect(self._edited)
        self.country_list.itemChanged.connect(lambda _item: self._show_selected_countries())
        self.country_find.textChanged.connect(self._filter_countries)
        self.min_gender_probability.valueChanged.connect(self._edited)
        self.min_country_probability.valueChanged.connect(self._edited)
        self.sort_by.currentIndexChanged.connect(self._edited)
        self.order.currentIndexChanged.connect(self._edited)

    @staticmethod
    def _age_box() -> QSpinBox:
        box = QSpinBox(minimum=-1, maximum=MAX_AGE, value=-1)
        box.setSpecialValueText(ANY)  # shown at the minimum (-1): no bound
        return box

    @staticmethod
    def _probability_box() -> QDoubleSpinBox:
        box = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, decimals=2, value=0.0)
        box.setSpecialValueText(ANY)
        return box

    # -- widgets -> filters ----------------------------------------------------------------------------------------
    def current_filters(self) -> ProfileFilters:
        """The canonical filters the widgets describe; raises QueryError for an impossible combination."""
        checked = [self.country_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.country_list.count())
                   if self.country_list.item(i).checkState() == Qt.CheckState.Checked]
        return build_filters(
            name=self.name.text() if canonical_name(self.name.text()) else None,
            gender=self.gender.currentData(),
            age_group=[g for g, box in self.groups.items() if box.isChecked()] or None,
            country_id=checked or None,
            min_age=None if self.min_age.value() < 0 else self.min_age.value(),
            max_age=None if self.max_age.value() < 0 else self.max_age.value(),
            min_gender_probability=self.min_gender_probability.value() or None,
            min_country_probability=self.min_country_probability.value() or None,
            sort_by=self.sort_by.currentData(),
            order=self.order.currentData(),
        )

    def current_or_no_filters(self) -> ProfileFilters:
        """The filters the widgets describe, or none at all when they describe an impossible combination."""
        try:
            return self.current_filters()
        except QueryError:
            return build_filters()

    def _edited(self, *_args: object) -> None:
        if not self._updating:
            self._debounce.start()

    def _emit(self) -> None:
        try:
            filters = self.current_filters()
        except QueryError as exc:
            self.invalid.emit(str(exc))
            return
        self.filters_changed.emit(filters)

    def flush(self) -> None:
        """Emit now what a pending debounce would emit later."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit()

    # -- filters -> widgets ----------------------------------------------------------------------------------------
    def set_filters(self, filters: ProfileFilters) -> None:
        self._updating = True
        self._debounce.stop()
        try:
            if canonical_name(self.name.text()) != filters.name:  # keep what is being typed when it means the same
                self.name.setText(filters.name or "")
            self.gender.setCurrentIndex(max(0, self.gender.findData(filters.gender)))
            self.min_age.setValue(-1 if filters.min_age is None else filters.min_age)
            self.max_age.setValue(-1 if filters.max_age is None else filters.max_age)
            for group, box in self.groups.items():
                box.setChecked(group in filters.age_groups)
            wanted = set(filters.country_ids)
            for i in range(self.country_list.count()):
                item = self.country_list.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in wanted
                state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
            self.min_gender_probability.setValue(filters.min_gender_probability or 0.0)
            self.min_country_probability.setValue(filters.min_country_probability or 0.0)
            self.sort_by.setCurrentIndex(self.sort_by.findData(filters.sort_by))
            self.order.setCurrentIndex(self.order.findData(filters.order))
            self._show_selected_countries()
            self._float_checked_countries()
        finally:
            self._updating = False

    def _float_checked_countries(self) -> None:
        """Scroll to the first checked country so the person sees what is selected."""
        for i in range(self.country_list.count()):
            if self.country_list.item(i).checkState() == Qt.CheckState.Checked:
                self.country_list.scrollToItem(self.country_list.item(i), QListWidget.ScrollHint.PositionAtTop)
                return

    def _show_selected_countries(self) -> None:
        names = [self.country_list.item(i).data(LABEL_ROLE) for i in range(self.country_list.count())
                 if self.country_list.item(i).checkState() == Qt.CheckState.Checked]
        self.selected_countries.setText("Selected: " + ", ".join(names) if names else "Any country")

    def set_country_counts(self, counts: dict[str, int] | None, *, sample: bool = False) -> None:
        """Show beside each country how many profiles would match there with the other filters as they are
        (None: no counts). `sample`: the counts describe a sample of the matches, so they are marked as such.

        Only items whose text or colour changes are touched: with PySide6 6.12 on Python 3.11 every call of a
        method returning nothing releases a reference to None that it never took, so calls are kept few."""
        self.country_counts = counts
        mark = "≈" if sample else ""
        dimmed = QBrush(NO_MATCH_COLOUR)
        self.country_list.blockSignals(True)  # a text change is not an edit of the filters
        try:
            for i in range(self.country_list.count()):
                item = self.country_list.item(i)
                code = item.data(Qt.ItemDataRole.UserRole)
                n = None if counts is None else counts.get(code, 0)
                text = item.data(LABEL_ROLE) if n is None else f"{item.data(LABEL_ROLE)}  {mark}{n:,}"
                if item.text() != text:
                    item.setText(text)
                if (n == 0) != (code in self._dimmed):
                    item.setForeground(dimmed if n == 0 else self.country_list.palette().text())
                    self._dimmed.symmetric_difference_update({code})
        finally:
            self.country_list.blockSignals(False)

    def _filter_countries(self, text: str) -> None:
        needle = normalise_phrase(text)
        for i in range(self.country_list.count()):
            item = self.country_list.item(i)
            item.setHidden(bool(needle) and needle not in item.data(Qt.ItemDataRole.UserRole + 1)
                           and item.checkState() != Qt.CheckState.Checked)
