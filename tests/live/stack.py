"""Starts the real monitoring stack on loopback for the live tests: PostgreSQL, Redis, their
Debian exporters, node-exporter, the EasyMO service stand-in, and Prometheus scraping them all
every second with a temporary data directory. Everything stops when the test session ends."""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
import yaml
from easymo_services import SERVICES

SCRAPE_INTERVAL = 1.0
BINARIES = {
    "prometheus": "/usr/bin/prometheus",
    "node-exporter": "/usr/bin/prometheus-node-exporter",
    "postgres-exporter": "/usr/bin/prometheus-postgres-exporter",
    "redis-exporter": "/usr/bin/prometheus-redis-exporter",
    "redis-server": "/usr/bin/redis-server",
}
#: Scrape targets as in the plan: job = service, except five services that share one job.
SHARED_JOB = {"message-service", "insurance-service", "simulator-service", "analytics-service",
              "support-service"}
PORTS = {service: 3000 + i for i, service in enumerate(SERVICES[:-1])} | {"admin-app": 3000}


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def missing() -> list[str]:
    absent = [name for name, path in BINARIES.items() if not Path(path).exists()]
    if postgres_bin() is None:
        absent.append("postgresql")
    return absent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f}s")


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.prometheus_url = ""
        self.services_url = ""
        self.pg_data: Path | None = None

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None,
              user: str | None = None) -> None:
        with open(self.workdir / f"{name}.log", "wb") as log:  # the child has its own copy
            self.processes.append(subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                preexec_fn=(lambda: _become(user)) if user is not None else None))

    def start_postgres(self) -> int:
        bindir = postgres_bin()
        assert bindir is not None
        port = free_port()
        data = self.workdir / "pgdata"
        data.mkdir()
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(self.workdir, user)
            shutil.chown(data, user)
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
                       check=True, capture_output=True,
                       preexec_fn=(lambda: _become(user)) if user else None)
        self.spawn("postgres", [str(bindir / "postgres"), "-D", str(data), "-p", str(port),
                                "-k", str(self.workdir), "-c", "listen_addresses=127.0.0.1"],
                   user=user)
        self.pg_data = data
        deadline = time.time() + 30
        while time.time() < deadline:
            if subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                              capture_output=True).returncode == 0:
                return port
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start: see " + str(self.workdir / "postgres.log"))

    def start(self) -> None:
        pg_port = self.start_postgres()
        redis_port = free_port()
        self.spawn("redis", [BINARIES["redis-server"], "--port", str(redis_port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no"])
        ports = {name: free_port() for name in ("node", "pg", "redis", "services", "prometheus")}
        self.spawn("node-exporter", [BINARIES["node-exporter"],
                                     f"--web.listen-address=127.0.0.1:{ports['node']}"])
        self.spawn("postgres-exporter", [BINARIES["postgres-exporter"],
                                         f"--web.listen-address=127.0.0.1:{ports['pg']}"],
                   env={"DATA_SOURCE_NAME": f"postgresql://postgres@127.0.0.1:{pg_port}/postgres"
                                            "?sslmode=disable"})
        self.spawn("redis-exporter", [BINARIES["redis-exporter"],
                                      f"--redis.addr=redis://127.0.0.1:{redis_port}",
                                      f"--web.listen-address=127.0.0.1:{ports['redis']}"])
        self.spawn("easymo-services", [sys.executable, str(Path(__file__).with_name(
            "easymo_services.py")), str(ports["services"])])
        self.services_url = f"http://127.0.0.1:{ports['services']}"
        # the project's own rules, as dashkit build writes them (the plan's alerts.yml)
        (self.workdir / "alerts.yml").write_text(project_rules())
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.prometheus_config(ports)))
        rules = self.workdir / "rules.yml"
        rules.write_text(yaml.safe_dump({"groups": [{"name": "meta", "rules": [{
            "alert": "Watchdog", "expr": "vector(1)", "labels": {"severity": "none"},
            "annotations": {"summary": "Always firing: proves alerting works end to end"}}]}]}))
        self.spawn("prometheus", [BINARIES["prometheus"], f"--config.file={config}",
                                  f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                                  f"--web.listen-address=127.0.0.1:{ports['prometheus']}"])
        self.prometheus_url = f"http://127.0.0.1:{ports['prometheus']}"
        wait_for(f"{self.prometheus_url}/-/ready")

    def prometheus_config(self, ports: dict[str, int]) -> dict[str, object]:
        services = f"127.0.0.1:{ports['services']}"
        jobs: dict[str, list[dict[str, object]]] = {}
        for service in SERVICES:
            job = "microservices" if service in SHARED_JOB else service
            jobs.setdefault(job, []).append({"targets": [services], "labels": {
                "instance": f"{service}:{PORTS[service]}",
                "__metrics_path__": f"/metrics/{service}"}})
        scrape = [{"job_name": job, "static_configs": groups} for job, groups in jobs.items()]
        scrape += [{"job_name": job, "static_configs": [{"targets": [f"127.0.0.1:{ports[key]}"]}]}
                   for job, key in (("node-exporter", "node"), ("postgres", "pg"),
                                    ("redis", "redis"), ("prometheus", "prometheus"))]
        interval = f"{SCRAPE_INTERVAL:.0f}s"
        return {"global": {"scrape_interval": interval, "evaluation_interval": interval},
                "rule_files": [str(self.workdir / "rules.yml"), str(self.workdir / "alerts.yml")],
                "scrape_configs": scrape}

    def wait_for_data(self, scrapes: int = 12, timeout: float = 150.0) -> None:
        """Until every target is up and has been scraped ``scrapes`` times, and every recording
        rule has recorded as many series as its expression gives now. (A group evaluated once is
        not enough: its first evaluation can come before two scrapes of a counter, when a rate of
        it is still empty, and the recorded series would be missing until the next one.)"""
        deadline = time.time() + timeout
        query = f"min(count_over_time(up[5m])) >= {scrapes} and min(up) == 1"
        while time.time() < deadline:
            result = requests.get(f"{self.prometheus_url}/api/v1/query",
                                  params={"query": query}, timeout=5).json()
            groups = requests.get(f"{self.prometheus_url}/api/v1/rules",
                                  timeout=5).json()["data"]["groups"]
            records = [r for g in groups for r in g["rules"] if r["type"] == "recording"]
            if result["data"]["result"] and groups and all(map(self._recorded, records)):
                return
            time.sleep(1)
        down = requests.get(f"{self.prometheus_url}/api/v1/query",
                            params={"query": "up == 0"}, timeout=5).json()["data"]["result"]
        raise RuntimeError(f"targets not ready: {[d['metric'] for d in down]}")

    def _recorded(self, rule: dict) -> bool:
        """Whether the recording rule's series all exist: as many as its expression gives now
        (and at least one)."""
        counts = []
        # the rule's own labels too: several rules record one name (an SLO's windows)
        matchers = ", ".join([f'__name__="{rule["name"]}"', *(
            f'{k}="{v}"' for k, v in sorted((rule.get("labels") or {}).items()))])
        for expr in (f"{{{matchers}}}", rule["query"]):
            found = requests.get(f"{self.prometheus_url}/api/v1/query",
                                 params={"query": f"count({expr})"}, timeout=5).json()
            values = found["data"]["result"]
            counts.append(int(float(values[0]["value"][1])) if values else 0)
        return 0 < counts[1] <= counts[0]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def project_rules() -> str:
    """The rule file ``dashkit build`` writes for the project's dashboards folder."""
    from dashkit import compile_project, load_project
    from dashkit.project.rule_files import rules_yaml

    project = load_project(Path(__file__).resolve().parents[2] / "dashboards")
    return rules_yaml(project.rule_groups, compile_project(project))


def _become(user: str) -> None:
    record = pwd.getpwnam(user)
    os.setgid(record.pw_gid)
    os.setuid(record.pw_uid)


@contextmanager
def running_stack() -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="dashkit-live-"))
    os.chmod(workdir, 0o755)
    stack = Stack(workdir)
    try:
        stack.start()
        stack.wait_for_data()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
