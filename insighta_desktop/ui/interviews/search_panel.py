"""Search every transcript, or ask a question across interviews, from above the Interviews tab's list.

Typing searches after a short pause (Enter at once); each new search cancels the one still running (TaskRunner
key), and the database work runs on a worker thread inside the service. A click on a result, or on a citation of
an answer, emits `turn_activated(interview id, turn id)`: the tab opens that interview at that turn.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.ask_across import CrossAnswer
from insighta_desktop.interviews.failures import describe_failure
from insighta_desktop.interviews.search_text import EmptySearch
from insighta_desktop.interviews.transcript_search import TranscriptHit
from insighta_desktop.ui.shared.retry_notice import RetryNotice
from insighta_desktop.ui.shared.tasks import TaskRunner

DEBOUNCE_MS = 250
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
_TAG = re.compile(r"\b(I\d+\.T\d+)\b")
_META, _META_SELECTED = "color:#8a8f99", "color:#dce6f5"  # grey, and a light tint readable on the selection


def hit_html(hit: TranscriptHit) -> str:
    return (f"<b>{html.escape(hit.candidate_name)}</b> <span style='{_META}'>· {hit.elapsed} · "
            f"{html.escape(hit.speaker_label)}</span><br>{hit.snippet.html()}")


def is_question(text: str) -> bool:
    return text.strip().endswith("?")


def answer_html(answer: CrossAnswer) -> str:
    """The answer with every [I1.T2] tag of a known passage turned into a link to that turn."""
    by_tag = {c.tag: c for c in answer.passages}

    def link(match: re.Match[str]) -> str:
        cited = by_tag.get(match.group(1))
        return (f"<a href='turn:{cited.interview_id}/{cited.turn_id}'>{match.group(1)}</a>" if cited
                else match.group(0))

    body = _TAG.sub(link, html.escape(answer.text)).replace("\n", "<br>")
    if answer.source == "gemini" and answer.citations:
        sources = "".join(f"<br>[<a href='turn:{c.interview_id}/{c.turn_id}'>{c.tag}</a>] "
                          f"{html.escape(c.candidate_name)}, {c.elapsed}, {html.escape(c.speaker_label)}"
                          for c in answer.citations)
        body += f"<p style='color:#556'><b>Sources</b>{sources}</p>"
    return body


class HitListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[TranscriptHit] = []

    def set_hits(self, hits: list[TranscriptHit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent: Index | None = None) -> int:  # noqa: N802
        return 0 if parent is not None and parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.candidate_name} · {hit.elapsed} · {hit.speaker_label}: {hit.snippet.text}"
        if role == HTML_ROLE:
            return hit_html(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.candidate_name} — {hit.role}\n{hit.content}"
        return None


class HtmlItemDelegate(QStyledItemDelegate):
    """Paints an item's HTML_ROLE text (bold matches), wrapped to the view's width."""

    def _document(self, option: QStyleOptionViewItem, index: Index, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(4)
        text = index.data(HTML_ROLE) or ""
        if option.state & QStyle.StateFlag.State_Selected:
            text = text.replace(_META, _META_SELECTED)
        document.setHtml(text)
        document.setTextWidth(max(width, 80))
        return document

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        document = self._document(option, index, option.rect.width())
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(QPalette.ColorRole.Text, option.palette.highlightedText().color())
        painter.save()
        painter.translate(option.rect.topLeft())
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QListView) else option.rect.width()
        document = self._document(option, index, width)
        return QSize(width, int(document.size().height()) + 2)


class SearchPanel(QWidget):
    turn_activated = Signal(str, str)  # interview id, turn id

    def __init__(self, tasks: TaskRunner, services: Callable[[], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks, self._services = tasks, services
        self.searched: str | None = None  # the text the results on show are for
        self.answer: CrossAnswer | None = None

        self.box = QLineEdit(placeholderText="Search all transcripts (words, \"a phrase\", -word) or ask a question?")
        self.box.setClearButtonEnabled(True)
        self.box.setToolTip("All words must appear (any case, accents optional); \"quoted words\" together; "
                            "`or` between two words accepts either; -word excludes a word. A text ending with "
                            "? is a question to ask across interviews.")
        self.ask_button = QPushButton("Ask across interviews")
        self.ask_button.setToolTip("Ask a question about all interviews, e.g. “Which candidates mentioned "
                                   "Kubernetes?” Gemini answers from the best-matching passages, citing them.")
        self.status = QLabel("")
        self.status.setObjectName("searchStatus")
        self.status.setStyleSheet("#searchStatus { color:#667; }")
        self.status.setWordWrap(True)
        self.notice = RetryNotice()
        self.model = HitListModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setItemDelegate(HtmlItemDelegate(self.results))
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setWordWrap(True)
        self.results.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.results.setAlternatingRowColors(True)
        self.answer_view = QTextBrowser()
        self.answer_view.setOpenLinks(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.results)
        self.stack.addWidget(self.answer_view)
        self.stack.setMinimumHeight(220)
        self.stack.setVisible(False)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search)
        self.box.textChanged.connect(self._typed)
        self.box.returnPressed.connect(self._enter)
        self.ask_button.clicked.connect(self.ask)
        self.results.clicked.connect(self._open_hit)
        self.results.activated.connect(self._open_hit)
        self.answer_view.anchorClicked.connect(self._open_link)

        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(self.ask_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.notice)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        self.status.setVisible(False)

    # --- search ------------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if is_question(text):  # a question is for Gemini, not a search for all of its words
            self._debounce.stop()
            self._show_status("A question: press Enter or “Ask across interviews” to ask it across all interviews.")
            return
        if text.strip():
            self._debounce.start()
            return
        self._debounce.stop()
        self._tasks.spawn(self._clear(), key="transcript-search")  # also cancels a search still running

    async def _clear(self) -> None:
        self.searched = None
        self.model.set_hits([])
        self.stack.setVisible(False)
        self.status.setVisible(False)

    def _enter(self) -> None:
        if is_question(self.box.text()):
            self.ask()
        else:
            self.search()

    def search(self) -> Any:
        self._debounce.stop()
        text = self.box.text().strip()
        if not text:
            return None
        return self._tasks.spawn(self._search(text), key="transcript-search")

    async def _search(self, text: str) -> None:
        self._show_status("Searching…")
        try:
            hits = await self._services().search.search(text)
        except EmptySearch as exc:
            hits, message = [], str(exc)
        except Exception as exc:
            hits, message = [], f"The search failed: {describe_failure(exc)}"
        else:
            message = ("No transcript matches these words." if not hits else "1 turn matches." if len(hits) == 1
                       else f"{len(hits)} turns match{' (the best 50 are shown)' if len(hits) >= 50 else ''}.")
        self.searched = text
        self.model.set_hits(hits)
        self.stack.setCurrentWidget(self.results)
        self.stack.setVisible(True)
        self._show_status(message)

    def _open_hit(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.model.hits[index.row()]
            self.turn_activated.emit(hit.interview_id, hit.turn_id)

    # --- ask across interviews -----------------------------------------------------------------
    def ask(self) -> Any:
        question = self.box.text().strip()
        if not question:
            self._show_status("Type a question in the box first, e.g. “Which candidates mentioned Kubernetes?”")
            return None
        self._debounce.stop()
        return self._tasks.spawn(self._ask(question), key="ask-across")

    async def _ask(self, question: str) -> None:
        self.ask_button.setEnabled(False)
        self.stack.setCurrentWidget(self.answer_view)
        self.stack.setVisible(True)
        self._show_status(f"Asking across interviews: {question}")
        self.answer_view.setHtml("<p style='color:#8a8f99'>Finding the best passages…</p>")

        def stream(text: str) -> None:
            self.answer_view.setHtml(html.escape(text).replace("\n", "<br>") or "<span style='color:#8a8f99'>…</span>")

        try:
            answer = await self._services().ask_across.ask(question, on_text=stream,
                                                           on_retry=self.notice.reporter("Gemini"))
        except Exception as exc:
            self.answer_view.setHtml("")
            self._show_status(f"The question was not answered: {describe_failure(exc)}")
            return
        finally:
            self.notice.clear_notice()
            self.ask_button.setEnabled(True)
        self.answer = answer
        self.answer_view.setHtml(answer_html(answer))
        self._show_status({"gemini": "Gemini's answer; click a citation to open that turn.",
                           "local": f"{answer.notice} These are the matching passages; click one to open it.",
                           "none": "Nothing in the transcripts matches the question's words."}[answer.source])

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() == "turn" and "/" in url.path():
            interview_id, turn_id = url.path().split("/", 1)
            self.turn_activated.emit(interview_id, turn_id)

    def _show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
