"""Find bundled files the same way from a source checkout, an installed wheel and a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _roots() -> list[Path]:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return [Path(frozen_root) / "resources", Path(frozen_root) / "insighta_desktop" / "data"]
    return [PACKAGE_DIR.parent / "resources", PACKAGE_DIR / "data"]


def resource_path(*parts: str) -> Path:
    """The first existing file named `parts` under resources/ or the package's data/ folder."""
    for root in _roots():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"Resource not found: {'/'.join(parts)} (looked in {', '.join(map(str, _roots()))})")

