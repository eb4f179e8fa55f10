"""Before Qt starts on Linux: the X11 libraries its xcb plugin needs, and one clear message when one is missing."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from insighta_desktop.system_libraries import (
    EXIT_MISSING_LIBRARIES,
    XCB_LIBRARIES,
    SystemLibrary,
    check_before_qt,
    missing_libraries,
    missing_message,
    needs_xcb,
)

FAKE = SystemLibrary("libinsighta-not-installed.so.0", "libinsighta-fake0", "insighta-fake")
PRESENT = SystemLibrary("libc.so.6", "libc6", "glibc")


def test_a_missing_soname_is_found_and_a_present_one_is_not():
    assert missing_libraries([PRESENT, FAKE]) == [FAKE]


def test_the_message_names_the_libraries_and_both_install_commands_once():
    cursor = next(lib for lib in XCB_LIBRARIES if lib.soname == "libxcb-cursor.so.0")
    shape = next(lib for lib in XCB_LIBRARIES if lib.soname == "libxcb-shape.so.0")
    xkb = next(lib for lib in XCB_LIBRARIES if lib.soname == "libxcb-xkb.so.1")
    message = missing_message([cursor, shape, xkb])
    assert "libxcb-cursor.so.0" in message
    assert "sudo apt install libxcb-cursor0 libxcb-shape0 libxcb-xkb1" in message
    assert message.endswith("sudo dnf install xcb-util-cursor libxcb")  # one package, named once


@pytest.mark.parametrize(("env", "expected"), [
    ({}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb:nograb"}, True),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "minimal"}, False),
    ({"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, True),  # no Wayland display: Qt falls back to xcb
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"XDG_SESSION_TYPE": "x11"}, True),
])
def test_which_platforms_need_the_x11_libraries_on_linux(env, expected):
    assert needs_xcb(env, platform="linux") is expected


def test_no_check_off_linux_or_when_nothing_is_missing():
    assert not needs_xcb({}, platform="win32") and not needs_xcb({}, platform="darwin")
    assert check_before_qt({"QT_QPA_PLATFORM": "offscreen"}, [FAKE]) is None
    assert check_before_qt({"QT_QPA_PLATFORM": "xcb"}, [PRESENT]) is None
    assert "libinsighta-fake0" in check_before_qt({"QT_QPA_PLATFORM": "xcb"}, [PRESENT, FAKE])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb platform exists on Linux only")
def test_the_app_exits_with_one_message_before_qt_is_loaded(tmp_path):
    script = textwrap.dedent("""
        import sys
        from insighta_desktop import system_libraries
        system_libraries.XCB_LIBRARIES = (
            system_libraries.SystemLibrary("libinsighta-not-installed.so.0", "libinsighta-fake0", "insighta-fake"),)
        from insighta_desktop.app import main
        code = main(["--no-demo"])
        print("PySide6 loaded" if "PySide6" in sys.modules else "no Qt", code)
    """)
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "xcb", "INSIGHTA_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split() == ["no", "Qt", str(EXIT_MISSING_LIBRARIES)]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert "libinsighta-not-installed.so.0" in lines[0]
    assert lines[1].strip() == "Debian/Ubuntu: sudo apt install libinsighta-fake0"
    assert lines[2].strip() == "Fedora:        sudo dnf install insighta-fake"
    assert "qt.qpa" not in result.stderr and "plugin" not in result.stderr
