"""A run's owner: the heartbeat timer, the lock that makes a second owner impossible, the history's view of a
running run (interrupted at once when its owner is gone), and the pid/heartbeat rule where no lock can be taken."""
from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from insighta_desktop.ingest import runs
from insighta_desktop.ingest.ownership import (
    RunOwner,
    owner_alive_without_lock,
    shown_state,
    this_host,
)


def new_run(engine):
    now = datetime.now(UTC)
    return runs.create_run(engine, file_name="/tmp/x.csv", file_size=1, sha256="0" * 64, encoding="utf-8",
                           batch_size=10, rejects_path=None, now=now)


def test_owner_lock_heartbeat_and_history_state(db):
    run_id = new_run(db)
    owner = RunOwner(db, run_id, now=lambda: datetime.now(UTC), interval=0.05)
    assert owner.try_acquire()
    owner.claim()
    try:
        record = runs.get_run(db, run_id)
        assert (record.owner_host, record.owner_pid) == (this_host(), os.getpid())
        first_beat = record.heartbeat_at
        deadline = time.monotonic() + 5
        while runs.get_run(db, run_id).heartbeat_at == first_beat and time.monotonic() < deadline:
            time.sleep(0.02)
        assert runs.get_run(db, run_id).heartbeat_at > first_beat, "the timer beats between batches"
        rival = RunOwner(db, run_id, now=lambda: datetime.now(UTC))
        assert not rival.try_acquire(), "a second owner of a run is impossible"
        assert shown_state(db, runs.get_run(db, run_id), datetime.now(UTC)) == ("running", False)
    finally:
        owner.release()
    # The owner is gone (no finish recorded, as after a crash): interrupted and resumable at once.
    assert shown_state(db, runs.get_run(db, run_id), datetime.now(UTC)) == ("interrupted", True)
    again = RunOwner(db, run_id, now=lambda: datetime.now(UTC))
    assert again.try_acquire()
    again.release()


def test_pid_and_heartbeat_rule_without_a_lock(db):
    now = datetime.now(UTC)
    record = runs.get_run(db, new_run(db))
    alive_here = replace(record, owner_host=this_host(), owner_pid=os.getppid(), heartbeat_at=now)
    assert owner_alive_without_lock(alive_here, now)
    dead_here = replace(alive_here, owner_pid=2 ** 22 + 12345)  # above any pid_max: no such process
    assert not owner_alive_without_lock(dead_here, now)
    elsewhere = replace(alive_here, owner_host="another-host", owner_pid=1)
    assert owner_alive_without_lock(elsewhere, now + timedelta(seconds=10))
    assert not owner_alive_without_lock(elsewhere, now + timedelta(minutes=1))
    legacy = replace(record, owner_pid=None, updated_at=now)
    assert owner_alive_without_lock(legacy, now + timedelta(minutes=1))
    assert not owner_alive_without_lock(legacy, now + timedelta(minutes=3))
