"""When an assessment's owner counts as gone, and how a refusal names it."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from insighta_desktop.db.assessment_claims import Claim, Owner
from insighta_desktop.interviews.ownership import (
    HEARTBEAT_INTERVAL,
    describe_owner,
    owner_is_gone,
    pid_alive,
    this_process,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ME = Owner("desk-1", os.getpid())


def claim(owner: Owner | None, heard: timedelta | None) -> Claim:
    seen = NOW - heard if heard is not None else None
    return Claim("a1", "generating", owner, seen, seen, seen)


def exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_pid_alive_tells_a_running_process_from_an_exited_one():
    assert pid_alive(os.getpid()) and pid_alive(os.getppid())
    assert not pid_alive(exited_pid())
    assert not pid_alive(0) and not pid_alive(-5)


def test_same_host_dead_process_is_gone_at_once():
    assert owner_is_gone(claim(Owner("desk-1", exited_pid()), timedelta(seconds=0)), NOW, ME)


def test_a_live_owner_is_gone_only_when_silent_for_two_intervals():
    alive = Owner("desk-1", os.getppid())
    assert not owner_is_gone(claim(alive, 2 * HEARTBEAT_INTERVAL), NOW, ME)
    assert owner_is_gone(claim(alive, 2 * HEARTBEAT_INTERVAL + timedelta(seconds=1)), NOW, ME)
    remote = Owner("desk-2", exited_pid())  # another computer's process ids say nothing here
    assert not owner_is_gone(claim(remote, timedelta(seconds=5)), NOW, ME)
    assert owner_is_gone(claim(remote, timedelta(seconds=31)), NOW, ME, interval=timedelta(seconds=15))


def test_this_process_is_alive_while_it_beats():
    assert not owner_is_gone(claim(ME, timedelta(seconds=3)), NOW, ME)
    assert owner_is_gone(claim(ME, timedelta(minutes=2)), NOW, ME)  # a previous process given the same id


def test_unowned_rows_keep_the_five_minute_rule():
    assert not owner_is_gone(claim(None, timedelta(minutes=4)), NOW, ME)
    assert owner_is_gone(claim(None, timedelta(minutes=5)), NOW, ME)
    assert owner_is_gone(claim(None, None), NOW, ME)


def test_refusals_name_the_owner_in_words():
    assert describe_owner(claim(Owner("desk-2", 4242), timedelta(seconds=8)), NOW, ME) == \
        "the app on desk-2 (process 4242, heard from 8 s ago)"
    assert describe_owner(claim(Owner("desk-1", 77), timedelta(seconds=1)), NOW, ME) == \
        "the app on this computer (process 77, heard from 1 s ago)"
    assert describe_owner(claim(ME, timedelta(0)), NOW, ME) == f"this window (process {ME.pid}, heard from 0 s ago)"
    assert describe_owner(claim(None, None), NOW, ME) == "another copy of the app"
    assert this_process().pid == os.getpid()
