"""Building many objects that live on (a table's rows) without the cycle collector running meanwhile.

Each collection of the oldest generation walks every object the session holds, and while it runs no thread of the
process runs Python: the window's event loop stalls. Loading a run's 49,000 rejected rows (an editable row object,
its values and texts each) set off four such collections one after another, 26, 71, 84 and 131 ms long, as the
objects piled up (tests/benchmarks/bench_import.py --gui-only, the moments after the import ended). The rows are
plain data, freed by reference counting when the table lets them go: nothing for the collector to find meanwhile.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_loads = [0]  # loads under way (worker threads may overlap): the collector is back on when the last one ends


def built_without_collections(build: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`build(*args, **kwargs)` with automatic collections off (if they were on), for any thread."""
    with _lock:
        if _loads[0] == 0 and not gc.isenabled():
            return build(*args, **kwargs)  # someone else turned it off: leave it as it is
        _loads[0] += 1
        gc.disable()
    try:
        return build(*args, **kwargs)
    finally:
        with _lock:
            _loads[0] -= 1
            if _loads[0] == 0:
                gc.enable()
