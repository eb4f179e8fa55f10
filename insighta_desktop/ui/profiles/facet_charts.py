"""Facets of the current result set as charts: gender split, age histogram, top countries."""
from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
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


class FacetCharts(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.gender_chart = _chart("Gender")
        self.age_chart = _chart("Age by decade")
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
                axis.deleteLater()  # a removed axis keeps drawing its grid and labels until it is deleted
        self.facets = None
        self.note.setText("")

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
        self._bars(self.age_chart, QBarSeries(), ages, labels, Qt.Orientation.Vertical)

        countries = QBarSet("profiles")
        countries.setColor(QColor("#6d4c41"))
        names = []
        for code, _name, count in reversed(facets.top_countries[:TOP_COUNTRIES_SHOWN]):
            countries.append(count)
            names.append(code)
        self._bars(self.country_chart, QHorizontalBarSeries(), countries, names, Qt.Orientation.Horizontal)
        if facets.kind == "sample":
            self.note.setText(f"Charts describe the first {facets.counted:,} matches (a sample).")
        else:
            self.note.setText(f"Charts describe all {facets.counted:,} matches · {facets.elapsed_ms:.1f} ms")

    @staticmethod
    def _bars(chart: QChart, series: QAbstractBarSeries, bar_set: QBarSet, labels: list[str],
              orientation: Qt.Orientation) -> None:
        series.append(bar_set)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        values = QValueAxis()
        values.setLabelFormat("%d")
        values.setRange(0, max([bar_set.at(i) for i in range(bar_set.count())] or [1]) or 1)
        values.setTickCount(3)
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
