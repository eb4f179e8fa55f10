"""Talk-time of the interview shown: each speaker's share of the words and of the time as two stacked bars,
with the questions each asked and the longest monologue (a link to its first turn) underneath."""
from __future__ import annotations

import html

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalPercentBarSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from insighta_desktop.interviews.talk_time import TalkTime, format_duration
from insighta_desktop.ui.interviews.transcript_view import OTHER_COLOUR, SPEAKER_COLOURS

EXTRA_COLOURS = ["#7a4b9a", "#b26a00", "#00838f", "#6d4c41"]  # speakers beyond interviewer and candidate
CHART_HEIGHT = 104


def speaker_colours(talk: TalkTime) -> dict[str, str]:
    """The transcript's colour for the first interviewer and the first candidate; the others one each, in order."""
    colours: dict[str, str] = {}
    extra = iter(EXTRA_COLOURS)
    for s in talk.speakers:
        known = SPEAKER_COLOURS.get(s.role)
        colours[s.label] = known if known and known not in colours.values() else next(extra, OTHER_COLOUR)
    return colours


def whole_percentages(shares: list[float]) -> list[int]:
    """Shares as whole percentages that add up to 100 (largest remainder), or all 0 when nothing was said."""
    if not shares or sum(shares) <= 0:
        return [0 for _ in shares]
    raw = [share * 100 / sum(shares) for share in shares]
    whole = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - whole[i], reverse=True)
    for i in by_remainder[:100 - sum(whole)]:
        whole[i] += 1
    return whole


def caption_html(talk: TalkTime) -> str:
    if not talk.speakers:
        return "<span style='color:#778'>No transcript, no talk-time.</span>"
    asked = " · ".join(f"{html.escape(s.label)} {s.questions}" for s in talk.speakers)
    parts = [f"{format_duration(talk.total_seconds)}, {talk.total_words:,} words · <b>Questions:</b> {asked}"]
    m = talk.longest_monologue
    if m is not None:
        parts.append(f"<b>Longest monologue:</b> {html.escape(m.label)}, {format_duration(m.seconds)} from "
                     f"<a href='turn:{m.turn_id}'>T{m.sequence_no} ({m.elapsed})</a>")
    return "<br>".join(parts)


def caption_tooltip(talk: TalkTime) -> str:
    if not talk.last_turn_estimated:
        return ""
    return (f"A turn lasts until the next one starts; the last turn's time is estimated from its words at "
            f"{talk.words_per_minute:g} words a minute. Questions are sentences ending in a question mark.")


class TalkTimeChart(QWidget):
    turn_clicked = Signal(str)  # the longest monologue's first turn

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.talk: TalkTime | None = None
        self.title = QLabel("<b>Talk-time</b>")
        self.chart = QChart()
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.setBackgroundVisible(False)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFixedHeight(CHART_HEIGHT)
        self.caption = QLabel("")
        self.caption.setObjectName("talkTimeCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.caption.linkActivated.connect(self._link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.show_talk_time(None)

    def _link(self, href: str) -> None:
        if href.startswith("turn:"):
            self.turn_clicked.emit(href.removeprefix("turn:"))

    def clear(self) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)

    def show_talk_time(self, talk: TalkTime | None) -> None:
        self.clear()
        self.talk = talk
        if talk is None:
            self.caption.setText("")
            self.chart.legend().setVisible(False)
            return
        self.caption.setText(caption_html(talk))
        self.caption.setToolTip(caption_tooltip(talk))
        self.chart.legend().setVisible(bool(talk.speakers))
        if not talk.speakers:
            return
        series = QHorizontalPercentBarSeries()
        series.setBarWidth(0.7)
        colours = speaker_colours(talk)
        times = whole_percentages([s.time_share for s in talk.speakers])
        words = whole_percentages([s.word_share for s in talk.speakers])
        for s, time_pct, words_pct in zip(talk.speakers, times, words, strict=True):
            bar = QBarSet(s.label)
            bar.append([time_pct, words_pct])  # a bar per category, bottom to top: time, then words
            bar.setColor(QColor(colours[s.label]))
            bar.setBorderColor(QColor("white"))
            bar.setLabelColor(QColor("white"))
            series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%")
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(["Time", "Words"])
        categories.setTruncateLabels(False)  # Qt would elide them to "…" in a chart this small
        values = QValueAxis()
        values.setRange(0, 100)
        values.setVisible(False)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)

    def bar_values(self) -> dict[str, list[float]]:
        """What the bars show, per speaker: [time %, words %]."""
        result: dict[str, list[float]] = {}
        for series in self.chart.series():
            if isinstance(series, QHorizontalPercentBarSeries):
                for bar in series.barSets():
                    result[bar.label()] = [bar.at(i) for i in range(bar.count())]
        return result
