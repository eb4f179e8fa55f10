"""packaging/debian_package.py on a small bundle of real programs: fast, no PyInstaller build."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, deb_module

debian_package = deb_module()
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb: Debian and Ubuntu only")
ICONS = ROOT / "resources" / "icons"


def small_bundle(folder: Path, *programs: Path) -> Path:
    """A one-folder layout like PyInstaller's: both programs at the top, the rest under _internal/."""
    bundle = folder / "insighta-desktop"
    (bundle / "_internal").mkdir(parents=True)
    for name, program in zip(("insighta-desktop", "insighta"), programs, strict=True):
        shutil.copy2(program, bundle / name)
    return bundle


@pytest.mark.parametrize(("python", "debian"), [("0.1.0", "0.1.0"), ("1.2.0rc1", "1.2.0~rc1"), ("2.0b3", "2.0~b3"),
                                                 ("1.0.0.dev4", "1.0.0~dev4"), ("1.0.post2", "1.0+post2")])
def test_versions_sort_as_dpkg_expects(python, debian):
    assert debian_package.debian_version(python) == debian


def test_a_version_it_cannot_translate_is_refused():
    with pytest.raises(debian_package.DebError, match="not a release version"):
        debian_package.debian_version("1.0+local.7")


def test_the_maintainer_scripts_are_valid_shell():
    for script in (debian_package.POSTINST, debian_package.POSTRM):
        assert script.startswith("#!/bin/sh\nset -e\n")
        subprocess.run(["sh", "-n"], input=script, text=True, check=True)
    assert "rm -rf /opt/insighta-desktop" in debian_package.POSTRM.split("remove|purge)")[1]


@needs_dpkg
def test_depends_names_the_package_of_each_system_library_the_bundle_does_not_carry(tmp_path):
    # /bin/ls links libselinux (not in the table: found with dpkg -S) and glibc (one libc6 dependency).
    bundle = small_bundle(tmp_path, Path("/bin/ls"), Path("/bin/ls"))
    depends = debian_package.depends(bundle, glibc="2.36")
    assert depends == ["libc6 (>= 2.36)", "libfontconfig1", "libselinux1"]


@needs_dpkg
def test_a_library_with_no_known_package_stops_the_build_with_its_name(tmp_path):
    import PySide6

    charts = Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Charts.so.6"
    bundle = small_bundle(tmp_path, Path("/bin/ls"), Path("/bin/ls"))
    shutil.copy2(charts, bundle / "_internal")  # without the Qt libraries it links
    with pytest.raises(debian_package.DebError, match=r"libQt6Widgets\.so\.6 \(needed by _internal/libQt6Charts"):
        debian_package.depends(bundle)


@needs_dpkg
def test_the_package_of_a_small_bundle(tmp_path):
    bundle = small_bundle(tmp_path, Path("/bin/ls"), Path("/bin/true"))
    deb = debian_package.build_deb(bundle, tmp_path, "0.3.0rc2", ICONS, arch="amd64", glibc="2.31")
    assert deb.name == "insighta-desktop_0.3.0~rc2_amd64.deb"
    root = tmp_path / "unpacked"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(root)], check=True)
    control = (root / "DEBIAN" / "control").read_text()
    assert "Version: 0.3.0~rc2\n" in control and "Architecture: amd64\n" in control
    assert "Depends: libc6 (>= 2.31), libfontconfig1, libselinux1\n" in control
    assert (root / "usr" / "bin" / "insighta").readlink() == Path("/opt/insighta-desktop/insighta")
    assert (root / "opt" / "insighta-desktop" / "insighta").read_bytes() == Path("/bin/true").read_bytes()
    assert (root / "usr/share/icons/hicolor/512x512/apps/insighta-desktop.png").read_bytes() == \
        (ICONS / "insighta-512.png").read_bytes()
    for script in ("postinst", "postrm"):
        assert (root / "DEBIAN" / script).stat().st_mode & 0o777 == 0o755


def test_a_bundle_without_the_command_line_program_is_refused(tmp_path):
    bundle = tmp_path / "insighta-desktop"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy2("/bin/ls", bundle / "insighta-desktop")
    with pytest.raises(debian_package.DebError, match="no insighta program"):
        debian_package.stage(tmp_path / "root", bundle, ICONS)
