"""The forked children of tests/forked.py behave as ``python -c`` does in what the abuse tests
rely on: exit statuses, a signal's death, the memory cap, the timeout, stdin and argv."""
from __future__ import annotations

import subprocess

import pytest
from forked import run_python

CASES = [
    # (code, args, stdin, returncode, stdout, stderr contains)
    ("import sys; print(sys.argv[1:], sys.stdin.read())", ("a", "b"), "in", 0, "['a', 'b'] in\n", ""),
    ("import sys; sys.exit(3)", (), "", 3, "", ""),
    ("import sys; sys.exit('bad input')", (), "", 1, "", "bad input"),
    ("raise ValueError('boom')", (), "", 1, "", "ValueError: boom"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", (), "", -11, "", ""),
    ("print('é', end='')", (), "", 0, "é", ""),
]


@pytest.mark.parametrize("code,args,stdin,returncode,stdout,stderr", CASES)
def test_a_forked_child_ends_as_python_c_would(code, args, stdin, returncode, stdout, stderr):
    child = run_python(code, *args, stdin=stdin)
    assert (child.returncode, child.stdout) == (returncode, stdout) and stderr in child.stderr


def test_the_memory_cap_holds_in_the_child():
    child = run_python("x = bytearray(2 << 30)", memory=1 << 30)
    assert child.returncode == 1 and "MemoryError" in child.stderr


def test_a_child_past_its_timeout_is_killed_and_raises_as_subprocess_run_does():
    with pytest.raises(subprocess.TimeoutExpired):
        run_python("while True: pass", timeout=0.5)
    assert run_python("print('next')").stdout == "next\n"  # the zygote goes on
