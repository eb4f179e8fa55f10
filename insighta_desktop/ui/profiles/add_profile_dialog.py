"""Add profile…: type a name (or several, separated by commas), and Genderize, Agify and Nationalize predict its
gender, age and country; the profile is stored — or, when the name is stored already, that profile is shown. A name
with no prediction is not stored, and the dialog says which service had none. The calls run on the GUI's event loop
(httpx), the database work on a worker thread; the dialog is never modal inside a coroutine."""
from __future__ import annotations

import asyncio
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from insighta_desktop.profiles.from_name import NameResult, ProfileFromName
from insighta_desktop.profiles.model import Profile
from insighta_desktop.resilience.retry import RetryEvent
from insighta_desktop.ui.shared.tasks import TaskRunner

OUTCOME_TEXT = {"created": ("Added to the database", "#1b5e20"), "exists": ("Already stored", "#1565c0"),
                "no_prediction": ("Not stored", "#8a6d00"), "failed": ("Not stored", "#b00020"),
                "invalid": ("Not stored", "#b00020")}


def _pct(p: float | None) -> str:
    return "" if p is None else f" — {p:.0%}"


class AddProfileDialog(QDialog):
    profile_added = Signal(object)  # the new Profile

    def __init__(self, service: ProfileFromName, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add profile from a name")
        self._service, self._tasks = service, tasks
        self.task: asyncio.Task[list[NameResult]] | None = None
        self.results: list[NameResult] = []

        self.name_edit = QLineEdit(placeholderText="A first name, e.g. Amara (several: separate with commas)")
        self.predict_button = QPushButton("Predict and add")
        self.predict_button.setDefault(True)
        self.predict_button.clicked.connect(self.predict)
        self.name_edit.returnPressed.connect(self.predict)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.predict_button)

        self.status = QLabel("Genderize, Agify and Nationalize predict the gender, age and country of a name.")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #555;")
        self.outcome = QLabel("")
        self.outcome.setStyleSheet("font-weight: bold;")
        self.gender = QLabel("–")
        self.age = QLabel("–")
        self.country = QLabel("–")
        self.form = QFormLayout()
        self.form.addRow("Gender", self.gender)
        self.form.addRow("Age", self.age)
        self.form.addRow("Country", self.country)
        self.others = QLabel("")  # one line per further name
        self.others.setTextFormat(Qt.TextFormat.RichText)
        self.others.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        layout.addWidget(self.status)
        layout.addLayout(self.form)
        layout.addWidget(self.others)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(520, 280)

    def names(self) -> list[str]:
        return [n.strip() for n in self.name_edit.text().split(",") if n.strip()]

    def predict(self) -> asyncio.Task[list[NameResult]] | None:
        names = self.names()
        if not names:
            self.status.setText("Type a name first.")
            return None
        self.predict_button.setEnabled(False)
        self.outcome.setText("")
        self.others.setText("")
        self.status.setText("Asking Genderize, Agify and Nationalize about "
                            + ", ".join(f"“{n}”" for n in names) + "…")
        self.task = self._tasks.spawn(self._predict(names), key="add-profile")
        return self.task

    async def _predict(self, names: list[str]) -> list[NameResult]:
        try:
            results = await self._service.add_many(names, on_retry=self._retrying)
        finally:
            self.predict_button.setEnabled(True)
        self.results = results
        self._show(results)
        for result in results:
            if result.outcome == "created" and result.profile is not None:
                self.profile_added.emit(result.profile)
        return results

    def _retrying(self, event: RetryEvent) -> None:
        self.status.setText(f"{event.task_name.split(' ')[0]} busy — {event.message}")

    def _show(self, results: list[NameResult]) -> None:
        first = results[0]
        text, colour = OUTCOME_TEXT[first.outcome]
        self.outcome.setText(f"{first.name}: {text}")
        self.outcome.setStyleSheet(f"font-weight: bold; color: {colour};")
        self._show_profile(first.profile)
        self.status.setText(first.message)
        lines = [f"<b>{html.escape(r.name)}</b>: {html.escape(r.message)}" for r in results[1:]]
        self.others.setText("<br>".join(lines))

    def _show_profile(self, profile: Profile | None) -> None:
        if profile is None:
            for label in (self.gender, self.age, self.country):
                label.setText("–")
            return
        self.gender.setText(f"{profile.gender}{_pct(profile.gender_probability)}")
        self.age.setText(f"{profile.age} ({profile.age_group})")
        self.country.setText(f"{profile.country_name} ({profile.country_id}){_pct(profile.country_probability)}")
