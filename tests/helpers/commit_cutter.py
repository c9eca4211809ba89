"""A loopback TCP proxy in front of PostgreSQL that loses the answer to a COMMIT.

It forwards the wire protocol both ways. When the client sends COMMIT (simple or
extended Query, alone or as the last statement of a message) to end a transaction in
which it sent a statement matching `when`, the proxy passes the COMMIT to the server,
waits for the server to answer, drops that answer and closes both sides: the commit
happened, the client never hears so.
Every other connection and transaction (pool pings, BEGIN, sign-ins) goes through.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from sqlalchemy.engine import make_url

_PROTOCOL_3 = 196608  # the StartupMessage's version; SSL/GSS/cancel requests use other codes
_COMMITS = {b"COMMIT", b"END"}
_ENDS = _COMMITS | {b"ROLLBACK", b"ABORT"}
_ANSWER_WAIT_S = 10.0


def _statement(kind: bytes, body: bytes) -> bytes | None:
    """The SQL text of a simple Query ('Q') or a Parse ('P'), else None."""
    if kind == b"Q":
        return body.split(b"\0", 1)[0]
    if kind == b"P":
        parts = body.split(b"\0", 2)
        return parts[1] if len(parts) > 1 else None
    return None


class _Link:
    """One client connection and its server connection."""

    def __init__(self, proxy: CommitCutter, client: socket.socket) -> None:
        self.proxy, self.client = proxy, client
        self.server = socket.create_connection(proxy.target, timeout=_ANSWER_WAIT_S)
        self.server.settimeout(None)
        self.cut = threading.Event()
        self.answered = threading.Event()

    def start(self) -> None:
        for pump in (self._client_to_server, self._server_to_client):
            threading.Thread(target=pump, daemon=True).start()

    def close(self) -> None:
        for sock in (self.client, self.server):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _server_to_client(self) -> None:
        with suppress(OSError):
            while data := self.server.recv(65536):
                if self.cut.is_set():
                    self.answered.set()  # the server answered the COMMIT: it is decided
                    continue
                self.client.sendall(data)
        self.answered.set()
        if not self.cut.is_set():
            self.close()

    def _client_to_server(self) -> None:
        buffer, started, marked = bytearray(), False, False
        with suppress(OSError):
            while data := self.client.recv(65536):
                buffer += data
                while message := self._next(buffer, started):
                    if not started:
                        started = int.from_bytes(message[4:8], "big") == _PROTOCOL_3
                    else:
                        sql = _statement(message[:1], message[5:])
                        if sql is not None:
                            # the last statement of the message: CareTill sends a
                            # transaction's last writes and its COMMIT as one message
                            statement = sql.strip(b" \t\r\n;").upper().rsplit(b";", 1)[-1].strip()
                            marked = marked or self.proxy.when in sql.upper()
                            if marked and statement in _COMMITS:
                                self._lose_answer(message)
                                return
                            if statement in _ENDS:
                                marked = False
                    self.server.sendall(message)
        self.close()

    @staticmethod
    def _next(buffer: bytearray, started: bool) -> bytes | None:
        """Take one whole message off `buffer` (untyped before the startup), or None."""
        head = 1 if started else 0
        if len(buffer) < head + 4:
            return None
        total = head + int.from_bytes(buffer[head : head + 4], "big")
        if len(buffer) < total:
            return None
        message = bytes(buffer[:total])
        del buffer[:total]
        return message

    def _lose_answer(self, commit: bytes) -> None:
        self.cut.set()
        self.server.sendall(commit)
        self.answered.wait(_ANSWER_WAIT_S)
        with self.proxy.lock:
            self.proxy.cuts += 1
        self.close()


class CommitCutter:
    """`with CommitCutter(pg_url, when=b"INSERT INTO PAYMENTS") as proxy:` use `proxy.url`."""

    def __init__(self, url: str, *, when: bytes, max_connections: int = 50) -> None:
        self._url = make_url(url)
        self.target = (self._url.host or "127.0.0.1", self._url.port or 5432)
        self.when = when.upper()
        self.cuts = 0
        self.lock = threading.Lock()
        self._max = max_connections
        self._links: list[_Link] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """The database URL that goes through the proxy."""
        port = self._listener.getsockname()[1]
        return self._url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    def __enter__(self) -> CommitCutter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for link in self._links:
            link.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            if len(self._links) >= self._max:
                client.close()
                continue
            link = _Link(self, client)
            self._links.append(link)
            link.start()
