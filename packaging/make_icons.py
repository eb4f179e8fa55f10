"""Render resources/icons/insighta.svg to the PNG sizes, insighta.ico and insighta.icns (see packaging/README.md).

Pillow writes the .ico and .icns; it is not a dependency of the app, so put it on PYTHONPATH for this script only.
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(ICONS / "insighta.svg")).render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication([])
    for size in PNG_SIZES:
        Image.open(io.BytesIO(render(size))).save(ICONS / f"insighta-{size}.png", optimize=True)
    Image.open(io.BytesIO(render(256))).save(ICONS / "insighta.ico", sizes=[(s, s) for s in ICO_SIZES])
    Image.open(io.BytesIO(render(1024))).save(ICONS / "insighta.icns")
    print(f"Wrote {len(PNG_SIZES)} PNGs, insighta.ico and insighta.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
