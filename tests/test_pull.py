"""``dashkit pull`` end to end: the EasyMO dashboards published to the Grafana API stand-in
(tests/standins/grafana_api.py, a test double, not Grafana), edited through its save API as
Grafana's UI saves them, pulled, and then: each module is its original text with exactly the
lines the edits need (written here by hand), the rebuild is the live dashboard, and the next
publish writes nothing."""
from __future__ import annotations

import ast
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import DASHBOARDS
from standins.grafana_api import GrafanaAPIStandIn
from test_publish import TOKEN, publish

from dashkit.build.pipeline import compile_project
from dashkit.build.project import load_project
from dashkit.cli.commands import main
from dashkit.grafana.compare import describe_changes

Model = dict[str, Any]
WAYS = {"classic": ("--api", "legacy"),
        "dashboard-api-v1": ("--api", "dashboards", "--schema", "v1")}


@pytest.fixture
def api() -> Iterator[GrafanaAPIStandIn]:
    standin = GrafanaAPIStandIn(profile="grafana_13_2", token=TOKEN).start()  # serves both APIs
    yield standin
    standin.stop()


@pytest.fixture(params=sorted(WAYS))
def way(request: pytest.FixtureRequest) -> tuple[str, ...]:
    return WAYS[request.param]


def project(tmp_path: Path, name: str = "easymo-pull") -> Path:
    """A copy of the EasyMO project (never the repository's own dashboards)."""
    root = tmp_path / name
    shutil.copytree(DASHBOARDS, root / "dashboards", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "dashkit.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return root / "dashboards"


def pull(api: GrafanaAPIStandIn, folder: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["pull", "--dashboards", str(folder), "--grafana-url",
                                     api.url, "--folder", "EasyMO", *args],
                              env={"GRAFANA_TOKEN": TOKEN, "GRAFANA_USER": None,
                                   "GRAFANA_PASSWORD": None})


def ui_edit(api: GrafanaAPIStandIn, uid: str, change: Callable[[Model], None]) -> None:
    """Save the dashboard as Grafana's UI does: the JSON it loaded, edited, sent back."""
    stored = api.dashboards[uid]
    model = json.loads(json.dumps(stored.data))
    change(model)
    api.put_dashboard(model, folder_uid=stored.folder_uid)


def panel(model: Model, title: str) -> Model:
    found = [p for p in model["panels"] if p.get("title") == title]
    assert len(found) == 1, title
    return found[0]


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    """``text`` with each ``old`` (found exactly once) replaced by ``new``."""
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def live_differences(api: GrafanaAPIStandIn, folder: Path, way: tuple[str, ...]) -> dict[str, list[str]]:
    """What still differs between the rebuild of ``folder`` and each live dashboard."""
    differences = {}
    for item in compile_project(load_project(folder)):
        live = api.dashboards[item.uid].data
        if way == WAYS["dashboard-api-v1"]:
            live = {**live, "uid": item.uid}
        lines = describe_changes({k: v for k, v in live.items() if k != "dashkit"}, item.model)
        if lines:
            differences[item.uid] = lines
    return differences


def edit_all_five(api: GrafanaAPIStandIn) -> None:
    """Every field kind pull writes, spread over the five EasyMO dashboards."""
    def service_health(model: Model) -> None:
        panel(model, "Request rate by route and status")["title"] = "Requests by route"
        panel(model, "Active requests")["fieldConfig"]["defaults"]["unit"] = "none"
        panel(model, "Restarts in range")["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 3
        panel(model, "DB connections")["targets"][0]["legendFormat"] = "db {{database}}"
        panel(model, "Resident memory")["targets"][0]["expr"] = \
            'nodejs_process_resident_memory_bytes{instance=~"$instance"} / 2^20'
        panel(model, "Recent error logs")["gridPos"]["h"] = 12
        model["panels"].remove(panel(model, "V8 heap"))
        added = json.loads(json.dumps(panel(model, "DB connections")))
        added.update(id=77, title="Pool waits",
                     gridPos={"x": 0, "y": 60, "w": 24, "h": 6})
        added["targets"][0].update(expr='sum(db_pool_waiting{service=~"$service"})',
                                   legendFormat="waiting")
        model["panels"].append(added)

    def business(model: Model) -> None:
        panel(model, "Payment success rate")["fieldConfig"]["defaults"]["thresholds"]["steps"][2]["value"] = 0.98
        panel(model, "Sign-ups in range")["title"] = "New users in range"

    def errors(model: Model) -> None:
        panel(model, "Failed payments /s by method")["fieldConfig"]["defaults"]["unit"] = "cps"
        panel(model, "5xx per second by route")["targets"][0]["legendFormat"] = "{{route}} ({{service}})"

    def infrastructure(model: Model) -> None:
        panel(model, "Network traffic")["targets"][0]["legendFormat"] = "rx {{instance}} {{device}}"

    def overview(model: Model) -> None:
        panel(model, "Health by job")["targets"][0]["legendFormat"] = "job {{job}}"

    ui_edit(api, "easymo-service-health", service_health)
    ui_edit(api, "easymo-business-metrics", business)
    ui_edit(api, "easymo-error-tracking", errors)
    ui_edit(api, "easymo-infrastructure", infrastructure)
    ui_edit(api, "easymo-system-overview", overview)
