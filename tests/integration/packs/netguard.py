"""Record every socket connection while a block runs: the proof that opening a review pack stays offline."""
from __future__ import annotations

import contextlib
import ipaddress
import sys

_recorded: list[tuple[str, object]] = []
_state = {"installed": False, "active": 0}


def _hook(event: str, args: tuple) -> None:
    if _state["active"] and event in ("socket.connect", "socket.getaddrinfo"):
        _recorded.append((event, args[1] if event == "socket.connect" else args[:2]))


def is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"
    return isinstance(address, (str, bytes))  # a Unix socket path stays on this machine


@contextlib.contextmanager
def watch_network():
    """Yield the list of (event, address) seen from any thread while the block runs."""
    if not _state["installed"]:
        sys.addaudithook(_hook)  # an audit hook cannot be removed; this one records only inside a block
        _state["installed"] = True
    _recorded.clear()
    _state["active"] += 1
    try:
        yield _recorded
    finally:
        _state["active"] -= 1
