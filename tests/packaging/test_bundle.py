"""The packaged app: build the PyInstaller bundle with packaging/build.py, then run the built program."""
from __future__ import annotations

import json
import os
import subprocess
import tarfile

import pytest

from insighta_desktop import __version__
from tests.packaging.conftest import bundle_env, executable


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


@pytest.mark.slow
def test_the_bundle_carries_the_command_line_too(bundle, tmp_path):
    cli = executable(bundle, "insighta")
    env = bundle_env(tmp_path)
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"insighta {__version__}"
    status = subprocess.run([str(cli), "db", "status", "--json"], capture_output=True, text=True, timeout=60, env=env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["backend"] == "sqlite"
    assert (tmp_path / "home" / "data" / "insighta.db").is_file()  # the CLI's own default database


@pytest.mark.slow
def test_the_programs_run_through_a_symlink(bundle, tmp_path):
    """/usr/bin/insighta-desktop is a link to /opt/…: the program must still find its _internal folder."""
    link = tmp_path / "bin" / "insighta-desktop"
    link.parent.mkdir()
    link.symlink_to(executable(bundle))
    result = subprocess.run([str(link), "--version"], capture_output=True, text=True, timeout=60,
                            env=bundle_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"insighta-desktop {__version__}"


@pytest.mark.slow
def test_unused_qt_parts_are_left_out_and_the_bundle_stays_small(bundle):
    internal = bundle / "insighta-desktop" / "_internal"
    names = {p.name for p in internal.rglob("*")}
    for unused in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6Network.so.6", "libQt6WebEngineCore.so.6",
                   "libqgtk3.so", "libqeglfs.so", "libqvnc.so", "ast_serialize", "mypy"):
        assert unused not in names, unused
    broken = [str(p) for p in (bundle / "insighta-desktop").rglob("*") if p.is_symlink() and not p.exists()]
    assert not broken, broken
    size = sum(p.stat().st_size for p in (bundle / "insighta-desktop").rglob("*") if p.is_file() and not p.is_symlink())
    assert size <= 200e6, f"the bundle is {size / 1e6:.1f} MB"
