"""An import child the window left paused (SIGSTOP) is not stopped forever when the window dies: on Linux the kernel
continues it (its parent-death signal is SIGCONT), it finds its stdin closed and cancels, its run resumable. SQLite and
PostgreSQL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from insighta_desktop.ingest.child_command import child_environment, import_command
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.runs import get_run
from tests.integration.ingest.test_import_progress_json import write_people

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")

# The window: starts the child with its stdin on a pipe only the window holds, says the child's pid, then waits.
WINDOW = """
import json, subprocess, sys, time
cmd, env, out = json.loads(sys.argv[1])
child = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=open(out, "wb"), stderr=subprocess.DEVNULL)
print(child.pid, flush=True)
time.sleep(120)
"""


def state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def wait_for(predicate, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.01)


def run_id_in(out: Path, rows_done: bool = False) -> int | None:
    """The child's run, from its progress lines (with `rows_done`: once a batch of it is committed)."""
    for line in out.read_text().splitlines():
        try:
            data = json.loads(line)
        except ValueError:  # the line being written
            continue
        if data.get("run_id") is not None and (data.get("total_rows", 0) > 0 or not rows_done):
            return int(data["run_id"])
    return None


def test_a_paused_child_of_a_dead_window_continues_and_cancels(db, db_url, tmp_path):
    path, out = tmp_path / "people.csv", tmp_path / "child.out"
    write_people(path, 200_000)
    cmd = import_command(path, ImportOptions(batch_size=500))
    window = subprocess.Popen([sys.executable, "-c", WINDOW, json.dumps(
        [cmd, child_environment(db_url, tmp_path / "home"), str(out)])], stdout=subprocess.PIPE)
    try:
        assert window.stdout is not None
        pid = int(window.stdout.readline())
        wait_for(lambda: out.exists() and run_id_in(out, rows_done=True) is not None, 60, "the child's first batch")
        os.kill(pid, signal.SIGSTOP)
        wait_for(lambda: state(pid) in ("T", "t"), 10, "the child stopped")
    finally:
        window.kill()
        window.wait()
    wait_for(lambda: state(pid) in (None, "Z"), 60, "the orphaned child to continue and end")
    run = get_run(db, run_id_in(out))
    assert run is not None and run.status == "cancelled" and 0 < run.total_rows < 200_000
