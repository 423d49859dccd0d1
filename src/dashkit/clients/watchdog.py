"""The whole-request time limit of dashkit's HTTP path: a timer that cuts a request's socket.

requests' timeout bounds each socket read, not the request: a server sending one byte every few
seconds never trips it, whatever the answer's framing (Content-Length, chunked, or ended by
closing the connection), nor one that sends its headers a byte at a time.
"""
from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class TimeUp(Exception):
    """The whole-request time limit cut the connection."""


# A timer shuts the request's socket down when its time is up. The socket
# is remembered when it is connected (or reused), not read from the connection when the timer
# fires: for an answer that ends when the connection closes, http.client hands the socket to the
# response and sets ``conn.sock = None``, and a cut that looked there would find nothing.
_current = threading.local()


class _Tracked:
    """Makes this thread's watchdog know the socket a request uses, as it connects or reuses it."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _current.sock = self.sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        _current.sock = self.sock  # a kept-alive connection's (None: connect() will set it)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _TrackedHTTPConnection(_Tracked, HTTPConnection):
    pass


class _TrackedHTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPSConnection


class TrackedAdapter(HTTPAdapter):
    """requests' adapter with connections that tell the watchdog their socket."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class Watchdog:
    """Cuts the current thread's connection when ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        _current.sock = None
        self._thread_state = _current.__dict__
        self._timer = threading.Timer(max(seconds, 0.001), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = self._thread_state.get("sock")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the read in progress ends (EOF or an error)

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()
