"""Live data in the Profiles tab: when another client (or this app's Import tab) changes the profiles, the search
on screen refreshes itself — unless the person is reading further down the results, when a "Data changed — refresh"
bar says so and waits for a click. Driven by the pushed data version (db/data_version_watch.py), not by polling
from here.

Changes are taken together for LIVE_REFRESH_MS before the tab refreshes: an import commits a batch several times a
second, and a refresh after each (a search and its paint on the GUI thread, eight a second) made the window's event
loop stall and slowed the import it was showing (tests/benchmarks/bench_import.py --gui-only)."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QLabel, QPushButton, QWidget

from insighta_desktop.ui.shared.data_changes import DataChanges

NOTICE_STYLE = "QWidget#liveDataNotice { background: #fff4ce; border: 1px solid #e0c36a; border-radius: 3px; }"


LIVE_REFRESH_MS = 1000


class LiveDataNotice(QWidget):
    """The "Data changed — refresh" bar; emits `refresh_requested` when the person asks for the results again and
    `auto_refresh` when they are refreshed by themselves (no one is waiting on that search)."""

    refresh_requested = Signal()
    auto_refresh = Signal()

    def __init__(self, subscribe: Callable[[Callable[[int], None]], Callable[[], None]],
                 results: QAbstractScrollArea, can_refresh_now: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveDataNotice")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # a plain QWidget paints no background else
        self.setStyleSheet(NOTICE_STYLE)
        self._results = results
        self._can_refresh_now = can_refresh_now
        self.label = QLabel("Data changed since this search (an import or an edit): the total and rows may be out "
                            "of date.")
        self.button = QPushButton("Refresh")
        self.button.clicked.connect(self._clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(LIVE_REFRESH_MS)
        self._settle.timeout.connect(self._settled)
        self.changes = DataChanges(subscribe, self)
        self.changes.changed.connect(self.data_changed)

    def data_changed(self, _version: int) -> None:
        if not self._settle.isActive():  # the changes of the next LIVE_REFRESH_MS are taken together
            self._settle.start()

    def _settled(self) -> None:
        if not self._can_refresh_now():
            return  # nothing on screen yet, or a search is under way (it reads the new data)
        bar = self._results.verticalScrollBar()
        if bar.value() == bar.minimum() and not bar.isSliderDown():
            self.hide()
            self.auto_refresh.emit()  # at the top of the results: refresh in place
        else:
            self.show()  # reading further down: do not pull the rows from under the person

    def results_shown(self) -> None:
        """A search finished: what is on screen is current."""
        self.hide()

    def stop(self) -> None:
        self._settle.stop()
        self.changes.stop()

    def _clicked(self) -> None:
        self.hide()
        self.refresh_requested.emit()
