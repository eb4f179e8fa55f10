"""Write an assessment by hand from the rubric template: recommendation, a score and a quote per skill, notes.

The form checks itself with the same rules the service applies (`interviews.manual.manual_assessment`), so a
missing recommendation is said in the dialog, next to the Save button, before anything is written.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.interviews.manual import ManualAssessmentError, manual_assessment
from insighta_desktop.interviews.model import RECOMMENDATIONS

RECOMMENDATION_LABELS = {"strong_advance": "Strong advance", "advance": "Advance", "hold": "Hold",
                         "reject": "Reject"}
NO_SCORE = "—"


class ManualAssessmentDialog(QDialog):
    save_requested = Signal(dict)  # the filled-in template; the tab saves it and closes the dialog

    def __init__(self, title: str, template: dict[str, Any], note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Assessment by hand: {title}")
        self.setMinimumWidth(640)
        self.skills = [str(s["skill"]) for s in template["scores"]]

        intro = QLabel(note or "Fill in the rubric from the transcript. Quote the passage that supports each "
                               "score; skills left without a score are marked “not assessed”.")
        intro.setWordWrap(True)
        intro.setStyleSheet("color:#556")

        self.recommendation = QComboBox()
        self.recommendation.addItem("Choose…", None)
        for value in RECOMMENDATIONS:
            self.recommendation.addItem(RECOMMENDATION_LABELS[value], value)
        self.recommendation.setCurrentIndex(max(0, self.recommendation.findData(template.get("recommendation"))))
        self.recommendation.setMinimumWidth(200)
        self.recommendation.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.summary = QPlainTextEdit(str(template.get("summary") or ""))
        self.summary.setPlaceholderText("Overall observation in a few sentences (optional)")
        self.summary.setFixedHeight(64)
        top = QFormLayout()
        top.addRow("Recommendation", self.recommendation)
        top.addRow("Summary", self.summary)

        self.scores: dict[str, QComboBox] = {}
        self.evidence: dict[str, QLineEdit] = {}
        rubric = QGroupBox("Rubric")
        grid = QGridLayout(rubric)
        grid.setColumnStretch(2, 1)
        for column, heading in enumerate(("Skill", "Score", "Evidence: a quote from the transcript")):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        for row, item in enumerate(template["scores"], start=1):
            skill = str(item["skill"])
            score = QComboBox()
            score.addItem(NO_SCORE, None)
            for points in range(1, 6):
                score.addItem(f"{points} / 5", points)
            score.setCurrentIndex(max(0, score.findData(item.get("score"))))
            quote = QLineEdit(str(item.get("evidence") or ""))
            quote.setPlaceholderText("“…”")
            grid.addWidget(QLabel(skill), row, 0)
            grid.addWidget(score, row, 1)
            grid.addWidget(quote, row, 2)
            self.scores[skill], self.evidence[skill] = score, quote

        self.highlights = QPlainTextEdit("\n".join(template.get("highlights") or []))
        self.red_flags = QPlainTextEdit("\n".join(template.get("red_flags") or []))
        notes = QGridLayout()
        for column, (heading, edit) in enumerate((("Highlights", self.highlights), ("Red flags", self.red_flags))):
            edit.setPlaceholderText("One per line")
            edit.setFixedHeight(80)
            notes.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
            notes.addWidget(edit, 1, column)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(intro)
        body_layout.addLayout(top)
        body_layout.addWidget(rubric)
        body_layout.addLayout(notes)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.error = QLabel("")
        self.error.setObjectName("manualError")
        self.error.setStyleSheet("#manualError { color:#b00020; }")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save assessment")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(720, min(760, 390 + 32 * len(self.skills)))

    def values(self) -> dict[str, Any]:
        return {
            "recommendation": self.recommendation.currentData(),
            "summary": self.summary.toPlainText(),
            "highlights": self.highlights.toPlainText(), "red_flags": self.red_flags.toPlainText(),
            "scores": [{"skill": skill, "score": self.scores[skill].currentData(),
                        "evidence": self.evidence[skill].text()} for skill in self.skills],
        }

    def submit(self) -> None:
        values = self.values()
        try:
            manual_assessment(values, self.skills)
        except ManualAssessmentError as exc:
            self.show_error(str(exc))
            return
        self.error.clear()
        self.save_button.setEnabled(False)
        self.save_requested.emit(values)

    def show_error(self, text: str) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(text)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Enter in a quote field must not save the form
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.save_button.hasFocus():
            event.accept()
            return
        super().keyPressEvent(event)
