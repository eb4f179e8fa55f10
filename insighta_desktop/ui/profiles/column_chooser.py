"""A right-click on a table's header lists its columns to show or hide; the choice is kept in the settings."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QMenu, QTableView, QWidget


class ColumnChooser:
    def __init__(self, table: QTableView, settings: QSettings, key: str, *, always_shown: int = 0) -> None:
        self.table, self._settings, self._key, self._always = table, settings, key, always_shown
        self.menu: QMenu | None = None
        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_menu)
        stored = settings.value(key, [])
        # QSettings (ini) gives one item back as text and an empty list as nothing
        hidden = [stored] if isinstance(stored, str) else [str(t) for t in stored] if isinstance(stored, list) else []
        for column in self._columns():
            table.setColumnHidden(column, self._title(column) in hidden and column != always_shown)

    def _columns(self) -> range:
        return range(self.table.model().columnCount())

    def _title(self, column: int) -> str:
        return str(self.table.model().headerData(column, Qt.Orientation.Horizontal))

    def build_menu(self, parent: QWidget | None = None) -> QMenu:
        menu = QMenu(parent or self.table)
        menu.setTitle("Columns")
        for column in self._columns():
            action = menu.addAction(self._title(column))
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column != self._always)  # names always stay
            action.toggled.connect(lambda shown, c=column: self.set_shown(c, shown))
        return menu

    def show_menu(self, position: QPoint) -> QMenu:
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = self.build_menu()
        self.menu.popup(self.table.horizontalHeader().mapToGlobal(position))
        return self.menu

    def set_shown(self, column: int, shown: bool) -> None:
        if column == self._always:
            return
        self.table.setColumnHidden(column, not shown)
        self._settings.setValue(self._key, [self._title(c) for c in self._columns() if self.table.isColumnHidden(c)])
        self._settings.sync()

    def hidden_titles(self) -> list[str]:
        return [self._title(c) for c in self._columns() if self.table.isColumnHidden(c)]
