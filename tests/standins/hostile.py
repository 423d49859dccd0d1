"""Hostile servers on loopback that every client's tests share: each answers any request with a
valid JSON answer sent so slowly that only a whole-request limit stops the client.

``MODES`` are the ways an answer can be framed and dripped: a declared Content-Length, chunks,
an answer that ends when the connection closes (no length at all), and headers sent a byte at a
time. Each can be served over TLS with a self-signed certificate made by Debian's ``openssl``.
Every drip is bounded (``DRIP_SECONDS`` at most), so a client without a limit is slow, not hung.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from standins.loopback import LoopbackServer, QuietHandler

#: How a hostile answer is framed: Content-Length, chunked, close-delimited, dripped headers.
MODES = ("length", "chunked", "close", "headers")
#: Seconds between two bytes, and the longest an answer drips (then it ends, valid): twice the
#: longest any test lets a client take, so a client without a limit fails its test, and soon.
DRIP_INTERVAL = 0.1
DRIP_SECONDS = 12.0
_BODY = b'{"status": "success", "data": [], "padding": "' + b"x" * 300 + b'"}'
_FILL = b"X-Padding: " + b"y" * 300 + b"\r\n"


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 (made by ``openssl req``, no Python crypto package)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    return cert, key


class _Dripper(QuietHandler):
    mode = "length"

    def _drip(self, data: bytes, started: float) -> None:
        for index in range(len(data)):
            if time.monotonic() - started > DRIP_SECONDS:
                self.wfile.write(data[index:])  # bounded: the rest at once
                return
            self.wfile.write(data[index:index + 1])
            self.wfile.flush()
            time.sleep(DRIP_INTERVAL)

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        started, mode = time.monotonic(), self.mode
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        try:
            if mode == "length":
                self.wfile.write(head + b"Content-Length: %d\r\n\r\n" % len(_BODY))
                self._drip(_BODY, started)
            elif mode == "chunked":
                self.wfile.write(head + b"Transfer-Encoding: chunked\r\n\r\n")
                self._drip(b"".join(b"1\r\n%c\r\n" % byte for byte in _BODY) + b"0\r\n\r\n",
                           started)
            elif mode == "close":
                self.close_connection = True
                self.wfile.write(head + b"Connection: close\r\n\r\n")
                self._drip(_BODY, started)
            else:
                self.wfile.write(head)
                self._drip(_FILL, started)
                self.wfile.write(b"Content-Length: %d\r\n\r\n" % len(_BODY) + _BODY)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client hung up: what a limit does

    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815


def hostile_server(mode: str, tls: tuple[Path, Path] | None = None) -> LoopbackServer:
    """A started server that drips every answer in ``mode``; stop() it."""
    handler = type(f"Drip_{mode}", (_Dripper,), {"mode": mode})
    server = LoopbackServer(handler, tls=tls)
    server.start()
    return server


class HandshakeDrip:
    """A TCP relay in front of ``upstream`` (host, port) that passes what the client sends at
    once and drips what the server sends, a byte every DRIP_INTERVAL: over TLS, the handshake
    itself (the certificate is a few thousand bytes) takes minutes. Bounded by DRIP_SECONDS."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream, timeout=5)
            threading.Thread(target=self._pipe, args=(client, server, 0.0), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, DRIP_INTERVAL),
                             daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket, interval: float) -> None:
        started = time.monotonic()
        try:
            source.settimeout(DRIP_SECONDS)
            while time.monotonic() - started < DRIP_SECONDS and not self._stopped.is_set():
                data = source.recv(1 if interval else 65536)
                if not data:
                    break
                target.sendall(data)
                time.sleep(interval)
        except OSError:
            pass
        finally:
            for each in (source, target):
                each.close()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
