"""Profiles tab: every profile, newest first, a page at a time."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from insighta_desktop.context import AppContext
from insighta_desktop.profiles.browse import ProfilePage, browse_profiles
from insighta_desktop.ui.table_model import Column, RecordTableModel, configure_table
from insighta_desktop.ui.tasks import TaskRunner, in_thread

PAGE_SIZE = 100


def _probability(value) -> str:
    return "" if value is None else f"{value:.2f}"


PROFILE_COLUMNS = [
    Column("Name", lambda p: p.name),
    Column("Gender", lambda p: p.gender),
    Column("Gender p", lambda p: p.gender_probability, True, _probability),
    Column("Age", lambda p: p.age, True),
    Column("Age group", lambda p: p.age_group),
    Column("Country", lambda p: f"{p.country_name} ({p.country_id})"),
    Column("Country p", lambda p: p.country_probability, True, _probability),
    Column("Created", lambda p: p.created_at.strftime("%Y-%m-%d %H:%M")),
]


class ProfilesTab(QWidget):
    def __init__(self, ctx: AppContext, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self._ctx, self._tasks = ctx, tasks
        self._offset = 0
        self._total = 0
        self.model = RecordTableModel(PROFILE_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        configure_table(self.table, 0)
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.prev_button.clicked.connect(lambda: self.load(max(0, self._offset - PAGE_SIZE)))
        self.next_button.clicked.connect(lambda: self.load(self._offset + PAGE_SIZE))
        self.page_label = QLabel("Loading…")
        nav = QHBoxLayout()
        nav.addWidget(self.page_label, 1)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(nav)

    def refresh(self) -> None:
        self.load(self._offset)

    def load(self, offset: int):
        return self._tasks.spawn(self._load(offset), key="profiles-page")

    async def _load(self, offset: int) -> None:
        page: ProfilePage = await in_thread(browse_profiles, self._ctx.engine, offset, PAGE_SIZE)
        self._offset, self._total = page.offset, page.total
        self.model.set_rows(page.rows)
        shown_to = page.offset + len(page.rows)
        self.page_label.setText(f"Profiles {page.offset + 1:,}–{shown_to:,} of {page.total:,}" if page.rows
                                else "No profiles yet: import a CSV file on the Import tab.")
        self.prev_button.setEnabled(page.offset > 0)
        self.next_button.setEnabled(shown_to < page.total)
