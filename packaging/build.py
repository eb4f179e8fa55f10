"""Build the one-folder bundle, its archive and (on Debian and Ubuntu) its .deb: `uv run python packaging/build.py`.

Produces dist/insighta-desktop/ with two programs, insighta-desktop and insighta (.exe on Windows; on macOS also
dist/Insighta Desktop.app), dist/insighta-desktop-<version>-<platform>-<machine>.tar.gz (.zip on Windows and macOS),
and on Linux with dpkg-deb dist/insighta-desktop_<version>_<arch>.deb. The PyInstaller work folder
(build/pyinstaller) is kept between runs so a rebuild reuses its analysis; --clean starts afresh.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

from debian_package import DebError, build_deb  # packaging/ is this script's folder, so it is on sys.path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "insighta-desktop.spec"
NAME = "insighta-desktop"


def app_version() -> str:
    namespace: dict[str, str] = {}
    exec((ROOT / "insighta_desktop" / "__init__.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    return f"{system}-{machine}"


def executable(dist: Path) -> Path:
    return dist / NAME / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def run_pyinstaller(dist: Path, work: Path, clean: bool) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, cwd=ROOT, check=True)


def make_archive(dist: Path, compresslevel: int = 6) -> Path:
    """A .tar.gz on Linux (keeps the executable bit), a .zip elsewhere."""
    folder = dist / NAME
    stem = dist / f"{NAME}-{app_version()}-{platform_tag()}"
    if sys.platform.startswith("linux"):
        archive = stem.with_name(stem.name + ".tar.gz")
        with tarfile.open(archive, "w:gz", compresslevel=compresslevel) as tar:
            tar.add(folder, arcname=NAME)
        return archive
    archive = stem.with_name(stem.name + ".zip")
    source = dist / "Insighta Desktop.app" if sys.platform == "darwin" else folder
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for path in sorted(source.rglob("*")):
            if path.is_symlink() or path.is_file():
                zf.write(path, path.relative_to(source.parent))
    return archive


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller work folder, reused between builds (default: build/pyinstaller/)")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="no .tar.gz/.zip archive")
    parser.add_argument("--no-deb", action="store_true", help="no Debian package (built on Linux when dpkg-deb is "
                                                               "installed)")
    parser.add_argument("--deb-compression", choices=("gzip", "xz", "zstd"), default="gzip",
                        help="gzip (default: fast, read by every dpkg), xz (smallest, for a release), zstd")
    args = parser.parse_args(argv)

    dist, work = args.dist.resolve(), args.work.resolve()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # PyInstaller's Qt hooks start Qt to find plugins
    started = time.perf_counter()
    run_pyinstaller(dist, work, args.clean)
    built = time.perf_counter()
    exe = executable(dist)
    if not exe.exists():
        print(f"build.py: PyInstaller finished but {exe} is missing", file=sys.stderr)
        return 1
    size = folder_size(dist / NAME)
    print(f"Bundle:  {exe}  ({size / 1e6:.1f} MB in {built - started:.1f} s)")
    if not args.no_archive:
        archive = make_archive(dist)
        print(f"Archive: {archive}  ({archive.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - built:.1f} s)")
    if sys.platform.startswith("linux") and not args.no_deb:
        if shutil.which("dpkg-deb") is None:
            print("Debian package: skipped, dpkg-deb is not installed")
            return 0
        started = time.perf_counter()
        try:
            deb = build_deb(dist / NAME, dist, app_version(), ROOT / "resources" / "icons",
                            compression=args.deb_compression)
        except DebError as exc:
            print(f"build.py: cannot build the Debian package: {exc}", file=sys.stderr)
            return 1
        print(f"Debian:  {deb}  ({deb.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
