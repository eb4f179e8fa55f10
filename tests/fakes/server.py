"""A small real HTTP server on 127.0.0.1 for fakes of remote services, scriptable to fail.

Each fake keeps a queue of faults per route; a request takes the next fault of its route (or answers
normally when the queue is empty). Faults: an error status with a JSON body and headers (429 with
Retry-After, 500, 503, ...), a slow answer, a dropped connection (before or after the request was
processed), a malformed body, and a stream that dies half-way.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Fault:
    kind: str  # status | slow | drop | drop_after | malformed | cut_stream
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def error(cls, status: int, body: Any = None, retry_after: float | None = None,
              headers: dict[str, str] | None = None) -> Fault:
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = f"{retry_after:g}"
        return cls("status", status=status, body=body, headers=extra)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer normally, but only after `seconds` (longer than the client's timeout)."""
        return cls("slow", delay=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without answering, before the request is processed."""
        return cls("drop")

    @classmethod
    def drop_after_processing(cls) -> Fault:
        """Process the request (e.g. deliver the email), then close without answering."""
        return cls("drop_after")

    @classmethod
    def malformed(cls, status: int = 200) -> Fault:
        return cls("malformed", status=status)

    @classmethod
    def cut_stream(cls) -> Fault:
        """Send the first chunk of a streamed answer, then drop the connection."""
        return cls("cut_stream")


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: list[bytes] | None = None  # server-sent events, written chunk by chunk


class FakeServer:
    """Subclasses implement `route(method, path) -> str | None` and `handle(route, recorded) -> Reply`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting ---------------------------------------------------------------------------
    def fail(self, route: str, *faults: Fault) -> None:
        with self._lock:
            self._faults[route].extend(faults)

    def fail_always(self, route: str, fault: Fault, times: int = 50) -> None:
        self.fail(route, *([fault] * times))

    def reset(self) -> None:
        """Forget scripted faults and recorded requests (subclasses also forget their state).

        Waits for requests still being served (a slow answer a test gave up on) so they cannot take
        the next test's scripted answers.
        """
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=5)
            self._faults.clear()
            self.requests.clear()

    def calls(self, route: str) -> list[Recorded]:
        return [r for r in list(self.requests) if self.route(r.method, r.path) == route]

    def _next_fault(self, route: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(route)
            return queue.popleft() if queue else None

    # --- to implement ------------------------------------------------------------------------
    def route(self, method: str, path: str) -> str | None:
        raise NotImplementedError

    def handle(self, route: str, recorded: Recorded) -> Reply:
        raise NotImplementedError

    def error_body(self, status: int) -> Any:
        return {"error": {"code": status, "message": f"HTTP {status}"}}

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._serve(self)

            def do_POST(self) -> None:
                fake._serve(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=type(self).__name__,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # --- serving -----------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self._in_flight += 1
        try:
            self._serve_one(h)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _serve_one(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = Recorded(h.command, parts.path, parts.query,
                            {k.lower(): v for k, v in h.headers.items()}, body)
        self.requests.append(recorded)
        route = self.route(h.command, parts.path)
        if route is None:
            self._write(h, Reply(404, self.error_body(404)))
            return
        fault = self._next_fault(route)
        if fault is not None and fault.kind == "drop":
            _drop(h)
            return
        if fault is not None and fault.kind == "status":
            self._write(h, Reply(fault.status, fault.body if fault.body is not None
                                 else self.error_body(fault.status), fault.headers))
            return
        if fault is not None and fault.kind == "malformed":
            _write_raw(h, fault.status, b'{"candidates": [{"content": {"parts": [{"te',
                       {"Content-Type": "application/json"})
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        reply = self.handle(route, recorded)
        if fault is not None and fault.kind == "drop_after":
            _drop(h)
            return
        if fault is not None and fault.kind == "cut_stream" and reply.stream:
            reply = Reply(reply.status, headers=reply.headers, stream=reply.stream[:1] + [None])  # type: ignore[list-item]
        self._write(h, reply)

    def _write(self, h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.stream is not None:
            h.send_response(reply.status)
            h.send_header("Content-Type", "text/event-stream")
            h.send_header("Transfer-Encoding", "chunked")
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            try:
                for chunk in reply.stream:
                    if chunk is None:
                        _drop(h)
                        return
                    h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    h.wfile.flush()
                h.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return
        payload = json.dumps(reply.body).encode() if reply.body is not None else b""
        _write_raw(h, reply.status, payload, {"Content-Type": "application/json", **reply.headers})


def _write_raw(h: BaseHTTPRequestHandler, status: int, payload: bytes, headers: dict[str, str]) -> None:
    try:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
    except OSError:
        pass


def _drop(h: BaseHTTPRequestHandler) -> None:
    h.close_connection = True
    try:
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
