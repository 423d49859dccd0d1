"""Abuse: the hostile-server matrix. Every client entry point (publish to Grafana, check and
catalog against Prometheus, Loki queries, import's Grafana search) against every way of dripping
an answer (tests/standins/hostile.py: Content-Length, chunked, close-delimited, slow headers),
over plain HTTP and TLS. The run must end within about its deadline, with one true line.

Before the socket was remembered by the watchdog, the close-delimited answer ran for the whole
drip (30 s here), whatever --timeout and --deadline said."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS
from standins.hostile import DRIP_SECONDS, MODES, HandshakeDrip, hostile_server, self_signed_cert

from dashkit.cli import main
from dashkit.clients.exports import dashboard_uids
from dashkit.clients.grafana import Credentials, GrafanaClient
from dashkit.clients.loki import LokiClient
from dashkit.errors import DashkitError

TOKEN = "glsa_Hostile0123456789abcdefghijklmn_1a2b3c4d"
#: The limits every entry point runs with: a request whole, and the run.
TIMEOUT, DEADLINE = 0.5, 1.0
#: A generous outer bound on the hang under test: 3x the deadline, plus the project's compile.
BOUND = 3 * DEADLINE + 3
LIMITS = ["--timeout", str(TIMEOUT), "--deadline", str(DEADLINE)]
Outcome = tuple[int, str]


def _cli(args: list[str], cert: Path | None) -> Outcome:
    env = {"GRAFANA_TOKEN": TOKEN, "GRAFANA_USER": None, "GRAFANA_PASSWORD": None,
           "REQUESTS_CA_BUNDLE": str(cert) if cert else None, "CURL_CA_BUNDLE": None}
    result = CliRunner().invoke(main, args, env=env)
    return result.exit_code, result.output


def _library(call: Callable[[], object]) -> Outcome:
    try:
        call()
    except DashkitError as error:
        return 1, f"error: {error}\n"
    return 0, ""


def publish(url: str, cert: Path | None) -> Outcome:
    return _cli(["publish", "--dashboards", str(DASHBOARDS), "--grafana-url", url, *LIMITS,
                 *(["--ca-cert", str(cert)] if cert else [])], None)


def check(url: str, cert: Path | None) -> Outcome:
    return _cli(["check", "--dashboards", str(DASHBOARDS), "--prometheus-url", url, *LIMITS],
                cert)


def catalog(url: str, cert: Path | None) -> Outcome:
    return _cli(["catalog", "--prometheus-url", url, *LIMITS], cert)


def loki(url: str, cert: Path | None) -> Outcome:
    client = LokiClient(url, TIMEOUT, deadline=DEADLINE, verify=str(cert) if cert else True)
    return _library(lambda: client.query_range('{job="app"}', time.time() - 60, time.time(), 15))


def import_all(url: str, cert: Path | None) -> Outcome:
    """``import --all``'s listing (the command's own limits are fixed: 10 s, 120 s)."""
    client = GrafanaClient(url, Credentials.token(TOKEN), timeout=TIMEOUT, deadline=DEADLINE,
                           verify=str(cert) if cert else True)
    return _library(lambda: dashboard_uids(client, folder=None))


ENTRY_POINTS = {"publish": publish, "check": check, "catalog": catalog, "loki": loki,
                "import-all": import_all}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("hostile-tls"))


@pytest.fixture(params=[False, True], ids=["http", "tls"])
def tls(request: pytest.FixtureRequest,
        certificate: tuple[Path, Path]) -> tuple[Path, Path] | None:
    return certificate if request.param else None


@pytest.fixture(params=MODES)
def server(request: pytest.FixtureRequest, tls: tuple[Path, Path] | None) -> Iterator[str]:
    running = hostile_server(request.param, tls)
    yield running.url
    running.stop()


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_client_ends_within_its_deadline_whatever_the_framing(server, tls, entry):
    started = time.monotonic()
    code, output = ENTRY_POINTS[entry](server, tls[0] if tls else None)
    took = time.monotonic() - started
    assert took < BOUND < DRIP_SECONDS, (took, output)
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1, output
    assert "Traceback" not in output and "TLS verification" not in errors[0], output
    # true about what happened: the answer was not complete in time
    assert "no complete answer" in errors[0] or "deadline passed" in errors[0], errors[0]


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_a_tls_handshake_sent_a_byte_at_a_time_is_cut_off_too(certificate, entry):
    """The certificate itself dripped (a relay in front of a TLS server): CPython's
    SSLSocket.do_handshake keeps the socket's timeout as one deadline for the whole handshake,
    so the limit holds before any HTTP is spoken."""
    server = hostile_server("length", certificate)
    relay = HandshakeDrip(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
    try:
        started = time.monotonic()
        code, output = ENTRY_POINTS[entry](f"https://127.0.0.1:{relay.port}", certificate[0])
        took = time.monotonic() - started
    finally:
        relay.stop()
        server.stop()
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert took < BOUND and code == 1 and len(errors) == 1, (took, output)
    assert "no complete answer" in errors[0] or "deadline passed" in errors[0], errors[0]
