"""EasyMO's dashboards against the real Prometheus (Debian package) scraping real exporters and
the EasyMO services' stand-in: every Prometheus query of every dashboard, with its variables
resolved through the Prometheus API and its ``$__…`` macros expanded as Grafana would, returns
data; and ``dashkit catalog`` reads back a catalog that agrees with EasyMO's contract."""
from __future__ import annotations

import pytest
from stack import SCRAPE_INTERVAL

from dashkit.check.resolve import resolve_variables, time_context
from dashkit.check.runner import Status, check_dashboard

pytestmark = pytest.mark.live


#: Service Health is checked for a service with its own job and one of the five sharing a job.
VARIABLE_CASES = [
    ("easymo-system-overview", {}),
    ("easymo-service-health", {}),
    ("easymo-service-health", {"service": "message-service"}),
    ("easymo-business-metrics", {}),
    ("easymo-error-tracking", {}),
    ("easymo-infrastructure", {}),
]


@pytest.mark.parametrize("uid,overrides", VARIABLE_CASES,
                         ids=[f"{u}{'-' + '-'.join(o.values()) if o else ''}" for u, o in VARIABLE_CASES])
def test_every_query_returns_data(uid, overrides, compiled, prometheus):
    model = compiled[uid].model
    result = check_dashboard(model, prometheus, scrape_interval=SCRAPE_INTERVAL, overrides=overrides)
    queries = [q for q in result.queries if q.datasource == "prometheus"]
    assert queries, "the dashboard has no Prometheus query"
    empty = [f"{q.panel} [{q.ref_id}]: {q.expr} ({q.status.value} {q.message})" for q in queries
             if q.status is not Status.OK or not q.series]
    assert not empty, "queries that return nothing:\n" + "\n".join(empty)


def test_variables_resolve_through_the_api(compiled, prometheus):
    model = compiled["easymo-service-health"].model
    context = time_context(model, {}, scrape_interval=SCRAPE_INTERVAL)
    values = resolve_variables(model, prometheus, context)
    # single-value service variable: the first service alphabetically, as Grafana preselects
    assert values["service"] == ["admin-app"]
    assert values["datasource"] == "prometheus"
    # chained on $service: All is that service's instances only, not ".*"
    assert values["instance"] == ["admin-app:3000"]
    shared_job = resolve_variables(model, prometheus, context, {"service": "message-service"})
    assert shared_job["instance"] == ["message-service:3007"]


def test_catalog_command_reads_the_real_prometheus(live_stack, tmp_path, project):
    """``dashkit catalog`` against the real Prometheus, exporters and services: the module it
    writes agrees with EasyMO's hand-written contract (the services' stand-in is written apart
    from it), and the five dashboards build against it with every catalog check on."""
    import importlib.util

    import attrs
    import easymo
    from click.testing import CliRunner

    from dashkit.cli import main
    from dashkit.sdk.compiler import compile_dashboard

    out = tmp_path / "catalog.py"
    result = CliRunner().invoke(main, ["catalog", "--prometheus-url", live_stack.prometheus_url,
                                       "--out", str(out), "--name", "easymo"])
    assert result.exit_code == 0, result.output
    spec = importlib.util.spec_from_file_location("discovered_catalog", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    own = {m.name: m for m in module.OWN}
    for metric in easymo.CONTRACT:
        found = own[metric.name]
        assert (found.type, found.labels, found.buckets) == (
            metric.type, metric.labels, metric.buckets), metric.name
    assert own["http_request_duration_seconds"].unit == "s"
    assert not [n for n in own if n.endswith(("_bucket", "_sum", "_count"))]
    assert not [n for n in own if n.startswith(("go_", "node_", "pg_", "redis_", "nodejs_"))]
    assert own["payment_amount_usd"].unit == "currencyUSD"
    assert module.CATALOG.name == ("easymo+prom-client('nodejs_')+node-exporter+postgres-exporter"
                                   "+redis-exporter+prometheus")
    for source in project.sources:
        compile_dashboard(attrs.evolve(source.dashboard, catalog=module.CATALOG))


def test_preview_draws_real_data_from_the_real_prometheus(live_stack, tmp_path):
    """``dashkit preview --prometheus-url``: every Prometheus panel of the five dashboards is drawn
    from real data (variables resolved as check does); only the logs panels, with no Loki given,
    say No data."""
    from click.testing import CliRunner
    from conftest import DASHBOARDS

    from dashkit.cli import main
    from dashkit.cli.preview import data_source
    from dashkit.preview.collect import select
    from dashkit.preview.render import render_all

    selection = select([], DASHBOARDS)
    source = data_source(selection.catalogs, live_stack.prometheus_url, None, ("now-5m", "now"), 0)
    pictures = render_all(selection.models, source)
    from dashkit.grafana.model import iter_targets

    loki = {(m["uid"], ref.panel.get("title")) for m in selection.models for ref in iter_targets(m)
            if ref.language == "logql"}
    empty = [(p.uid, x.title) for p in pictures for x in p.panels
             if x.status == "No data" and (p.uid, x.title) not in loki]
    assert empty == []
    assert all(live_stack.prometheus_url in p.source for p in pictures)
    result = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--out",
                                       str(tmp_path / "p"), "--prometheus-url",
                                       live_stack.prometheus_url, "--time", "now-5m,now"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "p").glob("*.png"))) == len(pictures)
