"""What the stand-ins share: a threaded HTTP server on a free loopback port, and a handler that
sends each response in one write."""
from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one write per response: no 40 ms delayed-ACK stall between headers and body
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (as dashkit does on a hostile answer) is not an error here."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            super().handle_error(request, client_address)


class LoopbackServer:
    """Serves ``handler`` on 127.0.0.1 and a free port; ``url`` is where clients point. With
    ``tls`` (a certificate and its key), over HTTPS."""

    def __init__(self, handler: type[BaseHTTPRequestHandler],
                 tls: tuple[Path, Path] | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), handler)
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
