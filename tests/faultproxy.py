"""A TCP proxy on 127.0.0.1 that injects network faults between flowc and moto's S3 server.

`FaultProxy(upstream_url)` forwards every connection to the upstream endpoint; its `fault`
decides what happens to requests whose first chunk contains every byte string of `trigger`
(all requests when `trigger` is empty): `freeze` (accept, never answer), `drop` (forward part
of the request, then close both ends), `reset` (close with a TCP RST), `slow` (delay every
chunk by `delay` seconds, both ways) or None (healthy). Faults can change while it runs
(`heal()`). One thread accepts, one thread per connection pumps with select; every socket
has a timeout and `close()` (or leaving the `with` block) shuts them all and joins the
threads, so a test never leaves a thread or a socket behind.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHUNK = 64 << 10


@dataclass
class FaultProxy:
    upstream_url: str
    fault: str | None = None
    trigger: tuple[bytes, ...] = ()
    delay: float = 0.05
    drop_after: int = 200
    faulted: int = 0  # requests the fault was applied to
    _server: socket.socket | None = field(default=None, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)
    _sockets: list[socket.socket] = field(default_factory=list, repr=False)
    _closed: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def __enter__(self) -> FaultProxy:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def heal(self) -> None:
        self.fault = None

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            for sock in [*self._sockets, *([self._server] if self._server else [])]:
                sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self) -> None:
        assert self._server is not None
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            self._spawn(self._pump, self._track(client))

    def _matches(self, data: bytes) -> bool:
        return all(part in data for part in self.trigger)

    def _pump(self, client: socket.socket) -> None:
        parts = urlsplit(self.upstream_url)
        try:
            upstream = self._track(socket.create_connection((parts.hostname, parts.port), 5))
        except OSError:
            client.close()
            return
        faulted = False
        try:
            while not self._closed.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.2)
                for source in ready:
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    if source is client and self.fault and self._matches(data):
                        faulted = True
                        self.faulted += 1
                    fault = self.fault if faulted or self.fault == "slow" else None
                    if fault == "freeze":
                        continue  # swallow the request: the client waits for an answer
                    if fault == "reset":
                        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
                        return
                    if fault == "drop":
                        upstream.sendall(data[: self.drop_after])
                        return
                    if fault == "slow":
                        time.sleep(self.delay)
                    (upstream if source is client else client).sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()
