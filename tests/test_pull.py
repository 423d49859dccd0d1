"""``dashkit pull`` end to end: the EasyMO dashboards published to the Grafana API stand-in
(tests/standins/grafana_api.py, a test double, not Grafana), edited through its save API as
Grafana's UI saves them, pulled, and then: each module is its original text with exactly the
lines the edits need (written here by hand), the rebuild is the live dashboard, and the next
publish writes nothing."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import both_apis
from both_apis import WAYS
from click.testing import CliRunner, Result
from conftest import DASHBOARDS, PROJECT_UIDS
from standins.grafana_api import GrafanaAPIStandIn
from test_publish import TOKEN, publish

from dashkit.cli import main
from dashkit.grafana.compare import describe_changes
from dashkit.project.loading import load_project
from dashkit.project.pipeline import compile_project
from dashkit.pull.puller import as_read

api, way = both_apis.api, both_apis.way  # the fixtures, shared with the other file

Model = dict[str, Any]


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
    """Save the dashboard as Grafana's UI does: the JSON it loaded, edited, sent back (the
    stand-in keeps one classic model; a v2 read converts it)."""
    stored = api.dashboards[uid]
    model = json.loads(json.dumps(stored.data))
    change(model)
    api.put_dashboard(model, folder_uid=stored.folder_uid)


def panel(model: Model, title: str) -> Model:
    found = [p for p in model["panels"] if p.get("title") == title and p.get("type") != "row"]
    assert len(found) == 1, title
    return found[0]


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}


def published(api: GrafanaAPIStandIn, tmp_path: Path, *way: str) -> tuple[Path, dict[str, str]]:
    """A copy of the project published (through ``way``'s API): its folder and its sources as
    they were before anything is pulled into them."""
    folder = project(tmp_path)
    result = publish(api, *way, project=folder)
    assert result.exit_code == 0, result.output
    return folder, texts(folder)


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
        live = {**api.dashboards[item.uid].data, "uid": item.uid}
        built = as_read(item.model, way == WAYS["dashboard-api-v2"])  # v2: read as classic
        lines = describe_changes({k: v for k, v in live.items() if k != "dashkit"}, built)
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


def test_a_pull_writes_each_edit_made_in_grafana_into_the_line_that_produced_it(
        api, tmp_path, way):
    folder, before = published(api, tmp_path, *way)
    edit_all_five(api)

    result = pull(api, folder, *way)

    assert result.exit_code == 0, result.output
    after = texts(folder)
    assert after["service_health.py"] == replaced(
        before["service_health.py"],
        ('    "Request rate by route and status",\n'
         '    promql.rate_sum("http_requests_total", ["route", "status_code"], where=SERVICE),\n'
         '    unit="reqps", legend="{{route}} {{status_code}}")\n',
         '    "Requests by route",\n'
         '    promql.rate_sum("http_requests_total", ["route", "status_code"], where=SERVICE),\n'
         '    unit="reqps", legend="{{route}} {{status_code}}", '
         'key="http/request-rate-by-route-and-status")\n'),
        ('legend="active",\n    w=8)\n', 'legend="active",\n    w=8, unit="none")\n'),
        ('    "Resident memory", promql.sel(process("process_resident_memory_bytes"), where=PROCESS),\n',
         '    "Resident memory", \'nodejs_process_resident_memory_bytes{instance=~"$instance"} / 2^20\',\n'),
        ('    description="Seconds spent in garbage collection per second.", w=8)\n',
         '    description="Seconds spent in garbage collection per second.", w=8, x=16, y=26)\n'),
        ('thresholds=above(1), instant=True', 'thresholds=above(3), instant=True'),
        ('    legend="{{database}}", min=0, w=12)\n', '    legend="db {{database}}", min=0, w=12)\n'),
        ('trace_id into Tempo.")\n',
         'trace_id into Tempo.", h=12)\n'
         '\n'
         'pool_waits = panels.timeseries(\n'
         '    "Pool waits",\n'
         '    Target(\'sum(db_pool_waiting{service=~"$service"})\', legend="waiting"),\n'
         '    unit="short",\n'
         '    min=0,\n'
         '    w=24,\n'
         '    h=6,\n'
         '    id=77,\n'
         ')\n'),
        ("[active, cpu, memory, event_loop, heap, gc, restarts]",
         "[active, cpu, memory, event_loop, gc, restarts]"),
        ('Row("Logs", [error_logs]),', 'Row("Logs", [error_logs, pool_waits]),'))
    assert after["business_metrics.py"] == replaced(
        before["business_metrics.py"],
        ("thresholds=below(0.95, warn=0.99)", "thresholds=below(0.95, warn=0.98)"),
        ('    "Sign-ups in range", promql.increase_sum("user_signups_total"), decimals=0, instant=True,\n'
         '    no_value="0", w=6, description="user_signups_total is an addition to the contract.")\n',
         '    "New users in range", promql.increase_sum("user_signups_total"), decimals=0, instant=True,\n'
         '    no_value="0", w=6, description="user_signups_total is an addition to the contract.",\n'
         '    key="payments-and-sign-ups/sign-ups-in-range")\n'))
    assert after["error_tracking.py"] == replaced(
        before["error_tracking.py"],
        ('unit="reqps", legend="{{service}} {{route}}", alert=a.HIGH_ERROR_RATE)',
         'unit="reqps", legend="{{route}} ({{service}})", alert=a.HIGH_ERROR_RATE)'),
        ('unit="ops", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)',
         'unit="cps", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)'))
    assert after["infrastructure.py"] == replaced(
        before["infrastructure.py"],
        ('**NODE}), "in {{instance}} {{device}}"),', '**NODE}), "rx {{instance}} {{device}}"),'))
    assert after["system_overview.py"] == replaced(
        before["system_overview.py"],
        ('    legend="{{job}}", mappings=', '    legend="job {{job}}", mappings='))
    unchanged = set(before) - {"service_health.py", "business_metrics.py", "error_tracking.py",
                               "infrastructure.py", "system_overview.py"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}
    assert "  panel 'Active requests' unit: 'short' -> 'none'\n" in result.output
    assert "  - panel 'V8 heap'\n  " in result.output
    assert "  + panel 'Pool waits'\n" in result.output
    assert "  panel 'GC time by kind' pinned at x=16 y=26, where Grafana shows it\n" in result.output
    assert "not pulled" not in result.output and "still differs" not in result.output

    assert live_differences(api, folder, way) == {}
    again = publish(api, *way, project=folder)
    assert again.exit_code == 0 and f"{len(PROJECT_UIDS)} unchanged" in again.output, again.output
    assert "0 writes" in again.output


def five_xx_threshold(value: float) -> Callable[[Model], None]:
    def change(model: Model) -> None:
        panel(model, "5xx ratio by route")["fieldConfig"]["defaults"]["thresholds"]["steps"][2]["value"] = value
    return change


def test_a_field_from_a_shared_constant_is_named_and_only_shared_rewrites_the_constant(
        api, tmp_path):
    folder, before = published(api, tmp_path)
    ui_edit(api, "easymo-service-health", five_xx_threshold(0.1))

    named = pull(api, folder, "--api", "legacy")

    assert named.exit_code == 1, named.output
    # where the constant's value is written: its line, the column of "0.05" in it (1-based)
    line = next(number for number, text in enumerate(before["easymo.py"].splitlines(), 1)
                if text.startswith("ERROR_RATIO_WARN, ERROR_RATIO_CRIT = "))
    assert ("  not pulled: panel '5xx ratio by route' thresholds step 2: 0.05 -> 0.1: from the "
            f"shared constant ERROR_RATIO_CRIT at easymo.py:{line}:44; --shared rewrites it\n"
            in named.output)
    assert texts(folder) == before

    shared = pull(api, folder, "--api", "legacy", "--shared")

    assert texts(folder) == {**before, "easymo.py": replaced(
        before["easymo.py"], ("ERROR_RATIO_WARN, ERROR_RATIO_CRIT = 0.01, 0.05\n",
                              "ERROR_RATIO_WARN, ERROR_RATIO_CRIT = 0.01, 0.1\n"))}
    # the constant's other users change with it, and pull says so (exit 1: not all is live)
    assert shared.exit_code == 1, shared.output
    assert "easymo-system-overview:\n  still differs after the pull: ~ panel '5xx ratio by " \
        "service' fieldConfig.defaults.thresholds.steps" in shared.output
    differences = live_differences(api, folder, WAYS["classic"])
    assert set(differences) == {"easymo-system-overview"}


def test_a_dry_run_prints_the_change_to_the_sources_and_writes_nothing(api, tmp_path):
    folder, before = published(api, tmp_path)
    ui_edit(api, "easymo-error-tracking", lambda model: panel(
        model, "Failed payments /s by method")["fieldConfig"]["defaults"].update(unit="cps"))

    result = pull(api, folder, "--api", "legacy", "--dry-run")

    assert result.exit_code == 0, result.output
    assert texts(folder) == before
    assert result.output == (
        "easymo-error-tracking:\n"
        "  panel 'Failed payments /s by method' unit: 'ops' -> 'cps'\n"
        "--- a/error_tracking.py\n"
        "+++ b/error_tracking.py\n"
        "@@ -41,7 +41,7 @@\n"
        " payment_failures = panels.timeseries(\n"
        '     "Failed payments /s by method",\n'
        '     promql.rate_sum("payment_transactions_total", ["payment_method"], '
        'where={"status": e.PAYMENT_FAILED}),\n'
        '-    unit="ops", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)\n'
        '+    unit="cps", legend="{{payment_method}}", alert=a.HIGH_PAYMENT_FAILURES, w=12)\n'
        " \n"
        " whatsapp_failures = panels.timeseries(\n"
        '     "Failed WhatsApp messages /s by type",\n'
        "1 file would change\n")


def test_a_field_computed_in_the_sources_is_named_with_its_place_never_rewritten(api, tmp_path):
    folder, before = published(api, tmp_path)

    def computed(model: Model) -> None:  # a comprehension's query; a composite's panel
        panel(model, "Latency p50 / p95 / p99")["targets"][1]["legendFormat"] = "p95!"
    ui_edit(api, "easymo-service-health", computed)
    ui_edit(api, "easymo-system-overview", lambda model: panel(
        model, "Request rate by service")["fieldConfig"]["defaults"].update(unit="rps"))
    ui_edit(api, "easymo-infrastructure", lambda model: panel(  # made by a helper, as Redis is
        model, "PostgreSQL")["fieldConfig"]["defaults"].update(unit="bool"))
    ui_edit(api, "easymo-error-tracking", lambda model: panel(  # a composite's one panel
        model, "Firing alerts").update(description="What fires now"))

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 1
    assert ("  not pulled: panel 'Latency p50 / p95 / p99' query B legendFormat: 'p95' -> 'p95!': "
            "computed at service_health.py:32:6\n") in result.output, result.output
    assert ("  not pulled: panel 'Request rate by service' panel: built by the call "
            "at system_overview.py:27:10, which builds 4 panels\n") in result.output
    assert ("  not pulled: panel 'PostgreSQL' panel: built by the call at infrastructure.py:18:12, "
            "which builds 2 panels\n") in result.output
    assert ("  not pulled: panel 'Firing alerts' panel: built by the call at error_tracking.py:59:9,"
            " not its own builder call\n") in result.output
    assert texts(folder) == before


def test_a_panel_moved_in_grafana_is_pinned_where_it_was_put(api, tmp_path):
    folder, before = published(api, tmp_path)

    def swap(model: Model) -> None:  # DB connections dragged to the left of DB query p95
        panel(model, "DB query p95 by type and table")["gridPos"].update(x=12)
        panel(model, "DB connections")["gridPos"].update(x=0)
    ui_edit(api, "easymo-service-health", swap)

    result = pull(api, folder, "--api", "legacy")

    assert result.exit_code == 0, result.output
    assert texts(folder)["service_health.py"] == replaced(
        before["service_health.py"],
        ('    unit="s", min=0, legend="{{query_type}} {{table}}", w=12)\n',
         '    unit="s", min=0, legend="{{query_type}} {{table}}", w=12, x=12, y=39)\n'))
    # DB connections needs no pin: after the pinned panel the flow wraps, and the panel rises to
    # the first free row of its columns, which is where Grafana shows it
    assert live_differences(api, folder, WAYS["classic"]) == {}


def test_a_threshold_an_alert_draws_is_pulled_through_the_alerts_constant_only_when_shared(
        api, tmp_path):
    folder, before = published(api, tmp_path)
    ui_edit(api, "easymo-service-health", lambda model: panel(
        model, "CPU (cores)")["fieldConfig"]["defaults"]["thresholds"]["steps"][1].update(value=0.9))

    named = pull(api, folder, "--api", "legacy")

    assert named.exit_code == 1
    assert ("  not pulled: panel 'CPU (cores)' thresholds step 1 (alert HIGH_CPU_USAGE's limit): "
            "0.8 -> 0.9: the limit of alert HIGH_CPU_USAGE at alerts.py:50:40, which its rule "
            "shares; --shared rewrites it\n") in named.output, named.output
    assert texts(folder) == before

    shared = pull(api, folder, "--api", "legacy", "--shared")

    assert texts(folder) == {**before, "easymo.py": replaced(
        before["easymo.py"], ("HIGH_CPU_USAGE = 0.8   ", "HIGH_CPU_USAGE = 0.9   "))}
    # the panel's alert link names the limit too: the rebuild says so, Grafana's edit did not
    assert "still differs after the pull: ~ panel 'CPU (cores)' links:" in shared.output
