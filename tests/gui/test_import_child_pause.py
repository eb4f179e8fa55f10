"""An import's child process steps aside for a Profiles search: paused (SIGSTOP) while the search is in flight and
resumed when its answer is on screen; never paused longer than MAX_PAUSE_MS; not paused again until it has run a
while; Cancel still stops a paused child within a second; a paused run's owner is still alive (SQLite and
PostgreSQL)."""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from insighta_desktop.ingest.ownership import owner_alive
from insighta_desktop.ingest.runs import get_run
from insighta_desktop.profiles.filters import build_filters
from insighta_desktop.ui.imports import child_pause
from insighta_desktop.ui.imports.child_pause import ChildPause
from insighta_desktop.ui.profiles.tab import ProfilesTab
from insighta_desktop.ui.shared.foreground import FOREGROUND, ForegroundWork
from insighta_desktop.ui.shared.tasks import TaskRunner
from tests.gui.test_import_tab import drop, write_file

pytestmark = pytest.mark.skipif(not child_pause.PAUSE_SUPPORTED or not Path("/proc/self/stat").exists(),
                                reason="pausing uses SIGSTOP; the test reads the process state from /proc")


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("T", "t")


def wait_until_stopped(pid: int, want: bool, timeout: float = 2.0) -> bool:
    """Whether the process reached the state within the timeout (a signal takes effect when the kernel delivers it)."""
    deadline = time.monotonic() + timeout
    while stopped(pid) != want:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.fixture(autouse=True)
def foreground_left_idle():
    yield
    assert not FOREGROUND.active, "a test left foreground work marked"


@pytest.fixture
def tab(make_import_tab):
    return make_import_tab(1100, 760)


def start_big_import(tab, qloop, tmp_path, rows: int = 200_000):
    path = write_file(tmp_path / "big.csv", rows, bad_every=1000)
    drop(tab, [path])
    qloop.until(lambda: tab.stack.currentWidget() is tab.preview_panel, message="preview")
    tab.batch_size = 5_000
    tab.start_import()
    job = tab.job
    seen: list[int] = []
    job.progress.connect(lambda p: seen.append(p.bytes_done))
    qloop.until(lambda: seen and seen[-1] > 0, timeout=60, message="the first batch")
    return job, seen


def test_a_search_pauses_the_child_until_its_answer_is_shown(tab, qtbot, qloop, app_context, tmp_path):
    profiles = ProfilesTab(app_context, TaskRunner())
    qtbot.addWidget(profiles)
    job, _seen = start_big_import(tab, qloop, tmp_path, rows=60_000)
    states: list[tuple[bool, bool, bool]] = []  # (search in flight, pause says paused, the process is stopped)
    unsubscribe = FOREGROUND.subscribe(  # after the job's own listener: sees the state the job left
        lambda active: states.append((active, job.pause.paused, wait_until_stopped(job.pid, active))))
    try:
        qloop.run(profiles.run_search(build_filters(min_age=30)))
    finally:
        unsubscribe()
    assert states == [(True, True, True), (False, False, True)]
    assert profiles.result is not None
    qloop.until(lambda: tab.last_summary is not None, timeout=90, message="import finished")
    summary = tab.last_summary
    assert (summary.status, summary.total_rows, summary.inserted, summary.skipped) == ("success", 60_000, 59_940, 60)


def test_cancel_stops_a_paused_child_within_a_second_and_its_owner_looked_alive(tab, qloop, tmp_path):
    job, _seen = start_big_import(tab, qloop, tmp_path)
    mark = FOREGROUND.begin()
    try:
        assert job.pause.paused and wait_until_stopped(job.pid, True)
        time.sleep(0.2)
        run = get_run(tab._ctx.engine, job.run_id)
        assert run is not None and run.status == "running"
        assert owner_alive(tab._ctx.engine, run, lambda: datetime.now(UTC))  # paused is not dead
        ended: list[float] = []
        job.process.finished.connect(lambda *_: ended.append(time.monotonic()))
        clicked = time.monotonic()
        tab.progress_panel.cancel_button.click()
        assert not job.pause.paused
        qloop.until(lambda: tab.last_summary is not None, timeout=30, message="cancelled import")
    finally:
        mark.end()
    assert ended and ended[0] - clicked <= 1.0, f"the child ran {ended[0] - clicked:.2f} s after Cancel"
    assert tab.last_summary.status == "cancelled"
    run = get_run(tab._ctx.engine, job.run_id)
    assert run is not None and run.status == "cancelled"


def test_a_pause_ends_after_the_maximum_even_while_the_search_runs(tab, qloop, tmp_path):
    job, seen = start_big_import(tab, qloop, tmp_path)
    mark = FOREGROUND.begin()
    try:
        began = time.monotonic()
        assert wait_until_stopped(job.pid, True)
        qloop.until(lambda: not job.pause.paused, timeout=child_pause.MAX_PAUSE_MS / 1000 + 2, message="resumed")
        took = time.monotonic() - began
        assert child_pause.MAX_PAUSE_MS / 1000 - 0.05 <= took <= child_pause.MAX_PAUSE_MS / 1000 + 1.0
        assert wait_until_stopped(job.pid, False)
        done = seen[-1]
        qloop.until(lambda: seen[-1] > done, timeout=30, message="the import going on with the search in flight")
    finally:
        mark.end()
    tab.cancel_import()
    qloop.until(lambda: not tab.busy, timeout=30, message="cancelled")


def test_a_child_runs_a_while_between_pauses_and_is_resumed_when_closed(qtbot):
    work = ForegroundWork()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pause = ChildPause(lambda: sleeper.pid, work, max_pause_ms=60_000, min_run_ms=400)
    try:
        pause.listen()
        work.begin().end()  # one search: paused, then resumed
        assert pause.pauses == 1 and not pause.paused and wait_until_stopped(sleeper.pid, False)
        mark = work.begin()  # another at once: the child has not run its minimum yet
        assert not pause.paused
        mark.end()
        time.sleep(0.45)
        mark = work.begin()
        assert pause.paused and wait_until_stopped(sleeper.pid, True)
        pause.close()  # the job going away: resumed, and deaf to what follows
        assert not pause.paused and wait_until_stopped(sleeper.pid, False)
        mark.end()
        work.begin().end()
        assert pause.pauses == 2
    finally:
        sleeper.kill()
        sleeper.wait()
        pause.deleteLater()
