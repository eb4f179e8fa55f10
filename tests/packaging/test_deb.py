"""The Debian package build.py makes from the bundle, read with dpkg-deb (-c, -I, -f) without installing it."""
from __future__ import annotations

import configparser
import re
import shutil
import subprocess

import pytest

from insighta_desktop import __version__
from tests.packaging.conftest import deb_module

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb: Debian and Ubuntu only")]

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


@pytest.fixture(scope="module")
def deb(bundle):
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    path = bundle / f"insighta-desktop_{__version__}_{arch}.deb"
    assert path.is_file(), sorted(p.name for p in bundle.iterdir())
    return path


def listing(deb) -> dict[str, str]:
    """Path inside the package -> its `dpkg-deb -c` line."""
    out = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    entries = {}
    for line in out.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        entries[path.removeprefix(".").rstrip("/") or "/"] = line
    return entries


def field(deb, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True).stdout.strip()


def extract(deb, member: str) -> str:
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    return subprocess.run(["tar", "-xO", f".{member}"], input=tar, capture_output=True, check=True).stdout.decode()


def test_the_package_installs_the_bundle_under_opt_with_both_commands_in_usr_bin(deb):
    entries = listing(deb)
    for program in ("insighta-desktop", "insighta"):
        assert entries[f"/opt/insighta-desktop/{program}"].startswith("-rwxr-xr-x root/root")
        assert entries[f"/usr/bin/{program}"].startswith("lrwxrwxrwx root/root")
        assert entries[f"/usr/bin/{program}"].endswith(f"-> /opt/insighta-desktop/{program}")
    assert "/opt/insighta-desktop/_internal/resources/icons/insighta-256.png" in entries
    assert all(" root/root " in line for line in entries.values())
    outside = [p for p in entries if p not in ("/", "/opt", "/usr", "/usr/bin", "/usr/share")
               and not p.startswith(("/opt/insighta-desktop", "/usr/bin/", "/usr/share/"))]
    assert not outside, outside


def test_the_desktop_entry_registers_the_pack_type_the_link_scheme_and_the_icon(deb):
    entries = listing(deb)
    for size in ICON_SIZES:
        assert f"/usr/share/icons/hicolor/{size}x{size}/apps/insighta-desktop.png" in entries
    assert "/usr/share/icons/hicolor/scalable/apps/insighta-desktop.svg" in entries
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(extract(deb, "/usr/share/applications/insighta-desktop.desktop"))
    entry = parser["Desktop Entry"]
    assert entry["Exec"] == "insighta-desktop %u"
    assert entry["Icon"] == "insighta-desktop"
    assert entry["MimeType"].split(";")[:2] == ["application/x-insighta-pack", "x-scheme-handler/insighta"]
    mime = extract(deb, "/usr/share/mime/packages/insighta-desktop.xml")
    assert 'type="application/x-insighta-pack"' in mime and 'pattern="*.insighta-pack"' in mime


def test_the_control_fields_and_maintainer_scripts(deb, bundle):
    assert field(deb, "Package") == "insighta-desktop"
    assert field(deb, "Version") == __version__
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    assert field(deb, "Architecture") == arch
    depends = [d.strip() for d in field(deb, "Depends").split(",")]
    assert depends[0].startswith("libc6 (>= ")
    # PyInstaller never bundles OpenGL, EGL and libxcb: the system provides them, and the package says so.
    for package in ("libegl1", "libgl1", "libxcb1", "libfontconfig1"):
        assert package in depends, depends
    # Every library the bundle links without carrying it has its package in Depends.
    module = deb_module()
    for library in module.unbundled_libraries(bundle / "insighta-desktop"):
        if library not in module.GLIBC_LIBRARIES:
            assert module.SYSTEM_LIBRARY_PACKAGES[library] in depends, library
    assert int(field(deb, "Installed-Size")) > 100_000  # KiB
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    for script in ("postinst", "postrm"):  # dpkg-deb marks executable control files with *
        assert re.search(rf"\*\s+{script}\s+#!/bin/sh", info), info
