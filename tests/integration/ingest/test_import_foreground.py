"""While the person works in the window that started an import (it paused the import for a search a moment ago),
the import keeps one batch at a time on the server, so that a server on the same machine leaves a core for their
searches; otherwise PostgreSQL takes two batches at once. The child learns of the pauses from the SIGCONT that ends
each one (cli/background.py: ForegroundSignal)."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from ingest_files import write_csv

from insighta_desktop.cli.background import FOREGROUND_HOLD_S, ForegroundSignal
from insighta_desktop.db.engine import create_engine_for
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.writer import BatchWriter


def most_batches_at_once(monkeypatch, url: str, tmp_path, foreground) -> tuple[int, int]:
    """(the most batches written at once, profiles inserted) for an import of 8 batches."""
    original = BatchWriter.write
    lock = threading.Lock()
    now, most = [0], [0]

    def write(self, *args, **kwargs):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        try:
            time.sleep(0.05)  # long enough for the next batch to be handed out, if it may be
            return original(self, *args, **kwargs)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(BatchWriter, "write", write)
    rows = [[f"Busy Person {i}", "female", str(20 + i % 40), "KE", "0.9", "0.7"] for i in range(400)]
    path = write_csv(tmp_path / "people.csv", rows)
    engine = create_engine_for(url)
    try:
        summary = Importer(engine).run(path, ImportOptions(batch_size=50, rejects_path=tmp_path / "r.csv"),
                                       foreground=foreground)
    finally:
        engine.dispose()
    return most[0], summary.inserted


def test_one_batch_at_a_time_while_the_person_works(ready_pg_url, tmp_path, monkeypatch):
    assert most_batches_at_once(monkeypatch, ready_pg_url, tmp_path, lambda: True) == (1, 400)


def test_two_batches_at_once_otherwise(ready_pg_url, tmp_path, monkeypatch):
    assert most_batches_at_once(monkeypatch, ready_pg_url, tmp_path, lambda: False) == (2, 400)


def test_the_signal_holds_for_a_while_after_each_pause():
    clock = [100.0]
    foreground = ForegroundSignal(clock=lambda: clock[0])
    assert not foreground()
    foreground.resumed()
    assert foreground()
    clock[0] += FOREGROUND_HOLD_S - 0.1
    assert foreground()
    clock[0] += 0.2
    assert not foreground()


@pytest.mark.skipif(not hasattr(signal, "SIGCONT"), reason="no SIGCONT on this platform (no pauses either)")
def test_the_signal_hears_sigcont():
    previous = signal.getsignal(signal.SIGCONT)
    foreground = ForegroundSignal()
    try:
        assert foreground.install()
        os.kill(os.getpid(), signal.SIGCONT)
        deadline = time.monotonic() + 2
        while not foreground() and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler runs on the main thread at its next instruction
        assert foreground()
    finally:
        signal.signal(signal.SIGCONT, previous)
