"""The system libraries Qt's xcb platform plugin needs on Linux, checked before Qt is loaded.

PySide6's wheels bundle Qt but not the X11/OpenGL libraries its xcb plugin links against. On a fresh desktop
install some are missing (libxcb-cursor0 most often), and Qt then prints a screenful about plugins and aborts.
This check names the missing packages and the command that installs them instead. No Qt here.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

EXIT_MISSING_LIBRARIES = 3
WAYLAND_PLATFORMS = frozenset({"wayland", "wayland-egl", "wayland-brcm"})


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    debian: str  # the Debian/Ubuntu package that ships it
    fedora: str  # the Fedora/RHEL package that ships it


# What PySide6's plugins/platforms/libqxcb.so and the Qt libraries it loads (QtXcbQpa, QtGui, QtDBus) link from the
# system, from `ldd` on PySide6 6.x: everything except glibc, libstdc++ and libraries present on any desktop.
XCB_LIBRARIES: tuple[SystemLibrary, ...] = (
    SystemLibrary("libxcb-cursor.so.0", "libxcb-cursor0", "xcb-util-cursor"),
    SystemLibrary("libxcb-icccm.so.4", "libxcb-icccm4", "xcb-util-wm"),
    SystemLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1", "xcb-util-keysyms"),
    SystemLibrary("libxcb-image.so.0", "libxcb-image0", "xcb-util-image"),
    SystemLibrary("libxcb-render-util.so.0", "libxcb-render-util0", "xcb-util-renderutil"),
    SystemLibrary("libxcb-util.so.1", "libxcb-util1", "xcb-util"),
    SystemLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0", "libxkbcommon-x11"),
    SystemLibrary("libxkbcommon.so.0", "libxkbcommon0", "libxkbcommon"),
    SystemLibrary("libxcb-randr.so.0", "libxcb-randr0", "libxcb"),
    SystemLibrary("libxcb-render.so.0", "libxcb-render0", "libxcb"),
    SystemLibrary("libxcb-shape.so.0", "libxcb-shape0", "libxcb"),
    SystemLibrary("libxcb-shm.so.0", "libxcb-shm0", "libxcb"),
    SystemLibrary("libxcb-sync.so.1", "libxcb-sync1", "libxcb"),
    SystemLibrary("libxcb-xfixes.so.0", "libxcb-xfixes0", "libxcb"),
    SystemLibrary("libxcb-xkb.so.1", "libxcb-xkb1", "libxcb"),
    SystemLibrary("libxcb.so.1", "libxcb1", "libxcb"),
    SystemLibrary("libX11-xcb.so.1", "libx11-xcb1", "libX11-xcb"),
    SystemLibrary("libX11.so.6", "libx11-6", "libX11"),
    SystemLibrary("libEGL.so.1", "libegl1", "libglvnd-egl"),
    SystemLibrary("libGL.so.1", "libgl1", "libglvnd-glx"),
    SystemLibrary("libfontconfig.so.1", "libfontconfig1", "fontconfig"),
    SystemLibrary("libfreetype.so.6", "libfreetype6", "freetype"),
    SystemLibrary("libdbus-1.so.3", "libdbus-1-3", "dbus-libs"),
    SystemLibrary("libglib-2.0.so.0", "libglib2.0-0", "glib2"),
)


def needs_xcb(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will load its xcb plugin: on Linux, when xcb is the platform Qt gets to in QT_QPA_PLATFORM's list
    (default: xcb, or wayland then xcb in a Wayland session). Wayland is passed over when there is no display."""
    env = os.environ if env is None else env
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:  # "wayland;xcb", "xcb:option=value"
        candidates = [name.split(":")[0].strip().lower() for name in chosen.split(";")]
    elif env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        candidates = ["wayland", "xcb"]
    else:
        candidates = ["xcb"]
    for name in candidates:
        if name in WAYLAND_PLATFORMS and not env.get("WAYLAND_DISPLAY"):
            continue  # Qt tries the next one
        return name == "xcb"  # any other platform (offscreen, minimal, eglfs, …) needs no X11 library
    return False


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)  # the dynamic loader's own search, as it will be when Qt loads the plugin
    except OSError:
        return False
    return True


def missing_libraries(libraries: Iterable[SystemLibrary] | None = None,
                      loads: Callable[[str], bool] = _loads) -> list[SystemLibrary]:
    """Those of `libraries` (default: XCB_LIBRARIES) the dynamic loader cannot load."""
    return [lib for lib in (XCB_LIBRARIES if libraries is None else libraries) if not loads(lib.soname)]


def missing_message(missing: Iterable[SystemLibrary]) -> str:
    """One message: what is missing, and the command that installs it on Debian/Ubuntu and on Fedora."""
    missing = list(missing)
    debian = " ".join(dict.fromkeys(lib.debian for lib in missing))
    fedora = " ".join(dict.fromkeys(lib.fedora for lib in missing))
    sonames = ", ".join(lib.soname for lib in missing)
    return (f"Insighta Desktop cannot open its window: the system libraries Qt needs for X11 are missing "
            f"({sonames}). Install them and start again:\n"
            f"  Debian/Ubuntu: sudo apt install {debian}\n"
            f"  Fedora:        sudo dnf install {fedora}")


def check_before_qt(env: Mapping[str, str] | None = None, libraries: Iterable[SystemLibrary] | None = None,
                    loads: Callable[[str], bool] = _loads) -> str | None:
    """The message to show instead of starting Qt, or None when Qt can start."""
    if not needs_xcb(env):
        return None
    missing = missing_libraries(libraries, loads)
    return missing_message(missing) if missing else None
