"""``dashkit serve``: a page on loopback with every dashboard's picture that redraws itself when a
file under the dashboards folder changes.

Each redraw is ``dashkit preview`` in a child process: the user's modules are imported afresh
every time (an edited shared module is seen), and a module that hangs or crashes cannot take
the server with it. The pictures live in the preview folder, replaced whole, so a failed redraw
leaves the last good ones; its one-line error is shown on the page. The page holds a
server-sent-events connection and reloads when a redraw finishes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from dashkit.preview.render import page_html

#: Seconds a redraw may take before it is stopped (and reported on the page).
REDRAW_TIMEOUT = 120
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE = 15
#: File names whose change triggers a redraw (editor swap files and caches do not).
WATCHED_SUFFIXES = (".py", ".json", ".yaml", ".yml")
#: The names of this machine a Host header may give (with the server's port): a page of another
#: site whose name was re-bound to 127.0.0.1 (DNS rebinding) sends its own name and is refused.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class PageState:
    """The state the page shows: the redraw count, the last error, and who waits for changes."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.version = 0
        self.error = ""
        self.changed = threading.Condition()

    def publish(self, error: str) -> None:
        with self.changed:
            self.error = error
            self.version += 1
            self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version > since, timeout)
            return self.version


def redraw(dashboards_dir: Path, out_dir: Path, options: Sequence[str]) -> str:
    """Draw every dashboard into ``out_dir`` in a child process; '' or the one-line error."""
    command = [
        sys.executable,
        "-m",
        "dashkit",
        "preview",
        "--dashboards",
        str(dashboards_dir),
        "--out",
        str(out_dir),
        *options,
    ]
    # its own session: the child and whatever it starts are one process group, stopped together
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        _, stderr = child.communicate(timeout=REDRAW_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"the redraw took over {REDRAW_TIMEOUT} s and was stopped (a module that hangs?)"
    finally:  # a timeout, the server stopped (Ctrl-C, SIGTERM), or done: nothing outlives it
        _stop_group(child)
    if child.returncode == 0:
        return ""
    errors = [
        line.removeprefix("error:").strip()
        for line in stderr.splitlines()
        if line.startswith("error:")
    ]
    return " | ".join(errors[:5]) or (stderr.strip().splitlines() or ["redraw failed"])[-1]


def _stop_group(child: subprocess.Popen[str]) -> None:
    """Kill the redraw's process group (the child and anything it started) and reap the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(child.pid, signal.SIGKILL)
    if child.stderr is not None:
        child.stderr.close()
    child.wait()


def _sigterm_stops_like_ctrl_c() -> Callable[[], None]:
    """On SIGTERM, stop as on Ctrl-C (the redraw child is killed on the way out), rather than
    die at once and leave it running; returns what puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def page(live: PageState) -> str:
    """Every picture of the preview folder, the error if the last redraw failed, and the script
    that reloads the page when the next redraw finishes."""
    pictures = sorted(live.out_dir.glob("*.png")) if live.out_dir.is_dir() else []
    return page_html(
        f"dashkit serve ({live.version})",
        [(p.stem, "", f"/{p.name}?v={p.stat().st_mtime_ns}") for p in pictures],
        error=live.error,
        script=f'<script>new EventSource("/events?since={live.version}")'
        ".onmessage = () => location.reload();</script>",
    )


def _handler(live: PageState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the terminal shows redraws, not every request

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            port = getattr(self.server, "server_port", None)  # HTTPServer sets it on binding
            if (self.headers.get("Host") or "").lower() not in {
                    f"{name}:{port}" for name in LOOPBACK_NAMES}:
                self._send(403, b"this server answers only http://127.0.0.1 or localhost with "
                                b"its port", "text/plain")
            elif url.path == "/":
                self._send(200, page(live).encode(), "text/html; charset=utf-8")
            elif url.path == "/events":
                since = (parse_qs(url.query).get("since") or ["0"])[0]
                self._events(int(since) if since.isdigit() else 0)
            elif url.path == "/status":
                status = {"version": live.version, "error": live.error}
                self._send(200, json.dumps(status).encode(), "application/json")
            else:
                name = url.path.lstrip("/")
                picture = live.out_dir / name
                if "/" in name or not name.endswith(".png") or not picture.is_file():
                    self._send(404, b"not found", "text/plain")
                else:
                    self._send(200, picture.read_bytes(), "image/png")

        def _events(self, since: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            try:
                while True:
                    version = live.wait(since, KEEPALIVE)
                    if version > since:
                        self.wfile.write(f"data: {version}\n\n".encode())
                        self.wfile.flush()
                        return
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except OSError:
                return  # the page went away

    return Handler


def serve(
    dashboards_dir: Path,
    out_dir: Path,
    options: Sequence[str],
    port: int,
    announce: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Draw, serve on 127.0.0.1:``port`` (0: any free port) and redraw on every change until
    ``stop`` is set (or the process is interrupted)."""
    import watchfiles

    live = PageState(out_dir)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(live))
    restore_sigterm = _sigterm_stops_like_ctrl_c()
    server.daemon_threads = True
    stop = stop or threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    announce(f"Serving http://127.0.0.1:{server.server_address[1]}/  (drawing…)")
    try:
        error = redraw(dashboards_dir, out_dir, options)
        live.publish(error)
        announce(f"drawn{': ' + error if error else ''}")
        for changes in watchfiles.watch(
            dashboards_dir,
            stop_event=stop,
            debounce=300,
            watch_filter=lambda _, path: path.endswith(WATCHED_SUFFIXES),
        ):
            names = ", ".join(sorted({Path(path).name for _, path in changes}))
            announce(f"changed: {names}; redrawing…")
            error = redraw(dashboards_dir, out_dir, options)
            live.publish(error)
            announce(f"drawn{': ' + error if error else ''}")
    finally:
        server.shutdown()
        server.server_close()
        restore_sigterm()
