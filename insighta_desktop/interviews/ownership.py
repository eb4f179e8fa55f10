"""Whether the app generating an assessment is still there: same host and its process gone, or silent too long.

The owner refreshes its heartbeat every `HEARTBEAT_INTERVAL` while it generates; one silent for twice that long
is gone whatever its host (it may be another computer, or a process id the system has given to someone else).
A row written by a version that recorded no owner keeps that version's rule: gone after five minutes.
"""
from __future__ import annotations

import os
import socket
import sys
from datetime import datetime, timedelta

from insighta_desktop.db.assessment_claims import Claim, Owner

HEARTBEAT_INTERVAL = timedelta(seconds=15)
UNOWNED_STALE_AFTER = timedelta(minutes=5)


def this_process() -> Owner:
    return Owner(socket.gethostname()[:255], os.getpid())


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this computer (one we may not signal counts)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only the existence and permission checks run
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    # os.kill on Windows terminates the process, whatever the signal: ask the kernel instead.
    import ctypes

    process_query_limited_information, still_active = 0x1000, 259
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def owner_is_gone(claim: Claim, now: datetime, me: Owner, interval: timedelta = HEARTBEAT_INTERVAL) -> bool:
    """May `me` take over the assessment `claim` is generating?"""
    seen = claim.last_sign_of_life
    if claim.owner is None:
        return seen is None or now - seen >= UNOWNED_STALE_AFTER
    if claim.owner.host == me.host and claim.owner.pid != me.pid and not pid_alive(claim.owner.pid):
        return True
    return seen is None or now - seen > 2 * interval


def describe_owner(claim: Claim, now: datetime, me: Owner) -> str:
    """"the app on laptop-7 (process 4242, heard from 8 s ago)", for the message that refuses a second run."""
    seen = claim.last_sign_of_life
    ago = [f"heard from {max(0, int((now - seen).total_seconds()))} s ago"] if seen is not None else []
    if claim.owner is None:
        who, details = "another copy of the app", ago
    elif claim.owner == me:
        who, details = "this window", [f"process {me.pid}", *ago]
    else:
        where = "this computer" if claim.owner.host == me.host else claim.owner.host
        who, details = f"the app on {where}", [f"process {claim.owner.pid}", *ago]
    return f"{who} ({', '.join(details)})" if details else who
