"""Python code run as ``python -c CODE ARGS`` would run it, in a child forked from a process that
has already imported dashkit: each child starts in milliseconds instead of paying about 0.3 s
of imports (and matplotlib's 0.5 s for a preview), yet is still a process of its own, so a
crash (SIGSEGV), a memory cap (RLIMIT_AS) or a hang ends the child, never the suite.

The parent of the children (the *zygote*) is a single-threaded Python started once per test
process; it forks for each request, waits for the child within the request's timeout and kills
it after. The test process talks to it over a pipe, one JSON line each way; the child's stdin,
stdout and stderr are files, so no pipe can fill and block it.
"""
from __future__ import annotations

import atexit
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: Imported once in the zygote: what the children's code imports (the CLI, the query readers
#: and the preview's matplotlib), so a child starts with them loaded.
PRELOADED = ("dashkit.cli", "dashkit.query.analyse", "dashkit.query.jsregex", "dashkit.preview.render",
             "matplotlib.backends.backend_agg", "matplotlib.font_manager")

ZYGOTE = r'''
import builtins, json, os, resource, signal, sys, time, traceback, importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
requests, answers = sys.stdin, sys.stdout


def child(request):
    if request["memory"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
    for fd, (path, mode) in enumerate(((request["stdin"], os.O_RDONLY),
                                       (request["stdout"], os.O_WRONLY | os.O_TRUNC),
                                       (request["stderr"], os.O_WRONLY | os.O_TRUNC))):
        os.dup2(os.open(path, mode), fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    sys.argv = ["-c", *request["args"]]
    status = 0
    try:
        exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__", "__builtins__": builtins})
    except SystemExit as stop:  # as the interpreter maps sys.exit's argument to a status
        if stop.code is None:
            status = 0
        elif isinstance(stop.code, int):
            status = stop.code
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status & 0xFF)


for line in requests:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(request)
    deadline = time.monotonic() + request["timeout"]
    timed_out = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            timed_out = True
            break
        time.sleep(0.005)
    code = None if timed_out else (-os.WTERMSIG(status) if os.WIFSIGNALED(status)
                                   else os.WEXITSTATUS(status))
    answers.write(json.dumps({"returncode": code, "timed_out": timed_out}) + "\n")
    answers.flush()
'''


class _Zygote:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", ZYGOTE, *PRELOADED],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.lock = threading.Lock()
        self.folder = Path(tempfile.mkdtemp(prefix="dashkit-forked-"))
        atexit.register(self.close)

    def run(self, code: str, args: tuple[str, ...], stdin: str, memory: int | None,
            timeout: float) -> subprocess.CompletedProcess[str]:
        with self.lock:
            files = {name: self.folder / name for name in ("stdin", "stdout", "stderr")}
            files["stdin"].write_text(stdin, encoding="utf-8")
            for name in ("stdout", "stderr"):
                files[name].write_bytes(b"")
            request = {"code": code, "args": list(args), "memory": memory, "timeout": timeout,
                       **{name: str(path) for name, path in files.items()}}
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
            out, err = (files[n].read_text(encoding="utf-8", errors="replace")
                        for n in ("stdout", "stderr"))
        command = [sys.executable, "-c", code, *args]
        if answer["timed_out"]:
            raise subprocess.TimeoutExpired(command, timeout, out, err)
        return subprocess.CompletedProcess(command, answer["returncode"], out, err)

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()


_zygote: _Zygote | None = None


def run_python(code: str, *args: str, stdin: str = "", memory: int | None = None,
               timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``python -c code args`` with ``stdin`` as its input, its address space capped at
    ``memory`` bytes; :class:`subprocess.TimeoutExpired` after ``timeout`` seconds, as
    :func:`subprocess.run` raises it."""
    global _zygote
    if _zygote is None or _zygote.process.poll() is not None:
        _zygote = _Zygote()
    return _zygote.run(code, args, stdin, memory, timeout)
