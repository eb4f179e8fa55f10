"""Facets of the current result set as charts: gender split, age histogram, top countries."""
from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from insighta_desktop.profiles.search import Facets

GENDER_COLOURS = {"female": QColor("#c2185b"), "male": QColor("#1565c0")}


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setVisible(False)
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.setBackgroundRoundness(0)
    return chart


def _view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(150)
    return view


class FacetCharts(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.gender_chart = _chart("Gender")
        self.age_chart = _chart("Age")
        self.country_chart = _chart("Top countries")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for chart in (self.gender_chart, self.age_chart, self.country_chart):
            layout.addWidget(_view(chart), 1)
        layout.addWidget(self.note)
        self.facets: Facets | None = None

    def clear(self) -> None:
        for chart in (self.gender_chart, self.age_chart, self.country_chart):
            chart.removeAllSeries()
            for axis in chart.axes():
                chart.removeAxis(axis)
        self.facets = None
        self.note.setText("")

    def show_facets(self, facets: Facets) -> None:
        self.clear()
        self.facets = facets
        pie = QPieSeries()
        for gender, count in facets.genders:
            piece = pie.append(f"{gender} {count:,}", count)
            piece.setLabelVisible(True)
            if gender in GENDER_COLOURS:
                piece.setColor(GENDER_COLOURS[gender])
        self.gender_chart.addSeries(pie)

        ages = QBarSet("profiles")
        ages.setColor(QColor("#00897b"))
        labels = []
        for decade, count in facets.age_histogram:
            ages.append(count)
            labels.append(f"{decade}+" if decade >= 100 else f"{decade}s")
        self._bars(self.age_chart, QBarSeries(), ages, labels, Qt.Orientation.Vertical)

        countries = QBarSet("profiles")
        countries.setColor(QColor("#6d4c41"))
        names = []
        for code, _name, count in reversed(facets.top_countries):
            countries.append(count)
            names.append(code)
        self._bars(self.country_chart, QHorizontalBarSeries(), countries, names, Qt.Orientation.Horizontal)
        if facets.kind == "sample":
            self.note.setText(f"Charts describe the first {facets.counted:,} matches (a sample).")
        else:
            self.note.setText(f"Charts describe all {facets.counted:,} matches · {facets.elapsed_ms:.1f} ms")

    @staticmethod
    def _bars(chart: QChart, series, bar_set: QBarSet, labels: list[str], orientation: Qt.Orientation) -> None:
        series.append(bar_set)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setRange(0, max([bar_set.at(i) for i in range(bar_set.count())] or [1]) or 1)
        values.setTickCount(3)
        if orientation == Qt.Orientation.Vertical:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        else:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)
