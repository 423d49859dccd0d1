"""Previews a reviewer believes (issue 25): synthetic values follow what the query and the unit
mean (ratios in range, failures low, successes high, restarts whole, uptimes hours to days) and
stay on the good side of the panel's thresholds, unless ``--crossing`` asks the panels that name
an alert to cross its limit; heatmaps have a bucket axis; logs panels keep only the lines their
query keeps; axis labels never overlap. Checked on values and on the pixels a person sees."""
from __future__ import annotations

from itertools import pairwise

import attrs
from click.testing import CliRunner
from conftest import DASHBOARDS
from test_preview import expected_box, model, panel, pixels, rgb

from dashkit.cli import main
from dashkit.grafana.model import iter_targets
from dashkit.preview import canvas
from dashkit.preview.data import Series, SyntheticData
from dashkit.preview.render import render_dashboard

GREEN, RED, ORANGE = "green", "red", "orange"


def steps(*pairs: tuple[float | None, str]) -> dict:
    return {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in pairs]}


def stat(title: str, expr: str, unit: str, thresholds: dict, grid=(0, 0, 6, 4), **extra) -> dict:
    return panel("stat", title, grid, expr,
                 options={"colorMode": "background", "reduceOptions": {"calcs": ["lastNotNull"]}},
                 fieldConfig={"defaults": {"unit": unit, "thresholds": thresholds}}, **extra)


def values(dashboard: dict, source: SyntheticData | None = None) -> list[list[float]]:
    """Every value of each target's series, one list a target, in panel order."""
    source = source or SyntheticData()
    return [[v for s in source.series(dashboard, ref) for v in s.values]
            for ref in iter_targets(dashboard)]


SUCCESS = ('sum(rate(payments_total{status="success"}[5m])) / '
           'sum(rate(payments_total{status=~"success|failed"}[5m]))')
FIVE_XX = ('sum by (route) (rate(http_requests_total{status_code=~"5.."}[5m])) / '
           'sum by (route) (rate(http_requests_total[5m]))')


def test_ratios_follow_their_numerator_failures_low_successes_high_and_stay_under_one():
    dashboard = model(
        panel("timeseries", "Success", (0, 0, 8, 8), SUCCESS,
              fieldConfig={"defaults": {"unit": "percentunit"}}),
        panel("timeseries", "5xx", (8, 0, 8, 8), FIVE_XX,
              fieldConfig={"defaults": {"unit": "percentunit"}}),
        panel("table", "Recorded", (16, 0, 8, 8), "service:http_request_errors:ratio_rate5m"),
        panel("timeseries", "Not 5xx", (0, 8, 8, 8),
              'sum(rate(http_requests_total{status_code!~"5.."}[5m])) / '
              'sum(rate(http_requests_total[5m]))'))
    success, five_xx, recorded, not_5xx = values(dashboard)
    assert success and not_5xx and all(0.85 <= v < 1 for v in success + not_5xx)
    assert five_xx and recorded and all(0 <= v <= 0.05 for v in five_xx + recorded)


def test_restarts_are_whole_and_uptimes_are_hours_to_days():
    dashboard = model(
        panel("stat", "Restarts", (0, 0, 6, 4),
              "sum(changes(process_start_time_seconds[$__range]))"),
        panel("stat", "Pod restarts", (6, 0, 6, 4),
              "sum(increase(kube_pod_container_status_restarts_total[1h]))"),
        panel("stat", "Uptime", (12, 0, 6, 4), "time() - process_start_time_seconds",
              fieldConfig={"defaults": {"unit": "s"}}),
        # Grafana's thresholds for a new panel (green, red from 80) mean nothing here
        panel("stat", "Redis uptime", (18, 0, 6, 4), "max(redis_uptime_in_seconds)",
              fieldConfig={"defaults": {"unit": "s",
                                        "thresholds": steps((None, GREEN), (80, RED))}}),
        panel("timeseries", "Host uptime", (0, 4, 12, 6),
              "node_time_seconds - node_boot_time_seconds"),
        panel("timeseries", "Restarts", (12, 4, 12, 6), "increase(kube_pod_last_terminated[5m])"))
    changes, increase, uptime, redis, host, terminated = values(dashboard)
    assert all(v == int(v) and 0 <= v <= 10 for v in changes + increase + terminated)
    assert all(3600 <= v <= 30 * 86400 for v in uptime + redis + host)


def test_targets_are_up_and_none_is_down():
    dashboard = model(panel("stat", "Up", (0, 0, 6, 4), "min by (job) (up)"),
                      panel("stat", "Down", (6, 0, 6, 4), "count(up) - sum(up)"),
                      panel("stat", "Counted", (12, 0, 6, 4), "sum(up)"))
    up, down, counted = values(dashboard)
    assert set(up) == {1.0} and set(down) == {0.0}
    assert all(v == int(v) and v >= 1 for v in counted)


def test_values_stay_on_the_green_side_of_the_thresholds_by_default():
    dashboard = model(
        stat("Payment success", SUCCESS, "percentunit",
             steps((None, RED), (0.95, ORANGE), (0.99, GREEN))),
        stat("5xx ratio", FIVE_XX, "percentunit",
             steps((None, GREEN), (0.01, ORANGE), (0.05, RED)), (6, 0, 6, 4)),
        stat("Failed /s", 'sum(rate(payments_total{status="failed"}[5m]))', "ops",
             steps((None, GREEN), (0.1, RED)), (12, 0, 6, 4)),
        stat("Restarts", "sum(changes(process_start_time_seconds[1h]))", "short",
             steps((None, GREEN), (1, RED)), (18, 0, 6, 4)),
        stat("Evictions /s", "sum(rate(redis_evicted_keys_total[5m]))", "ops",
             steps((None, GREEN), (1, RED)), (0, 4, 6, 4)),
        stat("Deadlocks in range", "sum(increase(pg_stat_database_deadlocks[$__range]))", "short",
             steps((None, GREEN), (1, RED)), (6, 4, 6, 4)))
    success, five_xx, failed, restarts, evictions, deadlocks = values(dashboard)
    assert all(0.99 <= v <= 1 for v in success)
    assert all(0 <= v < 0.01 for v in five_xx)
    assert all(0 <= v < 0.1 for v in failed)
    assert set(restarts) == set(deadlocks) == {0.0}
    assert all(0 <= v < 1 for v in evictions)
    image = pixels(render_dashboard(dashboard, SyntheticData()).png)
    for x, y in ((0, 0), (6, 0), (12, 0), (18, 0), (0, 4), (6, 4)):
        left, _, _, bottom = expected_box(x, y, 6, 4)
        assert image.getpixel((left + 4, bottom - 4)) == rgb(canvas.NAMED["green"]), (x, y)


def alerting(title: str, expr: str, unit: str, op: str, limit: float, thresholds: dict,
             grid: tuple[int, int, int, int]) -> dict:
    link = {"title": f"Alert: {title.replace(' ', '')} {op} {limit:g} for 5m", "url": "/alerting"}
    return stat(title, expr, unit, thresholds, grid, links=[link])


def test_crossing_pushes_the_panels_that_name_an_alert_over_its_limit():
    dashboard = model(
        alerting("Failed payments", 'sum(rate(payments_total{status="failed"}[5m]))', "ops",
                 ">", 0.1, steps((None, GREEN), (0.1, RED)), (0, 0, 6, 4)),
        alerting("Acceptance", SUCCESS, "percentunit", "<", 0.7,
                 steps((None, RED), (0.7, GREEN)), (6, 0, 6, 4)),
        alerting("Service down", "min(up)", "short", "==", 0,
                 steps((None, RED), (1, GREEN)), (12, 0, 6, 4)),
        stat("No alert", 'sum(rate(payments_total{status="failed"}[5m]))', "ops",
             steps((None, GREEN), (0.1, RED)), (18, 0, 6, 4)),
        stat("Firing alerts", 'count(ALERTS{alertstate="firing"}) or vector(0)', "short",
             steps((None, GREEN), (1, RED)), (0, 4, 6, 4)))
    failed, acceptance, up, quiet, firing = values(dashboard, SyntheticData(crossing=True))
    # healthy at first, over the limit at the end: the picture shows the crossing
    assert failed[0] < 0.1 < failed[-1] and acceptance[-1] < 0.7 < acceptance[0]
    assert (up[0], up[-1]) == (1, 0) and max(quiet) < 0.1
    assert firing[0] == 0 and firing[-1] in (1, 2)  # the alerts that fire are counted
    crossed = pixels(render_dashboard(dashboard, SyntheticData(crossing=True)).png)
    calm = pixels(render_dashboard(dashboard, SyntheticData()).png)
    for x, y in ((0, 0), (6, 0), (12, 0), (18, 0), (0, 4)):
        left, _, _, bottom = expected_box(x, y, 6, 4)
        assert calm.getpixel((left + 4, bottom - 4)) == rgb(canvas.NAMED[GREEN]), (x, y)
        shown = GREEN if x == 18 else RED
        assert crossed.getpixel((left + 4, bottom - 4)) == rgb(canvas.NAMED[shown]), (x, y)


def test_the_command_crosses_alerts_when_asked_and_says_so(tmp_path):
    result = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--out",
                                       str(tmp_path / "p"), "--crossing", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "synthetic data (seed 3, alerts crossing)" in result.output


ERRORS_ONLY = ('{service=~"$service"} | json | level=~"(?i)50|60|error|fatal" or '
               'level_extracted=~"(?i)50|60|error|fatal" | trace_id != ""')


def logs_panel(title: str, expr: str, grid: tuple[int, int, int, int]) -> dict:
    loki = {"type": "loki", "uid": "loki"}
    return {"type": "logs", "title": title, "gridPos": dict(zip("xywh", grid)), "datasource": loki,
            "targets": [{"refId": "A", "expr": expr, "datasource": loki}]}


def test_a_logs_panel_filtered_to_errors_shows_only_error_lines():
    dashboard = model(logs_panel("Errors", ERRORS_ONLY, (0, 0, 12, 10)),
                      logs_panel("Everything", '{service=~"$service"}', (12, 0, 12, 10)))
    image = pixels(render_dashboard(dashboard, SyntheticData()).png)

    def level_bars(grid):
        """The colours of the level bar left of each line (8 px inside the panel)."""
        left, top, _, bottom = expected_box(*grid)
        return {image.getpixel((left + 9, y)) for y in range(top + 30, bottom - 8)}

    info, warn, debug, error = (rgb(c) for c in ("#73BF69", "#FF9830", "#5794F2", "#F2495C"))
    assert error in level_bars((0, 0, 12, 10))
    assert not {info, warn, debug} & level_bars((0, 0, 12, 10))
    assert {info, error} <= level_bars((12, 0, 12, 10))  # the same lines, unfiltered


def test_synthetic_log_lines_honour_line_filters_and_level_matchers():
    source = SyntheticData()

    def lines(expr: str) -> list[tuple[str, str]]:
        dashboard = model(logs_panel("L", expr, (0, 0, 12, 8)))
        return [(line.level, line.text) for ref in iter_targets(dashboard)
                for line in source.logs(dashboard, ref)]

    timeouts = lines('{app="api"} |= "timeout"')
    assert timeouts and all("timeout" in text for _, text in timeouts)
    quiet = lines('{app="api", level!="info"} != "cache" !~ "slow|retry"')
    assert quiet and all(level != "info" and "cache" not in text and "slow" not in text
                         and "retry" not in text for level, text in quiet)
    assert {level for level, _ in lines('{app="api"} | logfmt | detected_level="warn"')} == {"warn"}
    deadlocks = lines('{app="api"} |= "deadlock"')  # no stock line says it: every line does
    assert deadlocks and all("deadlock" in text for _, text in deadlocks)
    # Grafana's variables, which synthetic data leaves as they are, keep every line (All, or
    # an empty text box), as the same query without them does
    assert lines('{app="api"} | logfmt | level=~"$level" |= "$filter"') == lines('{app="api"}')


def is_text(colour: tuple[int, int, int]) -> bool:
    """A pixel of the muted grey axis text (anti-aliased), not a cell, a line or the background."""
    return max(colour) - min(colour) < 24 and sum(colour) > 3 * 70


def test_a_heatmap_has_a_bucket_axis_clear_of_its_time_axis():
    from dashkit import Catalog, Metric

    catalog = Catalog("t", [Metric.histogram("latency_seconds", ["route"], buckets=(0.01, 0.1, 1, 5))])
    heat = panel("heatmap", "Latency", (0, 0, 12, 8),
                 "sum by (le) (rate(latency_seconds_bucket[5m]))", options={"yAxis": {"unit": "s"}})
    heat["targets"][0]["format"] = "heatmap"
    image = pixels(render_dashboard(model(heat), SyntheticData({"t": catalog})).png)
    left, top, right, bottom = expected_box(0, 0, 12, 8)
    area = [(x, y) for x in range(left + 2, right - 2) for y in range(top + 28, bottom - 2)]
    cells = [(x, y) for x, y in area
             if max(image.getpixel((x, y))) - min(image.getpixel((x, y))) > 40]
    cell_left, cell_bottom = min(x for x, _ in cells), max(y for _, y in cells)
    side = sorted({y for x, y in area if x < cell_left - 1 and is_text(image.getpixel((x, y)))})
    under = [(x, y) for x, y in area if y > cell_bottom + 1 and is_text(image.getpixel((x, y)))]
    # a label a bucket bound: 10 ms, 100 ms, 1 s, 5 s, +Inf, each its own band of pixel rows
    bands = sum(1 for a, b in pairwise([-9, *side]) if b - a > 1)
    assert bands == 5
    assert under and max(side) < min(y for _, y in under)  # the time labels are below them all
    assert all(x >= cell_left - 1 for x, _ in under)  # and none under the bucket axis


@attrs.define
class OneInstant:
    """Live data from a Prometheus that has scraped once (one point a series), or for a
    couple of minutes (``minutes``)."""

    label: str = "live"
    end: float = 1767225600.0
    minutes: int = 0

    def series(self, model, ref) -> list[Series]:
        times = tuple(self.end + 15 * i for i in range(self.minutes * 4 + 1))
        return [Series("ops", {}, times, (0.0,) * len(times))]

    def logs(self, model, ref) -> list:
        return []


def axis_words(source: OneInstant) -> int:
    """How many separate words the lowest line of axis text shows."""
    quiet = panel("timeseries", "Ops", (0, 0, 6, 6), "sum(rate(x_total[5m]))",
                  options={"legend": {"showLegend": False}},
                  fieldConfig={"defaults": {"unit": "short"}})
    image = pixels(render_dashboard(model(quiet), source).png)
    left, top, right, bottom = expected_box(0, 0, 6, 6)
    rows = [y for y in range(top + 28, bottom - 2)
            if any(is_text(image.getpixel((x, y))) for x in range(left + 2, right - 2))]
    lowest = [y for y in rows if y > max(a for a, b in pairwise(rows) if b - a > 1)]
    columns = sorted({x for x in range(left + 2, right - 2) for y in lowest
                      if is_text(image.getpixel((x, y)))})
    return 1 + sum(1 for a, b in pairwise(columns) if b - a > 4)


def test_the_value_axis_labels_never_overlap_the_time_labels():
    assert axis_words(OneInstant()) == 2  # "0" on the value axis and one "00:00" beside it


def test_a_range_of_minutes_shows_each_time_once():
    assert axis_words(OneInstant(minutes=2)) == 3  # "0", "00:00", "00:01"


@attrs.define
class Buckets:
    """Prometheus's answer for a heatmap's query, unsorted and cumulative: 2 requests under 1 s,
    10 under 2 s, so 2, 8 and 0 in the three buckets."""

    label: str = "live"
    end: float = 1767225600.0

    def series(self, model, ref) -> list[Series]:
        times = tuple(self.end - 60 * i for i in range(30, 0, -1))
        return [Series(le, {"le": le}, times, (count,) * 30)
                for le, count in (("+Inf", 10.0), ("2", 10.0), ("1", 2.0))]

    def logs(self, model, ref) -> list:
        return []


def test_a_heatmap_counts_each_bucket_once_lowest_at_the_bottom():
    heat = panel("heatmap", "Latency", (0, 0, 12, 8), "sum by (le) (rate(x_bucket[5m]))")
    heat["targets"][0]["format"] = "heatmap"
    image = pixels(render_dashboard(model(heat), Buckets()).png)
    left, top, right, bottom = expected_box(0, 0, 12, 8)
    middle = (left + right) // 2
    column = [image.getpixel((middle, y)) for y in range(top + 28, bottom - 2)]
    cells = [c for c in column if c != rgb(canvas.PANEL_BG)]
    # three rows of cells, top to bottom: +Inf empty, 1-2 s the brightest (8), under 1 s (2)
    empty, most, few = (sum(cells[i]) for i in (5, len(cells) // 2, -5))
    assert empty < few < most


def test_serve_redraws_with_the_crossing_it_was_given(monkeypatch, tmp_path):
    import dashkit.preview.serve as serving

    given: list[list[str]] = []
    monkeypatch.setattr(serving, "serve", lambda folder, out, options, *rest: given.append(options))
    result = CliRunner().invoke(main, ["serve", "--dashboards", str(DASHBOARDS), "--out",
                                       str(tmp_path / "p"), "--crossing", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert given == [["--seed=2", "--crossing"]]


def test_quantiles_of_one_histogram_stay_in_order():
    quantiles = [panel("timeseries", f"p{q}", (0, 0, 12, 8), f"histogram_quantile({q}, sum by "
                       "(le) (rate(http_request_duration_seconds_bucket[5m])))") for q in
                 ("0.5", "0.95", "0.99")]
    dashboard = model({**quantiles[0], "targets": [
        {**p["targets"][0], "refId": ref} for p, ref in zip(quantiles, "ABC")],
        "fieldConfig": {"defaults": {"unit": "s"}}})
    for seed in range(8):  # apart, p95 and p99 would cross now and then
        p50, p95, p99 = values(dashboard, SyntheticData(seed=seed))
        assert all(a < b < c for a, b, c in zip(p50, p95, p99)), seed
        assert max(p50) < min(p99) / 2  # the median well under the tail
