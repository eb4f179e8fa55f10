"""The Debian package of the one-folder bundle, built with dpkg-deb (nothing is downloaded): build.py calls build_deb.

`insighta-desktop_<version>_<arch>.deb` installs the bundle under /opt/insighta-desktop/, the two programs in
/usr/bin, a desktop entry with the icon, the MIME type of review packs (double-click opens one) and the insighta://
URL scheme. Its Depends: are the system libraries the bundle links without carrying them (PyInstaller leaves glibc
and the graphics stack to the system), found by reading every ELF file of the bundle.
"""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from insighta_desktop.system_libraries import XCB_LIBRARIES

PACKAGE = "insighta-desktop"
INSTALL_DIR = "/opt/insighta-desktop"
COMMANDS = ("insighta-desktop", "insighta")
MIME_TYPE = "application/x-insighta-pack"
PACK_SUFFIX = ".insighta-pack"
URL_SCHEME = "insighta"
ICON_NAME = "insighta-desktop"  # the desktop entry's Icon= and the Qt app's desktop file name
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
MAINTAINER = "Insighta Desktop team <desktop@insighta.app>"

# glibc's libraries: one dependency on libc6, at least the build machine's version (the bundle needs no newer one).
GLIBC_LIBRARIES = {"libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2",
                   "libutil.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}

# The Debian and Ubuntu package of each system library the bundle may link without carrying it (PyInstaller never
# bundles OpenGL, EGL, libxcb and Wayland; the X11 helpers are carried when the build machine has them). The app's own
# check of Qt's X11 libraries (insighta_desktop/system_libraries.py) names most of them; the others are Qt's
# Wayland, EGL-device and GLX ones. A library missing here is looked up with `dpkg -S` on the build machine; failing
# that, the build stops with its name.
SYSTEM_LIBRARY_PACKAGES = {lib.soname: lib.debian for lib in XCB_LIBRARIES} | {
    "libOpenGL.so.0": "libopengl0", "libGLX.so.0": "libglx0", "libdrm.so.2": "libdrm2",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1", "libgthread-2.0.so.0": "libglib2.0-0",
}
# Always wanted, whatever the bundle carries: the bundled fontconfig reads the system's configuration and fonts
# (libfontconfig1 brings fontconfig-config and a font), and Qt draws nothing without them.
ALWAYS_DEPENDS = ("libfontconfig1",)

DESKTOP_ENTRY = f"""\
[Desktop Entry]
Type=Application
Name=Insighta Desktop
GenericName=Profile search and interview review
Comment=Search profiles in plain words, import CSV files and review interviews, also offline from review packs
Exec={COMMANDS[0]} %u
Icon={ICON_NAME}
Terminal=false
Categories=Office;Database;
Keywords=profiles;search;import;csv;interviews;review;
MimeType={MIME_TYPE};x-scheme-handler/{URL_SCHEME};
StartupWMClass={COMMANDS[0]}
"""

MIME_INFO = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>Insighta review pack</comment>
    <icon name="{ICON_NAME}"/>
    <glob pattern="*{PACK_SUFFIX}"/>
  </mime-type>
</mime-info>
"""

# The desktop's caches learn about the entry, the MIME type and the icon; each tool is optional (a server has none).
_REFRESH_CACHES = """\
  for tool in update-desktop-database update-mime-database gtk-update-icon-cache; do
    command -v "$tool" >/dev/null 2>&1 || continue
    case "$tool" in
      update-desktop-database) update-desktop-database -q /usr/share/applications || true ;;
      update-mime-database) update-mime-database /usr/share/mime || true ;;
      gtk-update-icon-cache) gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true ;;
    esac
  done
"""

POSTINST = f"""\
#!/bin/sh
set -e
if [ "$1" = configure ]; then
{_REFRESH_CACHES}fi
exit 0
"""

# On removal the caches forget the app, and the install folder goes even if something was written into it later.
# The user's data (~/.local/share/Insighta Desktop, settings, logs, keychain entries) is never touched.
POSTRM = f"""\
#!/bin/sh
set -e
case "$1" in
  remove|purge)
{_REFRESH_CACHES}    rm -rf {INSTALL_DIR}
    ;;
esac
exit 0
"""


class DebError(Exception):
    """The package cannot be built; the message says why."""


def debian_version(version: str) -> str:
    """A PEP 440 version as Debian orders it: pre-releases sort before the release (~), post-releases after (+)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:[.-]?(a|b|rc|alpha|beta|dev)\.?(\d*))?(?:[.-]?post\.?(\d+))?", version)
    if match is None:
        raise DebError(f"version {version!r} is not a release version this script can translate for dpkg")
    release, pre, pre_number, post = match.groups()
    result = release + (f"~{pre}{pre_number}" if pre else "") + (f"+post{post}" if post else "")
    return result


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def deb_name(version: str, arch: str) -> str:
    return f"{PACKAGE}_{debian_version(version)}_{arch}.deb"


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def elf_needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=False).stdout
    return set(re.findall(r"\(NEEDED\).*\[(.+?)\]", out))


def _installed_package_of(library: str) -> str | None:
    """The package that installed `library` on this machine (dpkg -S), or None."""
    result = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not result.stdout:
        return None
    return result.stdout.split(":", 1)[0].strip()


def unbundled_libraries(bundle: Path) -> dict[str, set[str]]:
    """Each library an ELF file of the bundle needs that the bundle does not carry, with the files needing it."""
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    carried = {p.name for p in bundle.rglob("*")}
    missing: dict[str, set[str]] = {}
    for path in files:
        for library in elf_needed(path) - carried:
            missing.setdefault(library, set()).add(str(path.relative_to(bundle)))
    return missing


def depends(bundle: Path, glibc: str | None = None) -> list[str]:
    """The Depends: field's entries for the bundle, sorted, libc6 first."""
    glibc = glibc or platform.libc_ver()[1]
    packages = set(ALWAYS_DEPENDS)
    unknown = []
    for library, users in sorted(unbundled_libraries(bundle).items()):
        if library in GLIBC_LIBRARIES:
            continue
        package = SYSTEM_LIBRARY_PACKAGES.get(library) or _installed_package_of(library)
        if package is None:
            unknown.append(f"{library} (needed by {sorted(users)[0]})")
        else:
            packages.add(package)
    if unknown:
        raise DebError("no Debian package known for " + ", ".join(unknown)
                       + ": add it to SYSTEM_LIBRARY_PACKAGES in packaging/debian_package.py")
    return [f"libc6 (>= {glibc})" if glibc else "libc6", *sorted(packages)]


def control(version: str, arch: str, installed_kib: int, depends_on: list[str]) -> str:
    return (f"Package: {PACKAGE}\n"
            f"Version: {debian_version(version)}\n"
            f"Architecture: {arch}\n"
            f"Maintainer: {MAINTAINER}\n"
            f"Installed-Size: {installed_kib}\n"
            f"Depends: {', '.join(depends_on)}\n"
            "Section: misc\n"
            "Priority: optional\n"
            "Description: profile search, CSV import and interview review\n"
            " Insighta Desktop searches demographic profiles in plain words, imports large CSV\n"
            " files into an embedded database or PostgreSQL, and reviews AI interviews, also\n"
            " offline from review packs. Commands: insighta-desktop (the app) and insighta.\n"
            " .\n"
            f" The package carries its own Python and Qt, under {INSTALL_DIR}.\n")


def _normalise_modes(root: Path) -> None:
    """Directories and programs 0755, other files 0644, whatever the build machine's umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or bool(path.stat().st_mode & 0o111)
        path.chmod(0o755 if executable else 0o644)


def _installed_size_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*"))
    return max(1, (total + 1023) // 1024)


def stage(root: Path, bundle: Path, icons: Path) -> None:
    """The package's file tree under root (without DEBIAN/)."""
    shutil.copytree(bundle, root / INSTALL_DIR.lstrip("/"), symlinks=True)
    usr = root / "usr"
    (usr / "bin").mkdir(parents=True)
    for command in COMMANDS:
        if not (bundle / command).is_file():
            raise DebError(f"the bundle has no {command} program: {bundle / command} is missing")
        (usr / "bin" / command).symlink_to(f"{INSTALL_DIR}/{command}")
    applications = usr / "share" / "applications"
    applications.mkdir(parents=True)
    (applications / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    mime = usr / "share" / "mime" / "packages"
    mime.mkdir(parents=True)
    (mime / f"{PACKAGE}.xml").write_text(MIME_INFO, encoding="utf-8")
    hicolor = usr / "share" / "icons" / "hicolor"
    for size in ICON_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copyfile(icons / f"insighta-{size}.png", target / f"{ICON_NAME}.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copyfile(icons / "insighta.svg", hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg")


def build_deb(bundle: Path, out_dir: Path, version: str, icons: Path, *, arch: str | None = None,
              glibc: str | None = None, compression: str = "gzip") -> Path:
    """Build the .deb of `bundle` (dist/insighta-desktop) into out_dir; returns its path.

    gzip by default: every dpkg reads it, and it takes a few seconds where xz takes about 100 s of CPU for the
    bundle (88 MB against 71 MB); pass "xz" for a release download.
    """
    if shutil.which("dpkg-deb") is None:
        raise DebError("dpkg-deb is not installed (it comes with dpkg on Debian and Ubuntu)")
    arch = arch or architecture()
    out = out_dir / deb_name(version, arch)
    with tempfile.TemporaryDirectory(prefix="insighta-deb-") as tmp:
        root = Path(tmp) / "root"
        stage(root, bundle, icons)
        meta = root / "DEBIAN"
        meta.mkdir()
        (meta / "control").write_text(control(version, arch, _installed_size_kib(root), depends(bundle, glibc)),
                                      encoding="utf-8")
        (meta / "postinst").write_text(POSTINST, encoding="utf-8")
        (meta / "postrm").write_text(POSTRM, encoding="utf-8")
        for script in ("postinst", "postrm"):
            os.chmod(meta / script, 0o755)
        _normalise_modes(root)
        out.unlink(missing_ok=True)
        result = subprocess.run(["dpkg-deb", "--build", "--root-owner-group", f"-Z{compression}", str(root), str(out)],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DebError(f"dpkg-deb failed: {(result.stderr or result.stdout).strip()}")
    return out
