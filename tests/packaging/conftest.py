"""The packaged app, built once per test session with packaging/build.py (bundle, archive and, on Linux, the .deb)."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1800


@pytest.fixture(scope="session")
def bundle(tmp_path_factory):
    """Build once, into a throwaway dist folder; the PyInstaller cache in build/ is reused."""
    dist = tmp_path_factory.mktemp("dist")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist)],
                            cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    print(f"\nbundle built in {time.perf_counter() - started:.0f} s\n{result.stdout}")
    yield dist
    shutil.rmtree(dist, ignore_errors=True)  # ~450 MB with its archive and .deb; pytest keeps old temp folders


def bundle_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "INSIGHTA_"))}
    env.update(QT_QPA_PLATFORM="offscreen", INSIGHTA_HOME=str(tmp_path / "home"))
    return env


def executable(dist: Path, name: str = "insighta-desktop") -> Path:
    return dist / "insighta-desktop" / (f"{name}.exe" if sys.platform == "win32" else name)


def deb_module():
    """packaging/debian_package.py (packaging/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("debian_package", ROOT / "packaging" / "debian_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
