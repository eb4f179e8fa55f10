"""A TCP proxy on 127.0.0.1 that counts round trips instead of adding latency: a round trip is the server answering
after the client has sent something. Pipelined statements are one round trip however many there are; a server's
unprompted message (a NOTIFY) is none, nor is a message nobody waits for (the client's goodbye). Exact, whatever
the machine's load — unlike timing."""
from __future__ import annotations

import selectors
import socket
import threading


class TurnCountingProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
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
        client_spoke = False  # since the server last sent: the server's next data ends a round trip
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.1):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]  # registered sockets only
                    data = source.recv(65536)
                    if not data:
                        return
                    if source is client:
                        client_spoke = True
                    elif client_spoke:
                        with self._lock:
                            self._turns += 1
                        client_spoke = False
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            server.close()
