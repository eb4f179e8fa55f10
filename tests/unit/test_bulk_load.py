"""Bulk loads of long-lived rows run with the cycle collector off (ui/shared/bulk_load.py): off while any load is
under way, on again when the last one ends, and left alone when something else had turned it off."""
from __future__ import annotations

import gc
import threading

from insighta_desktop.ui.shared.bulk_load import built_without_collections


def test_collections_are_off_during_the_load_and_on_after():
    assert gc.isenabled()
    seen = built_without_collections(lambda: gc.isenabled())
    assert seen is False
    assert gc.isenabled()


def test_on_again_only_when_the_last_of_overlapping_loads_ends():
    first_in, release_first = threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def slow() -> None:
        first_in.set()
        release_first.wait(5)

    worker = threading.Thread(target=built_without_collections, args=(slow,))
    worker.start()
    assert first_in.wait(5)
    built_without_collections(lambda: None)  # a second load ends while the first goes on
    states["after the second"] = gc.isenabled()
    release_first.set()
    worker.join(5)
    states["after both"] = gc.isenabled()
    assert states == {"after the second": False, "after both": True}


def test_an_exception_still_turns_them_back_on():
    def fail() -> None:
        raise ValueError("bad file")

    try:
        built_without_collections(fail)
    except ValueError:
        pass
    assert gc.isenabled()


def test_left_off_when_something_else_turned_them_off():
    gc.disable()
    try:
        assert built_without_collections(lambda: 42) == 42
        assert not gc.isenabled()
    finally:
        gc.enable()
