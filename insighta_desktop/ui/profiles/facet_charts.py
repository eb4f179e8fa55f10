"""Facets of the current result set as charts: gender split, age histogram, top countries.

A click on a pie slice, an age bar or a country bar asks for that filter (Datasette-style facets): the tab adds it as
a chip and searches again. Value axes carry thousands separators and leave headroom above the tallest bar.
"""
from __future__ import annotations

import math

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

    def clear(self) -> None:
        for chart in (self.gender_chart, self.age_chart, self.country_chart):
            chart.removeAllSeries()
            for axis in chart.axes():
                chart.removeAxis(axis)
                axis.deleteLater()  # a removed axis keeps drawing its grid and labels until it is deleted
        self.facets = None
        self.pie, self.age_series, self.country_series = None, None, None
        self.decades, self.country_codes = [], []
        self.note.setText("")
        self.note.setToolTip("")

    def show_facets(self, facets: Facets) -> None:
        self.clear()
        self.facets = facets
        pie = QPieSeries()
        total = sum(count for _gender, count in facets.genders)
        for gender, count in facets.genders:
            share = count / total if total else 0.0
            piece = pie.append(f"{gender} {count:,} ({share:.0%})", count)
            if gender in GENDER_COLOURS:
                piece.setColor(GENDER_COLOURS[gender])
            piece.setProperty("gender", gender)
        pie.clicked.connect(self._slice_clicked)
        pie.hovered.connect(lambda piece, over: piece.setExploded(over))
        self.pie = pie
        self.gender_chart.addSeries(pie)
        # A legend under a narrow pie keeps the whole label; labels beside the slices were cut off.
        self.gender_chart.legend().setVisible(True)
        self.gender_chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

        ages = QBarSet("profiles")
        ages.setColor(QColor("#00897b"))
        labels = []
        for decade, count in facets.age_histogram:
            ages.append(count)
            # Two characters: Qt elides a wider category label in a chart this narrow.
            labels.append(str(decade) if decade < 100 else "C+")
        self.decades = [decade for decade, _count in facets.age_histogram]
        self.age_series = QBarSeries()
        self.age_series.clicked.connect(lambda index, _set: self.decade_clicked.emit(self.decades[index]))
        self._bars(self.age_chart, self.age_series, ages, labels, Qt.Orientation.Vertical)

        countries = QBarSet("profiles")
        countries.setColor(QColor("#6d4c41"))
        names = []
        for code, _name, count in reversed(facets.top_countries[:TOP_COUNTRIES_SHOWN]):
            countries.append(count)
            names.append(code)
        self.country_codes = names
        self.country_series = QHorizontalBarSeries()
        self.country_series.clicked.connect(lambda index, _set: self.country_clicked.emit(self.country_codes[index]))
        self._bars(self.country_chart, self.country_series, countries, names, Qt.Orientation.Horizontal)
        if facets.kind == "sample":
            self.note.setText(f"Charts: first {facets.counted:,} matches (a sample)")
        else:
            self.note.setText(f"Charts: all {facets.counted:,} matches")
        self.note.setToolTip(f"Facets computed in {facets.elapsed_ms:.1f} ms. Click a slice or a bar to filter by it.")

    def _slice_clicked(self, piece: QPieSlice) -> None:
        self.gender_clicked.emit(str(piece.property("gender")))

    @staticmethod
    def _bars(chart: QChart, series: QAbstractBarSeries, bar_set: QBarSet, labels: list[str],
              orientation: Qt.Orientation) -> None:
        series.append(bar_set)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        values = QCategoryAxis()  # labels of our own: QValueAxis's printf format has no thousands separator
        values.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        steps = value_axis_steps(max([bar_set.at(i) for i in range(bar_set.count())] or [0]))
        values.setStartValue(0)
        for value in steps:
            values.append(f"{value:,}", value)
        values.setRange(0, steps[-1])
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
