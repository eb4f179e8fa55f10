"""Application identity: name, organisation, icon, the optional style sheet, and the About dialog."""
from __future__ import annotations

import platform
import sys
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from insighta_desktop import __version__
from insighta_desktop.config import APP_AUTHOR, APP_NAME
from insighta_desktop.resources import resource_path

if TYPE_CHECKING:
    from insighta_desktop.context import AppContext

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
ORGANISATION_DOMAIN = "insighta.app"
DESKTOP_FILE_NAME = "insighta-desktop"


def app_icon() -> QIcon:
    """The icon from its PNG sizes (no SVG plugin needed, so the frozen app stays small)."""
    icon = QIcon()
    for size in ICON_SIZES:
        try:
            icon.addFile(str(resource_path("icons", f"insighta-{size}.png")))
        except FileNotFoundError:
            continue
    return icon


def branded_application() -> QApplication:
    """The QApplication with the app's identity, for windows that do not need ui.app (and its main window)."""
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_AUTHOR)
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    apply_branding(app)
    return app


def apply_branding(app: QApplication) -> None:
    QCoreApplication.setOrganizationDomain(ORGANISATION_DOMAIN)
    # No applicationDisplayName: on X11, Wayland and Windows Qt appends it to every window title, and the main
    # window's title ("Insighta Desktop — insighta.db") already starts with the app's name.
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(app_icon())
    try:
        style = resource_path("style.qss").read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    app.setStyleSheet(app.styleSheet() + "\n" + style)


class AboutDialog(QDialog):
    def __init__(self, details: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        icon = QLabel()
        icon.setPixmap(QPixmap(str(resource_path("icons", "insighta-128.png"))).scaled(
            96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.icon_label = icon
        title = QLabel(f"{APP_NAME} {__version__}")
        title.setObjectName("aboutTitle")
        self.version_label = title
        blurb = QLabel("Profile search, CSV ingestion and interview review, on an embedded database or "
                       "PostgreSQL — and offline review packs.")
        blurb.setWordWrap(True)
        rows = "".join(f"<tr><td style='color:#667;padding-right:10px'>{k}</td><td>{v}</td></tr>"
                       for k, v in details)
        facts = QLabel(f"<table>{rows}</table>")
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QVBoxLayout()
        for widget in (title, blurb, facts):
            text.addWidget(widget)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addSpacing(12)
        top.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.adjustSize()


def about_details(ctx: AppContext) -> list[tuple[str, str]]:
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    return [
        ("Database", ctx.database_label),
        ("Data", str(ctx.paths.data_dir)),
        ("Logs", str(ctx.paths.log_dir)),
        ("Runtime", f"Python {platform.python_version()}{frozen}, Qt {qVersion()}, PySide6 {pyside_version}"),
    ]


def show_about(parent: QWidget, ctx: AppContext) -> AboutDialog:
    dialog = AboutDialog(about_details(ctx), parent)
    dialog.open()  # not exec(): the window may be running coroutines
    return dialog
