"""PySide6 must not drop references to True and None.

PySide6 6.12.0 released one reference to True on every Signal.emit() and one to None on QtCore calls such as
QTimer.start or QThread.quit. The app emits thousands of signals (qasync wakes the loop with one per finished
worker-thread call, an import reports progress ten times a second), so the count of True reached zero and the
process died with "Fatal Python error: bool_dealloc" — at interpreter exit in the test suite, mid-session in a long
app run. pyproject.toml excludes that release; these tests fail on any release with the same fault.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QThread, QTimer, Signal

CALLS = 2_000


class Emitter(QObject):
    changed = Signal(object)


def lost_references(obj: object, call) -> int:
    before = sys.getrefcount(obj)
    for _ in range(CALLS):
        call()
    return before - sys.getrefcount(obj)


def test_emitting_a_signal_keeps_the_references_to_true(qapp):
    emitter = Emitter()
    received: list[object] = []
    emitter.changed.connect(received.append)
    # Other threads may move the count a little; the fault loses exactly one reference per call.
    assert lost_references(True, lambda: emitter.changed.emit(1)) < CALLS // 2
    assert len(received) == CALLS


def test_qtcore_calls_keep_the_references_to_none(qapp):
    timer, thread = QTimer(), QThread()  # owned by Python: deleted with these names
    assert lost_references(None, lambda: timer.setInterval(5)) < CALLS // 2
    assert lost_references(None, timer.stop) < CALLS // 2
    assert lost_references(None, thread.quit) < CALLS // 2
