"""`insighta-desktop --self-test`: open the main window headless, run the core checks, print a line each, exit.

Everything happens in a temporary folder (database, settings, logs), so the user's own data is never touched.
"""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from insighta_desktop import __version__
from insighta_desktop.config import AppPaths, CredentialStore
from insighta_desktop.selftest import FAIL, PASS, CheckFailed, CheckResult, core_checks, run_check, verdict

if TYPE_CHECKING:
    import argparse

    from insighta_desktop.context import AppContext
    from insighta_desktop.ui.main_window import MainWindow

TIMEOUT_S = 180.0
TAB_NAMES = ("Profiles", "Import", "Interviews")


def _output() -> TextIO:
    """stdout; a windowed Windows build has none, so the report goes to the user's log folder instead."""
    if sys.stdout is not None:
        return sys.stdout
    log_dir = AppPaths.default().ensure().log_dir
    return (log_dir / "self-test.txt").open("w", encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = _output()
    with tempfile.TemporaryDirectory(prefix="insighta-self-test-") as tmp:
        return _run(Path(tmp), out)


def _emit(out: TextIO, result: CheckResult, results: list[CheckResult]) -> None:
    results.append(result)
    print(result.line(), file=out, flush=True)


def _run(workdir: Path, out: TextIO) -> int:
    import qasync

    from insighta_desktop.context import open_context
    from insighta_desktop.logging_setup import setup_logging
    from insighta_desktop.ui.app import create_application

    print(f"Insighta Desktop {__version__} self-test ({'packaged' if getattr(sys, 'frozen', False) else 'source'}, "
          f"Qt platform {os.environ['QT_QPA_PLATFORM']})", file=out, flush=True)
    paths = AppPaths.under(workdir / "home").ensure()
    os.environ["INSIGHTA_HOME"] = str(workdir / "home")  # anything that asks for the default paths stays here too
    setup_logging(verbose=False)
    app = create_application()
    results: list[CheckResult] = []
    try:
        ctx = open_context(f"sqlite:///{(paths.data_dir / 'self-test.db').as_posix()}", paths=paths,
                           credentials=CredentialStore())
    except Exception as exc:
        _emit(out, CheckResult("database", FAIL, f"{type(exc).__name__}: {exc}", 0.0), results)
        print(verdict(results)[1], file=out, flush=True)
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            loop.run_until_complete(asyncio.wait_for(_checks(ctx, workdir, out, results), TIMEOUT_S))
    except TimeoutError:
        _emit(out, CheckResult("timeout", FAIL, f"the self-test did not finish within {TIMEOUT_S:.0f} s", TIMEOUT_S),
              results)
    finally:
        ctx.close()
    code, summary = verdict(results)
    print(summary, file=out, flush=True)
    return code


async def _checks(ctx: AppContext, workdir: Path, out: TextIO, results: list[CheckResult]) -> None:
    from insighta_desktop.ui.main_window import MainWindow

    started = time.perf_counter()
    window = None
    try:
        window = MainWindow(ctx, load_demo_on_first_run=False)
        window.show()
        await asyncio.sleep(0)
        for index in range(window.tabs.count()):  # each tab is built on its first visit: build them all
            window.tabs.setCurrentIndex(index)
        window.tabs.setCurrentIndex(0)
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        missing = [t for t in TAB_NAMES if t not in titles]
        if missing or len(window.built_tabs()) != len(TAB_NAMES) or window.grab().isNull():
            raise CheckFailed(f"tabs {titles}, missing {missing}, built {len(window.built_tabs())}")
        _emit(out, CheckResult("main window", PASS, f"opened with tabs {', '.join(titles)}",
                               time.perf_counter() - started), results)
    except Exception as exc:
        _emit(out, CheckResult("main window", FAIL, f"{type(exc).__name__}: {exc}", time.perf_counter() - started),
              results)
    for name, check in core_checks(ctx, workdir):
        _emit(out, await asyncio.to_thread(run_check, name, check), results)
    if window is not None:
        started = time.perf_counter()
        await _refresh_window(window, out, results, started)
        window.close()


async def _refresh_window(window: MainWindow, out: TextIO, results: list[CheckResult], started: float) -> None:
    """With the data loaded, the tabs reload from the database without an error."""
    errors: list[BaseException] = []
    window.tasks._on_error = errors.append  # collect, rather than open an error dialog nobody can close
    window.refresh_tabs()
    deadline = time.monotonic() + 30
    while window.tasks.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    image = window.grab()
    if errors or image.isNull():
        detail = f"{type(errors[0]).__name__}: {errors[0]}" if errors else "the window could not be rendered"
        _emit(out, CheckResult("window data", FAIL, detail, time.perf_counter() - started), results)
        return
    _emit(out, CheckResult("window data", PASS, f"tabs reloaded the demo data, rendered {image.width()}×"
                                                f"{image.height()}", time.perf_counter() - started), results)
