"""The Import tab on a database this user may only read: a banner that says why, and nothing left to start.

Kept apart from tab.py (which the import screens keep changing): it needs only the tab's layout. The banner goes
first; every other widget of the tab is disabled (the history stays visible), the drop zone hidden, drops
are refused. With `reason`
None the tab is as it was.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QWidget

from insighta_desktop.ui.shared.drop_zone import DropZone

BANNER_NAME = "read-only-banner"
BANNER_STYLE = ("background: #fff4d6; color: #5c4400; border: 1px solid #e6c970; border-radius: 4px; "
                "padding: 8px;")


def read_only_text(reason: str) -> str:
    return (f"<b>Importing is off: this database is read-only for you.</b><br>{reason[:1].upper()}{reason[1:]}. "
            "Ask the database's administrator for write access (INSERT on the profiles table), or choose "
            "another database in File → Settings.")


def banner(tab: QWidget) -> QLabel | None:
    found = tab.findChild(QLabel, BANNER_NAME)
    return found if isinstance(found, QLabel) else None


def show_read_only(tab: QWidget, reason: str | None) -> None:
    layout = tab.layout()
    if layout is None:
        return
    label = banner(tab)
    if reason is None and label is None:
        return
    if label is None:
        label = QLabel(tab)
        label.setObjectName(BANNER_NAME)
        label.setWordWrap(True)
        label.setStyleSheet(BANNER_STYLE)
        layout.insertWidget(0, label)  # type: ignore[attr-defined]  # a QBoxLayout: the tab builds a QVBoxLayout
    label.setText(read_only_text(reason) if reason else "")
    label.setVisible(reason is not None)
    tab.setAcceptDrops(reason is None)
    for widget in _widgets(layout):
        if widget is not label:
            widget.setEnabled(reason is None)
    for zone in tab.findChildren(DropZone):  # its inviting look does not grey out: out of sight instead
        zone.setVisible(reason is None)


def _widgets(layout: QLayout) -> list[QWidget]:
    """The widgets a layout holds, nested layouts included."""
    found: list[QWidget] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        if (widget := item.widget()) is not None:
            found.append(widget)
        elif (inner := item.layout()) is not None:
            found.extend(_widgets(inner))
    return found
