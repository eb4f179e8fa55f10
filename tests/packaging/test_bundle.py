"""The packaged app: build the PyInstaller bundle with packaging/build.py, then run the built program."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from insighta_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1800


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """Build once for the module, into a throwaway dist folder; the PyInstaller cache in build/ is reused."""
    dist = tmp_path_factory.mktemp("dist")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist)],
                            cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    print(f"\nbundle built in {time.perf_counter() - started:.0f} s\n{result.stdout}")
    yield dist
    shutil.rmtree(dist, ignore_errors=True)  # ~330 MB with its archive; pytest keeps old temp folders


def bundle_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "INSIGHTA_"))}
    env.update(QT_QPA_PLATFORM="offscreen", INSIGHTA_HOME=str(tmp_path / "home"))
    return env


def executable(dist: Path) -> Path:
    return dist / "insighta-desktop" / ("insighta-desktop.exe" if sys.platform == "win32" else "insighta-desktop")


@pytest.mark.slow
def test_the_build_makes_a_folder_and_an_archive(bundle):
    exe = executable(bundle)
    assert exe.is_file() and os.access(exe, os.X_OK)
    internal = bundle / "insighta-desktop" / "_internal"
    assert (internal / "resources" / "icons" / "insighta-256.png").is_file()
    assert (internal / "insighta_desktop" / "data" / "countries.json").is_file()
    archives = list(bundle.glob(f"insighta-desktop-{__version__}-*"))
    assert len(archives) == 1, archives
    if archives[0].name.endswith(".tar.gz"):
        with tarfile.open(archives[0]) as tar:
            member = tar.getmember("insighta-desktop/insighta-desktop")
            assert member.isfile() and member.mode & 0o111


@pytest.mark.slow
def test_the_built_program_prints_its_version(bundle, tmp_path):
    result = subprocess.run([str(executable(bundle)), "--version"], capture_output=True, text=True, timeout=60,
                            env=bundle_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"insighta-desktop {__version__}"


@pytest.mark.slow
def test_the_built_program_passes_its_self_test(bundle, tmp_path):
    result = subprocess.run([str(executable(bundle)), "--self-test"], capture_output=True, text=True, timeout=300,
                            env=bundle_env(tmp_path))
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    lines = result.stdout.splitlines()
    assert "(packaged, Qt platform offscreen)" in lines[0]
    for check in ("main window", "demo data", "search", "csv import", "transcript", "review pack", "keyring",
                  "window data"):
        assert any(line.startswith(f"PASS  {check}") for line in lines), (check, result.stdout)
    assert lines[-1].startswith("Self-test passed")
    assert not (tmp_path / "home" / "data" / "insighta.db").exists()  # the user's database was never touched


@pytest.mark.slow
def test_the_built_program_refuses_a_damaged_pack_without_crashing(bundle, tmp_path):
    pack = tmp_path / "broken.insighta-pack"
    pack.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    result = subprocess.run([str(executable(bundle)), str(pack)], capture_output=True, text=True, timeout=60,
                            env=bundle_env(tmp_path))
    assert result.returncode == 3, result.stdout + result.stderr[-3000:]
    assert "broken.insighta-pack is truncated" in result.stderr
