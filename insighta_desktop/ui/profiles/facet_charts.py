"""Facets of the current result set as charts: gender split, age histogram, top countries.

A click on a pie slice, an age bar or a country bar asks for that filter (Datasette-style facets): the tab adds it as
a chip and searches again. Value axes carry thousands separators and leave headroom above the tallest bar.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QPieSlice,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from insighta_desktop.profiles.search import Facets

TOP_COUNTRIES_SHOWN = 6  # a taller bar each, so the country codes beside them stay readable
GENDER_COLOURS = {"female": QColor("#c2185b"), "male": QColor("#1565c0")}


class BarAxes(NamedTuple):
    bars: QBarSet
    categories: QBarCategoryAxis
    values: QCategoryAxis  # labels of our own: QValueAxis's printf format has no thousands separator


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(max(7.0, font.pointSizeF() - 2))
    return font


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setVisible(False)
    chart.legend().setFont(_small_font())
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.setBackgroundRoundness(0)
    return chart


def _view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(150)
    return view


def value_axis_steps(maximum: float, ticks: int = 3) -> list[int]:
    """Tick values from 0 for bars up to `maximum`: round steps, the last at least 10% above the tallest bar."""
    top = max(1.0, maximum * 1.1)
    raw = top / (ticks - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * magnitude >= raw)
    step = max(1, math.ceil(step))
    count = math.ceil(top / step)
    return [i * step for i in range(count + 1)]


class FacetCharts(QWidget):
    gender_clicked = Signal(str)
    decade_clicked = Signal(int)  # the decade's first age; 100 stands for every age from 100
    country_clicked = Signal(str)  # ISO alpha-2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setWordWrap(False)  # one line; the timing is in the tooltip
        self.gender_chart = _chart("Gender")
        self.age_chart = _chart("Age by decade")
        self.country_chart = _chart("Top countries")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for chart in (self.gender_chart, self.age_chart, self.country_chart):
            layout.addWidget(_view(chart), 1)
        layout.addWidget(self.note)
        self.facets: Facets | None = None
        self.decades: list[int] = []  # bar index -> decade
        self.country_codes: list[str] = []  # bar index -> country code (bottom bar first)
        self.pie: QPieSeries | None = None
        self.age_series: QBarSeries | None = None
        self.country_series: QHorizontalBarSeries | None = None
        self._age_axes: BarAxes | None = None
        self._country_axes: BarAxes | None = None

    def clear(self) -> None:
        for chart in (self.gender_chart, self.age_chart, self.country_chart):
            chart.removeAllSeries()
            for axis in chart.axes():
                chart.removeAxis(axis)
                axis.deleteLater()  # a removed axis keeps drawing its grid and labels until it is deleted
        self.facets = None
        self.pie, self.age_series, self.country_series = None, None, None
        self._age_axes, self._country_axes = None, None
        self.decades, self.country_codes = [], []
        self.note.setText("")
        self.note.setToolTip("")

    def show_facets(self, facets: Facets) -> None:
        """The charts of a new result. The series and axes are made once and then given the new values: building
        them again for every result made each chart's scene add, lay out and index about a hundred new items (and
        delete the old ones) on the GUI thread, the larger part of the time from an answer to its charts painted."""
        if self.pie is None:
            self._build()
        assert self.pie is not None and self._age_axes is not None and self._country_axes is not None
        self.facets = facets
        total = sum(count for _gender, count in facets.genders)
        slices = self.pie.slices()
        if [piece.property("gender") for piece in slices] != [gender for gender, _count in facets.genders]:
            self.pie.clear()
            slices = []
            for gender, _count in facets.genders:
                piece = self.pie.append(gender, 0)
                if gender in GENDER_COLOURS:
                    piece.setColor(GENDER_COLOURS[gender])
                piece.setProperty("gender", gender)
                slices.append(piece)
        for piece, (gender, count) in zip(slices, facets.genders, strict=True):
            share = count / total if total else 0.0
            piece.setValue(count)
            piece.setLabel(f"{gender} {count:,} ({share:.0%})")

        self.decades = [decade for decade, _count in facets.age_histogram]
        # Two characters: Qt elides a wider category label in a chart this narrow.
        labels = [str(decade) if decade < 100 else "C+" for decade in self.decades]
        self._set_bars(self._age_axes, [count for _decade, count in facets.age_histogram], labels)
        shown = list(reversed(facets.top_countries[:TOP_COUNTRIES_SHOWN]))
        self.country_codes = [code for code, _name, _count in shown]
        self._set_bars(self._country_axes, [count for _code, _name, count in shown], self.country_codes)
        if facets.kind == "sample":
            self.note.setText(f"Charts: a sample of {facets.counted:,} matches")
        else:
            self.note.setText(f"Charts: all {facets.counted:,} matches")
        self.note.setToolTip(f"Facets computed in {facets.elapsed_ms:.1f} ms. Click a slice or a bar to filter by it.")

    def _build(self) -> None:
        pie = QPieSeries()
        pie.clicked.connect(self._slice_clicked)
        pie.hovered.connect(lambda piece, over: piece.setExploded(over))
        self.pie = pie
        self.gender_chart.addSeries(pie)
        # A legend under a narrow pie keeps the whole label; labels beside the slices were cut off.
        self.gender_chart.legend().setVisible(True)
        self.gender_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.age_series = QBarSeries()
        self.age_series.clicked.connect(lambda index, _set: self.decade_clicked.emit(self.decades[index]))
        self._age_axes = _bars(self.age_chart, self.age_series, QColor("#00897b"), Qt.Orientation.Vertical)
        self.country_series = QHorizontalBarSeries()
        self.country_series.clicked.connect(lambda index, _set: self.country_clicked.emit(self.country_codes[index]))
        self._country_axes = _bars(self.country_chart, self.country_series, QColor("#6d4c41"),
                                   Qt.Orientation.Horizontal)

    @staticmethod
    def _set_bars(axes: BarAxes, counts: list[int], labels: list[str]) -> None:
        """New bar heights and category labels; the value axis's ticks only when they change."""
        bar_set, categories, values = axes
        if bar_set.count() != len(counts):
            bar_set.remove(0, bar_set.count())
            bar_set.append([float(count) for count in counts])
        else:
            for index, count in enumerate(counts):
                if bar_set.at(index) != count:
                    bar_set.replace(index, count)
        if categories.categories() != labels:
            categories.setCategories(labels)
        steps = value_axis_steps(max(counts or [0]))
        ticks = [f"{value:,}" for value in steps]
        if values.categoriesLabels() != ticks:
            for label in values.categoriesLabels():
                values.remove(label)
            for label, value in zip(ticks, steps, strict=True):
                values.append(label, value)
            values.setRange(0, steps[-1])

    def _slice_clicked(self, piece: QPieSlice) -> None:
        self.gender_clicked.emit(str(piece.property("gender")))


def _bars(chart: QChart, series: QAbstractBarSeries, colour: QColor, orientation: Qt.Orientation) -> BarAxes:
    """A bar chart's one bar set, its category axis and its value axis (ticks set by FacetCharts._set_bars)."""
    bar_set = QBarSet("profiles")
    bar_set.setColor(colour)
    series.append(bar_set)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    values = QCategoryAxis()
    values.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    values.setStartValue(0)
    for axis in (categories, values):
        axis.setLabelsFont(_small_font())
    if orientation == Qt.Orientation.Vertical:
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    else:
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    series.attachAxis(values)
    return BarAxes(bar_set, categories, values)
