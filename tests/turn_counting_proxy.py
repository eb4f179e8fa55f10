"""A TCP proxy on 127.0.0.1 that counts round trips instead of adding latency: a round trip is the server answering
after the client has sent something. Pipelined statements are one round trip however many there are; a server's
unprompted message (a NOTIFY) is none, nor is a message nobody waits for (the client's goodbye). The server's data
reaches the client `delay` seconds late, as over a link: a client that sends its next message without waiting for
an answer (pipelining) has sent it before that answer arrives, however slowly the machine runs. Counts, not times.
"""
from __future__ import annotations

import queue
import selectors
import socket
import threading
import time


class TurnCountingProxy:
    def __init__(self, target_host: str, target_port: int, *, delay: float = 0.05) -> None:
        self.target = (target_host, target_port)
        self.delay = delay
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._turns = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, name="turn-proxy", daemon=True)
        self._accepting.start()

    @property
    def turns(self) -> int:
        with self._lock:
            return self._turns

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for thread in [self._accepting, *self._threads]:
            thread.join(timeout=5)

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection(self.target)
            thread = threading.Thread(target=self._relay, args=(client, server), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, server)
        selector.register(server, selectors.EVENT_READ, client)
        to_client: queue.Queue[tuple[float, bytes]] = queue.Queue()
        undelivered = _Counter()  # the server's data not yet with the client
        deliverer = threading.Thread(target=self._deliver, args=(to_client, client, undelivered), daemon=True)
        deliverer.start()
        client_spoke = False  # after hearing the server: the server's next data ends a round trip
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.1):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]  # registered sockets only
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client:
                        server.sendall(data)
                        if undelivered.zero():
                            client_spoke = True  # it had heard everything the server said: a new request
                    else:
                        if client_spoke:
                            with self._lock:
                                self._turns += 1
                            client_spoke = False
                        undelivered.add(1)
                        to_client.put((time.monotonic() + self.delay, data))
        except OSError:
            return
        finally:
            to_client.put((0.0, b""))
            deliverer.join(timeout=5)
            selector.close()
            client.close()
            server.close()

    @staticmethod
    def _deliver(pending: queue.Queue[tuple[float, bytes]], client: socket.socket, undelivered: _Counter) -> None:
        while True:
            due, data = pending.get()
            if not data:
                return
            time.sleep(max(0.0, due - time.monotonic()))
            # Sent and counted off under the lock: a client answering this data at once must find it delivered
            # (between the two, on a busy machine, its next request was taken for a pipelined one: a turn missed).
            with undelivered.lock:
                try:
                    client.sendall(data)
                except OSError:
                    return
                undelivered.value -= 1


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self.lock:
            self.value += n

    def zero(self) -> bool:
        with self.lock:
            return self.value == 0
