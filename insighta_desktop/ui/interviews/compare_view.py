"""Candidates side by side (2 to 4 interviews of one role), in a window of its own.

A column per candidate: recommendation, a score per rubric skill with its evidence quote (a click opens that
interview at that turn in the Interviews tab), the assessment's highlights and red flags, the recruiter's own
highlights and the talk-time. The comparison itself is built by interviews/compare.py.
"""
from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QTextBrowser, QVBoxLayout, QWidget

from insighta_desktop.interviews.compare import (
    MAX_COMPARED,
    MIN_COMPARED,
    NOT_ASSESSED,
    ComparedInterview,
    CompareError,
    Comparison,
    SkillEvidence,
)
from insighta_desktop.interviews.failures import explain
from insighta_desktop.interviews.model import ROLE_CANDIDATE
from insighta_desktop.interviews.talk_time import TalkTime, format_duration
from insighta_desktop.ui.interviews.assessment_panel import RECOMMENDATION
from insighta_desktop.ui.shared.tasks import TaskRunner

log = logging.getLogger(__name__)

RECOMMENDATION_COLOURS = {"strong_advance": "#0f6b3c", "advance": "#1b7a4b", "hold": "#9a6a00", "reject": "#b00020"}
BEST = "#e3f1e8"
LABEL_STYLE = "color:#556; font-weight:600; white-space:nowrap"
CANDIDATE_COLOUR, OTHERS_COLOUR = "#1b7a4b", "#2d5fbf"
MUTED = "#8a8f99"


def turn_href(interview_id: str, turn_id: str) -> str:
    return f"turn:{interview_id}/{turn_id}"


def parse_turn_href(href: str) -> tuple[str, str] | None:
    if not href.startswith("turn:") or "/" not in href:
        return None
    interview_id, turn_id = href.removeprefix("turn:").split("/", 1)
    return (interview_id, turn_id) if interview_id and turn_id else None


def _muted(text: str) -> str:
    return f"<span style='color:{MUTED}'>{html.escape(text)}</span>"


def _dots(score: int) -> str:
    return f"<span style='color:#2d5fbf'>{'●' * score}</span><span style='color:#c9cdd4'>{'●' * (5 - score)}</span>"


def _recommendation(item: ComparedInterview) -> str:
    if item.recommendation is None:
        status = f" (assessment {item.assessment_status})" if item.assessment_status else ""
        return _muted(f"{NOT_ASSESSED}{status}")
    label = RECOMMENDATION.get(item.recommendation, item.recommendation)
    colour = RECOMMENDATION_COLOURS.get(item.recommendation, "#556")
    source = " <span style='color:#7a4b9a'>(by hand)</span>" if item.assessment_source == "manual" else ""
    return f"<b style='color:{colour}; font-size:15px'>{html.escape(label)}</b>{source}"


def _score(item: ComparedInterview, e: SkillEvidence) -> str:
    if e.score is None:
        return _muted(NOT_ASSESSED)
    parts = [f"<b style='font-size:15px'>{e.score}</b>/5 &nbsp;{_dots(e.score)}"]
    if e.quote:
        quote = f"<i>“{html.escape(e.quote.strip(chr(8220) + chr(8221) + chr(34)))}”</i>"
        if e.turn_id is not None:
            parts.append(f"<a href='{turn_href(item.id, e.turn_id)}' style='color:#1f3f8f; text-decoration:none'>"
                         f"{quote}</a> {_muted(f'T{e.sequence_no} · {e.elapsed}')}")
        else:
            parts.append(f"{quote} {_muted('(not found in the transcript)')}")
    elif e.rationale:
        parts.append(_muted(e.rationale))
    return "<br>".join(parts)


def _bullets(items: Sequence[str], colour: str = "#222") -> str:
    if not items:
        return _muted("none")
    return "<br>".join(f"<span style='color:{colour}'>• {html.escape(i)}</span>" for i in items)


def _marked(item: ComparedInterview) -> str:
    if not item.marked:
        return _muted("none")
    lines = []
    for h in item.marked:
        if not h.turns:
            lines.append(_muted("turns no longer in the transcript") + (f": {html.escape(h.note)}" if h.note else ""))
            continue
        link = f"<a href='{turn_href(item.id, h.first_turn_id)}'>{html.escape(h.range_tag)}</a>"
        said = html.escape(h.note) if h.note else f"“{html.escape(h.excerpt(80))}”"
        lines.append(f"{link} {_muted(h.elapsed)} {said}")
    return "<br>".join(lines)


def _talk(item: ComparedInterview) -> str:
    talk: TalkTime = item.talk_time
    if not talk.speakers:
        return _muted("no transcript")
    candidate = talk.shares_of(ROLE_CANDIDATE)
    left = max(1, min(99, round((candidate[0] if candidate else 0.0) * 100)))
    bar = (f"<table width='100%' cellspacing='0' cellpadding='0'><tr>"
           f"<td width='{left}%' bgcolor='{CANDIDATE_COLOUR}' style='font-size:6px'>&nbsp;</td>"
           f"<td width='{100 - left}%' bgcolor='{OTHERS_COLOUR}' style='font-size:6px'>&nbsp;</td></tr></table>")
    lines = [bar]
    if candidate is not None:
        lines.append(f"<span style='color:{CANDIDATE_COLOUR}'><b>Candidate</b></span> {candidate[0]:.0%} of "
                     f"time, {candidate[1]:.0%} of words")
    lines.append("Questions: " + ", ".join(f"{html.escape(s.label)} {s.questions}" for s in talk.speakers))
    m = talk.longest_monologue
    if m is not None:
        lines.append(f"Longest monologue: {html.escape(m.label)} {format_duration(m.seconds)} "
                     f"(<a href='{turn_href(item.id, m.turn_id)}'>T{m.sequence_no}</a>)")
    return "<br>".join(lines)


def comparison_html(comparison: Comparison) -> str:
    items = comparison.interviews
    width = 84 // max(1, len(items))
    head = "".join(
        f"<td width='{width}%' style='padding:6px; border-bottom:2px solid #2d5fbf'>"
        f"<b style='font-size:15px'>{html.escape(i.candidate_name)}</b><br>"
        + _muted((f"{i.interview.summary.scheduled_at:%d %b %Y}" if i.interview.summary.scheduled_at else "")
                 + f" · {i.turns} turns") + "</td>" for i in items)
    rows = [f"<tr><td width='16%'></td>{head}</tr>"]

    def row(label: str, cells: list[str], shaded: bool = False, best: list[bool] | None = None) -> None:
        background = " bgcolor='#f6f7f9'" if shaded else ""
        tds = "".join(f"<td valign='top' style='padding:6px'{' bgcolor=' + repr(BEST) if best and best[n] else ''}>"
                      f"{cell}</td>" for n, cell in enumerate(cells))
        rows.append(f"<tr{background}><td valign='top' style='padding:6px; {LABEL_STYLE}'>{html.escape(label)}</td>"
                    f"{tds}</tr>")

    row("Recommendation", [_recommendation(i) for i in items], shaded=True)
    row("Summary", [html.escape(i.summary) if i.summary else _muted("—") for i in items])
    rows.append(f"<tr><td colspan='{len(items) + 1}' style='padding:10px 6px 2px 6px; color:#2d5fbf; "
                "font-weight:600'>Scores by rubric skill — click a quote to read it in the transcript</td></tr>")
    for n, skill in enumerate(comparison.skills):
        best_score = comparison.best_score(skill)
        evidence = [i.score_for(skill) for i in items]
        cells = [_score(i, e) if e is not None else _muted(NOT_ASSESSED) for i, e in zip(items, evidence, strict=True)]
        scored = sum(1 for e in evidence if e is not None and e.score is not None)
        marks = [scored > 1 and e is not None and e.score == best_score for e in evidence]
        row(skill, cells, shaded=n % 2 == 0, best=marks)
    rows.append(f"<tr><td colspan='{len(items) + 1}' style='padding:10px 6px 2px 6px; color:#2d5fbf; "
                "font-weight:600'>Notes</td></tr>")
    row("Highlights", [_bullets(i.highlights) for i in items], shaded=True)
    row("Red flags", [_bullets(i.red_flags, "#b00020") for i in items])
    row("Your highlights", [_marked(i) for i in items], shaded=True)
    row("Talk-time", [_talk(i) for i in items])
    return f"<table width='100%' cellspacing='0' cellpadding='0'>{''.join(rows)}</table>"


class CompareWindow(QWidget):
    """A window of its own (it stays open beside the tab); `turn_requested` asks to show an interview's turn."""

    turn_requested = Signal(str, str)  # interview id, turn id

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("Compare candidates — Insighta Desktop")
        self._tasks = tasks
        self.comparison: Comparison | None = None
        self.interview_ids: list[str] = []
        self.title = QLabel("")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600")
        self.message = QLabel("")
        self.message.setObjectName("compareMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._anchor)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.browser, 1)
        self.resize(1180, 760)

    def compare(self, services: Any, interview_ids: Sequence[str]) -> asyncio.Task[Any]:
        self.interview_ids = list(interview_ids)
        self.comparison = None
        self.title.setText(f"Comparing {len(self.interview_ids)} candidates…")
        self.message.setText("")
        self.message.setVisible(False)
        self.browser.clear()
        return self._tasks.spawn(self._load(services, self.interview_ids), key="compare")

    async def _load(self, services: Any, interview_ids: list[str]) -> None:
        try:
            comparison: Comparison = await services.compare(interview_ids)
        except CompareError as exc:
            if interview_ids == self.interview_ids:
                self._problem(str(exc))
            return
        except Exception as exc:
            log.warning("The comparison could not be loaded", exc_info=exc)
            if interview_ids == self.interview_ids:
                self._problem(f"The interviews could not be compared. {explain(exc, 'The database').text}")
            return
        if interview_ids != self.interview_ids:
            return
        self.comparison = comparison
        names = ", ".join(i.candidate_name for i in comparison.interviews)
        self.title.setText(f"{len(comparison.interviews)} candidates for {comparison.role}")
        self.setWindowTitle(f"Compare: {names} — Insighta Desktop")
        self.message.setText("")
        self.message.setVisible(False)
        self.browser.setHtml(comparison_html(comparison))

    def _problem(self, text: str) -> None:
        self.title.setText("Cannot compare these interviews")
        self.message.setText(f"<span style='color:#b00020'>{html.escape(text)}</span>")
        self.message.setVisible(True)

    def _anchor(self, url: QUrl) -> None:
        target = parse_turn_href(url.toString())
        if target is not None:
            self.turn_requested.emit(*target)


class _Tab(Protocol):
    """What the launcher needs from the Interviews tab."""

    table: QTableView
    _tasks: TaskRunner

    def selected_ids(self) -> list[str]: ...
    def open_turn(self, interview_id: str, turn_id: str) -> Any: ...
    def window(self) -> QWidget: ...

    @property
    def services(self) -> Any: ...


class CompareLauncher:
    """The tab's Compare… button (enabled for 2 to 4 selected interviews) and the window it opens."""

    def __init__(self, tab: _Tab) -> None:
        self.tab = tab
        self.window: CompareWindow | None = None
        self.button = QPushButton("Compare…")
        self.button.clicked.connect(self.open)
        tab.table.selectionModel().selectionChanged.connect(lambda *_: self.update_button())
        self.update_button()

    def update_button(self) -> None:
        count = len(self.tab.table.selectionModel().selectedRows())
        enabled = MIN_COMPARED <= count <= MAX_COMPARED
        self.button.setEnabled(enabled)
        self.button.setToolTip(f"Compare the {count} selected candidates side by side" if enabled else
                               f"Select {MIN_COMPARED} to {MAX_COMPARED} interviews of one role (Ctrl-click) "
                               "to compare them")

    def open(self) -> CompareWindow | None:
        ids = self.tab.selected_ids()
        if not MIN_COMPARED <= len(ids) <= MAX_COMPARED:
            return None
        if self.window is None:
            self.window = CompareWindow(self.tab._tasks, self.tab.table)
            self.window.turn_requested.connect(self._show_turn)
        self.window.compare(self.tab.services, ids)
        self.window.show()
        self.window.raise_()
        return self.window

    def _show_turn(self, interview_id: str, turn_id: str) -> None:
        self.tab.open_turn(interview_id, turn_id)
        self.tab.window().raise_()
        self.tab.window().activateWindow()
