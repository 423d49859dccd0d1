"""Abuse: the run's own secrets never show, whatever produced the message. A server that echoes
the request back (its Authorization header, the password decoded from it) gets nothing out: the
token, the password and the header made of them are ``***`` in every line dashkit prints."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DASHBOARDS
from standins.loopback import LoopbackServer, QuietHandler

from dashkit.cli import main

TOKEN = "glsa_Echoed0123456789abcdefghijklmno_9f8e7d6c"
PASSWORD = "correct-horse-battery"


class Echo(QuietHandler):
    """Answers every request with a 500 whose every field repeats the Authorization header
    and what it decodes to (500: not retried, shown as the server's message)."""

    def do_GET(self) -> None:  # noqa: N802
        header = self.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        decoded = base64.b64decode(value).decode() if scheme == "Basic" else value
        words = f"{decoded!r} is what {header!r} says"
        body = {"message": words, "database": words, "status": "error", "errorType": words,
                "error": words}
        self.send(500, json.dumps(body).encode(), "application/json")


@pytest.fixture
def echo() -> Iterator[str]:
    server = LoopbackServer(Echo)
    server.start()
    yield server.url
    server.stop()


def run(args: list[str], **env: str | None) -> Result:
    base: dict[str, str | None] = {"GRAFANA_TOKEN": None, "GRAFANA_USER": None,
                                   "GRAFANA_PASSWORD": None}
    return CliRunner().invoke(main, args, env={**base, **env})


def shows_none(result: Result, *secrets: str) -> None:
    """Exit 1, and not even the start of a secret (an answer cut to 40 characters would keep
    it, were the secret not replaced before the cut)."""
    assert result.exit_code == 1 and "***" in result.output, result.output
    for secret in secrets:
        assert secret[:8] not in result.output, result.output
    assert "Traceback" not in result.output


def publish_args(url: str) -> list[str]:
    return ["publish", "--dashboards", str(DASHBOARDS), "--grafana-url", url, "--timeout", "2",
            "--deadline", "10"]


def test_a_token_from_the_environment_echoed_by_grafana_never_shows(echo):
    shows_none(run(publish_args(echo), GRAFANA_TOKEN=TOKEN), TOKEN)


def test_a_token_from_a_file_echoed_by_grafana_never_shows(echo, tmp_path: Path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    shows_none(run([*publish_args(echo), "--token-file", str(token_file)]), TOKEN)


def test_a_basic_auth_password_echoed_by_grafana_never_shows(echo):
    header = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    shows_none(run(publish_args(echo), GRAFANA_USER="admin", GRAFANA_PASSWORD=PASSWORD),
               PASSWORD, header)


def test_a_password_in_the_url_echoed_by_prometheus_never_shows(echo):
    """requests sends a URL's user and password as basic auth: the echo decodes it back."""
    url = echo.replace("http://", f"http://reader:{PASSWORD}@")
    header = base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
    shows_none(run(["check", "--dashboards", str(DASHBOARDS), "--prometheus-url", url,
                    "--timeout", "2", "--deadline", "10"]), PASSWORD, header)
