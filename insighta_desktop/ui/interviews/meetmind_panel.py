"""For an interview synced from MeetMind: where its transcript came from, MeetMind's own assessment, and the
recruiter's notes (kept apart from the transcript). Hidden for the app's own interviews."""
from __future__ import annotations

import html
import logging

from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget
from sqlalchemy.engine import Engine

from insighta_desktop.db.synced_interviews import MeetMindCopy
from insighta_desktop.interviews.meetmind_sync import describe_source, load_meetmind_copy
from insighta_desktop.resilience import Retrying

log = logging.getLogger(__name__)
NOTE_AUTHORS = {"user": "Recruiter", "assistant": "Assistant"}


def meetmind_html(copy: MeetMindCopy) -> str:
    parts = []
    a = copy.assessment
    if a:
        parts.append(f"<p>{html.escape(str(a.get('observation') or ''))}</p>")
        for title, key, colour in (("Highlights", "highlights", "#1b7a4b"), ("Red flags", "red_flags", "#b00020")):
            items = a.get(key) or []
            if items:
                parts.append(f"<p style='margin-bottom:0'><b style='color:{colour}'>{title}</b></p><ul>"
                             + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>")
    else:
        status = f" ({html.escape(copy.assessment_status)})" if copy.assessment_status else ""
        parts.append(f"<p style='color:#778'>MeetMind has no assessment of this interview{status}.</p>")
    if copy.notes:
        parts.append("<p style='margin-bottom:0'><b>Notes</b> <span style='color:#778'>(not part of the "
                     "transcript)</span></p><ul>")
        parts.extend(f"<li><span style='color:#7a4b9a'>{NOTE_AUTHORS.get(n.speaker, n.speaker)}:</span> "
                     f"{html.escape(n.content)}</li>" for n in copy.notes)
        parts.append("</ul>")
    return "".join(parts)


class MeetMindPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.copy: MeetMindCopy | None = None
        self.title = QLabel("<b>MeetMind's assessment</b>")
        self.source = QLabel("")
        self.source.setObjectName("meetmindSource")
        self.source.setWordWrap(True)
        self.source.setStyleSheet("#meetmindSource { color:#667; font-size: 11px; }")
        self.content = QTextBrowser()
        self.content.setMinimumHeight(90)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.source)
        layout.addWidget(self.content, 1)
        self.setVisible(False)

    async def load(self, engine: Engine, interview_id: str, retrying: Retrying | None = None) -> None:
        """Show what MeetMind says of this interview; hide for the app's own (or when it cannot be read)."""
        try:
            copy = await load_meetmind_copy(engine, interview_id, retrying)
        except Exception as exc:
            log.warning("MeetMind details of %s could not be loaded", interview_id, exc_info=exc)
            copy = None
        self.show_copy(copy)

    def show_copy(self, copy: MeetMindCopy | None) -> None:
        self.copy = copy
        appearing = copy is not None and not self.isVisible()
        self.setVisible(copy is not None)
        if copy is None:
            return
        if appearing:
            self._claim_room()
        speakers = "; ".join(f"{label}: {', '.join(names)}" for label, names in copy.speakers.items())
        self.source.setText(
            f"Synced from MeetMind ({html.escape(copy.source_label)}) on {copy.synced_at:%Y-%m-%d %H:%M} UTC. "
            f"Transcript: {copy.turns} turns from {describe_source(copy.transcript_source)}."
            + (f" Speakers — {html.escape(speakers)}." if speakers else ""))
        self.content.setHtml(meetmind_html(copy))

    def _claim_room(self) -> None:
        """A splitter squeezes a child that appears to its minimum; take a third of the column instead."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter):
            return
        sizes, mine = splitter.sizes(), splitter.indexOf(self)
        total = sum(sizes)
        want = max(total // 3, self.minimumSizeHint().height())
        if mine < 0 or sizes[mine] >= want or total <= want:
            return
        others = sum(size for i, size in enumerate(sizes) if i != mine) or 1
        splitter.setSizes([want if i == mine else size * (total - want) // others for i, size in enumerate(sizes)])
