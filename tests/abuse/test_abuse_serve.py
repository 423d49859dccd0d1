"""Abuse: ``dashkit serve``. It answers only requests addressed to this machine by a loopback
name and its port (a DNS-rebinding page sends its own name), and nothing it starts outlives it:
on SIGTERM, or when a module hangs past the redraw limit, the redraw child and whatever that
started are killed."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import wait_until

from dashkit.preview import serve as serving

#: A dashboards folder whose one module starts a grandchild, writes both pids, and hangs.
HANGING_MODULE = """
import os, subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open({pids!r}, "w").write(f"{{os.getpid()}} {{grandchild.pid}}")
time.sleep(600)
"""


@pytest.fixture
def page(tmp_path: Path) -> Iterator[int]:
    out = tmp_path / "preview"
    out.mkdir()
    (out / "d.png").write_bytes(b"\x89PNG picture")
    live = serving.PageState(out)
    live.publish("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), serving._handler(live))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    answer = connection.getresponse()
    return answer.status, answer.read()


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_a_loopback_name_with_the_port_is_answered(page, name):
    assert get(page, "/d.png", f"{name}:{page}") == (200, b"\x89PNG picture")


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1",
                                  "127.0.0.1:{other}", "localhost.evil.example:{port}",
                                  "127.0.0.1:{port}.evil.example", "0.0.0.0:{port}", "", None])
@pytest.mark.parametrize("path", ["/", "/d.png", "/status", "/events?since=0"])
def test_any_other_host_is_refused_whatever_the_path(page, host, path):
    """A page on evil.example whose name was re-bound to 127.0.0.1 reaches this port with its
    own name in Host: refused, nothing of the previews in the answer."""
    shown = None if host is None else host.format(port=page, other=page + 1)
    status, body = get(page, path, shown)
    assert status == 403 and b"PNG" not in body and b"version" not in body, (shown, body)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def hanging_project(tmp_path: Path) -> tuple[Path, Path]:
    project, pids = tmp_path / "dashboards", tmp_path / "pids"
    project.mkdir()
    (project / "hangs.py").write_text(HANGING_MODULE.format(pids=str(pids)))
    return project, pids


def started(pids: Path) -> list[int]:
    text = wait_until(lambda: pids.is_file() and pids.read_text(), timeout=60,
                      what="the redraw child to start the hanging module", every=0.1)
    found = [int(pid) for pid in text.split()]
    assert all(_alive(pid) for pid in found)
    return found


def kill_leftovers(pids: Path) -> None:
    """Whatever this test's module started and is still running (only on a failure)."""
    for pid in (int(p) for p in (pids.read_text().split() if pids.is_file() else [])):
        if _alive(pid):
            os.kill(pid, 9)


def test_sigterm_stops_serve_and_the_redraw_child_with_all_it_started(tmp_path):
    project, pids = hanging_project(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "dashkit", "serve", "--dashboards", str(project),
         "--out", str(tmp_path / "preview"), "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
    try:
        assert process.stderr is not None
        assert re.search(r"http://127\.0\.0\.1:\d+/", process.stderr.readline())
        children = started(pids)
        process.terminate()
        assert process.wait(timeout=30) == 0
        assert "stopped" in process.stderr.read()
        wait_until(lambda: not any(_alive(pid) for pid in children), timeout=10,
                   what="the redraw child and its grandchild to be gone", every=0.1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        kill_leftovers(pids)


def test_a_module_that_hangs_is_stopped_with_all_it_started(tmp_path, monkeypatch):
    project, pids = hanging_project(tmp_path)
    monkeypatch.setattr(serving, "REDRAW_TIMEOUT", 5)
    result: list[str] = []
    drawing = threading.Thread(target=lambda: result.append(
        serving.redraw(project, tmp_path / "preview", [])))
    drawing.start()
    try:
        children = started(pids)
        drawing.join(timeout=60)
        assert result == ["the redraw took over 5 s and was stopped (a module that hangs?)"]
        wait_until(lambda: not any(_alive(pid) for pid in children), timeout=10,
                   what="the hanging child and its grandchild to be gone", every=0.1)
    finally:
        kill_leftovers(pids)
