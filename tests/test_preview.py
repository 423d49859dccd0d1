"""``dashkit preview``: pictures of dashboards, checked pixel by pixel. Panels are where their
gridPos puts them on Grafana's grid (30 px rows, 8 px margins: tests compute it themselves from
those numbers), stats take their threshold's colour, collapsed rows are bars, an empty query says
"No data"; the same input gives the same bytes; every corpus dashboard draws without a crash."""
from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from conftest import DASHBOARDS, PROJECT_UIDS, SHARED
from PIL import Image  # matplotlib's own dependency

from dashkit.cli import main
from dashkit.preview import canvas
from dashkit.preview.collect import select
from dashkit.preview.data import SyntheticData
from dashkit.preview.render import render_all, render_dashboard
from dashkit.preview.units import format_value

CORPUS = SHARED / "corpus"
PROM = {"type": "prometheus", "uid": "prom"}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def expected_box(x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
    """Grafana's grid, from its numbers: 24 columns of 59 px (a 1600 px page with 16 px padding),
    30 px rows, 8 px between cells, below a 48 px header."""
    left = 16 + x * (59 + 8)
    top = 48 + y * (30 + 8)
    return left, top, left + w * 59 + (w - 1) * 8, top + h * 30 + (h - 1) * 8


def panel(kind: str, title: str, grid: tuple[int, int, int, int], expr: str = "", **extra):
    x, y, w, h = grid
    return {"type": kind, "title": title, "gridPos": {"x": x, "y": y, "w": w, "h": h},
            "datasource": PROM, "targets": [{"refId": "A", "expr": expr, "datasource": PROM}],
            **extra}


def model(*panels, uid: str = "t") -> dict:
    return {"uid": uid, "title": "T", "panels": list(panels), "time": {"from": "now-1h", "to": "now"},
            "templating": {"list": []}}


def red_stat(threshold: float, grid=(0, 0, 6, 4), kind: str = "stat") -> dict:
    return panel(kind, f"Stat over {threshold}", grid, "sum(rate(http_requests_total[5m]))",
                 options={"colorMode": "background", "reduceOptions": {"calcs": ["lastNotNull"]}},
                 fieldConfig={"defaults": {"unit": "reqps", "thresholds": {"mode": "absolute", "steps": [
                     {"color": "green", "value": None}, {"color": "red", "value": threshold}]}}})


@pytest.mark.parametrize("value,unit,shown", [
    (1532, "bytes", "1.50 KiB"), (2.5e9, "decbytes", "2.50 GB"), (1e6, "short", "1 Mil"),
    (1500, "reqps", "1.50K req/s"), (12, "reqps", "12 req/s"), (3, "ops", "3 ops"),
    (1532.82, "currencyUSD", "$1.53K"), (0.052, "percentunit", "5.20%"), (99.5, "percent", "99.5%"),
    (0.035, "s", "35 ms"), (45, "s", "45 s"), (7200, "s", "2 hour"), (1500, "ms", "1.50 s"),
    (0.25, "none", "0.250"), (123, "widgets", "123 widgets"), (0, "s", "0 s"),
])
def test_units_read_as_grafana_shows_them(value, unit, shown):
    assert format_value(value, unit) == shown


def test_each_panel_is_where_its_grid_position_says():
    grids = [(0, 0, 12, 8), (12, 0, 12, 4), (6, 8, 8, 5), (14, 4, 10, 3)]  # compact: Grafana's grid
    picture = render_dashboard(model(*(panel("timeseries", f"P{i}", g, "up")
                                       for i, g in enumerate(grids))), SyntheticData())
    image = pixels(picture.png)
    for grid, drawn in zip(grids, picture.panels):
        left, top, right, bottom = expected_box(*grid)
        assert (drawn.box.left, drawn.box.top, drawn.box.right, drawn.box.bottom) == (left, top, right, bottom)
        # the panel's own background just inside its corners (border excluded) ...
        for x, y in ((left + 3, top + 3), (right - 3, bottom - 3), (left + 3, bottom - 3)):
            assert image.getpixel((x, y)) == rgb(canvas.PANEL_BG), (drawn.title, x, y)
        # ... and the page just outside them, in the margin
        for x, y in ((left - 4, top + 10), (right + 4, bottom - 10)):
            if 0 <= x < image.width and all(not (g[0] * 67 + 16 <= x <= g[0] * 67 + 16 + g[2] * 67)
                                            for g in grids if g != grid):
                assert image.getpixel((x, y)) == rgb(canvas.PAGE_BG), (drawn.title, x, y)


@pytest.mark.parametrize("kind", ["stat", "singlestat"])  # Grafana shows a singlestat as a stat
def test_a_stat_over_its_red_threshold_has_a_red_background(kind):
    picture = render_dashboard(model(red_stat(0.0, kind=kind), red_stat(1e12, (6, 0, 6, 4), kind)),
                               SyntheticData())
    image = pixels(picture.png)
    left, _, _, bottom = expected_box(0, 0, 6, 4)
    assert image.getpixel((left + 4, bottom - 4)) == rgb(canvas.NAMED["red"])
    left, _, _, bottom = expected_box(6, 0, 6, 4)
    assert image.getpixel((left + 4, bottom - 4)) == rgb(canvas.NAMED["green"])


def test_a_collapsed_row_is_a_bar_and_hides_its_panels():
    row = {"type": "row", "title": "Details", "collapsed": True, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
           "panels": [panel("timeseries", "Hidden", (0, 1, 24, 8), "up")]}
    after = panel("timeseries", "After", (0, 1, 24, 6), "up")
    picture = render_dashboard(model(row, after), SyntheticData())
    image = pixels(picture.png)
    left, top, right, _ = expected_box(0, 0, 24, 1)
    assert [p.status for p in picture.panels] == ["collapsed row", "drawn"]
    for x in (left + 2, (left + right) // 2, right - 2):
        assert image.getpixel((x, top + 2)) == rgb(canvas.ROW_BAR)
    assert "Hidden" not in [p.title for p in picture.panels]


def test_an_empty_query_draws_no_data():
    empty = panel("timeseries", "Empty", (0, 0, 12, 8), "")
    full = panel("timeseries", "Full", (12, 0, 12, 8), "sum(rate(http_requests_total[5m]))")
    picture = render_dashboard(model(empty, full), SyntheticData())
    assert [p.status for p in picture.panels] == ["No data", "drawn"]
    image = pixels(picture.png)
    series_colours = {rgb(c) for c in canvas.PALETTE}

    def colours(grid):
        left, top, right, bottom = expected_box(*grid)
        return {image.getpixel((x, y)) for x in range(left + 8, right - 8, 2)
                for y in range(top + 30, bottom - 6, 2)}

    empty_colours, full_colours = colours((0, 0, 12, 8)), colours((12, 0, 12, 8))
    assert not empty_colours & series_colours and len(empty_colours) > 2  # text, no lines
    assert full_colours & series_colours


def test_the_same_input_gives_the_same_bytes_and_the_seed_changes_them():
    dashboard = model(panel("timeseries", "P", (0, 0, 12, 8), "sum by (service) (rate(x[5m]))"))
    first = render_dashboard(dashboard, SyntheticData(seed=1)).png
    assert render_dashboard(dashboard, SyntheticData(seed=1)).png == first
    assert render_dashboard(dashboard, SyntheticData(seed=2)).png != first


def test_unknown_types_and_hostile_models_draw_a_placeholder_never_a_crash():
    odd = [panel("grafana-worldmap-panel", "Map", (0, 0, 12, 8)),
           {"type": "stat", "title": None, "gridPos": {"x": "a", "y": -3, "w": 99, "h": 0}},
           {"type": "timeseries", "targets": "nonsense", "gridPos": None, "fieldConfig": []},
           {"type": "stat", "targets": [{"expr": "up"}], "fieldConfig": [1], "options": "x"},
           {"type": "gauge", "title": "x" * 500, "gridPos": {"x": 0, "y": 20, "w": 6, "h": 4},
            "fieldConfig": {"defaults": {"thresholds": {"steps": [{"color": "#zzz", "value": "q"}]}}}}]
    picture = render_dashboard(model(*odd), SyntheticData())
    assert picture.panels[0].status == "placeholder"
    assert picture.png.startswith(b"\x89PNG")


def test_every_corpus_dashboard_previews(tmp_path):
    selection = select([str(CORPUS)], DASHBOARDS)
    assert len(selection.models) == 18
    pictures = render_all(selection.models, SyntheticData())
    assert all(p.png.startswith(b"\x89PNG") and p.panels for p in pictures)
    drawn = sum(x.status == "drawn" for p in pictures for x in p.panels)
    assert drawn > 100  # most corpus panels are drawn, not placeholders


def test_the_command_writes_a_picture_per_dashboard_and_a_page(tmp_path):
    out = tmp_path / "preview"
    result = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{uid}.png" for uid in PROJECT_UIDS] + ["index.html", ".dashkit-build"])
    page = (out / "index.html").read_text()
    assert all(f'src="{uid}.png?v=' in page for uid in PROJECT_UIDS)
    assert "synthetic data (seed 0)" in result.output


def test_the_command_refuses_a_folder_it_did_not_write_and_unknown_uids(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    refused = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--out", str(mine)])
    assert refused.exit_code == 1 and (mine / "keep.txt").read_text() == "mine"
    unknown = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--out",
                                        str(tmp_path / "p"), "no-such-uid"])
    assert unknown.exit_code == 1 and "no dashboard with uid no-such-uid" in unknown.output
    assert not (tmp_path / "p").exists()


def test_a_hostile_uid_never_names_a_path(tmp_path):
    source = tmp_path / "evil.json"
    source.write_text(json.dumps(model(panel("timeseries", "P", (0, 0, 12, 8), "up"),
                                       uid="../../escape")))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["preview", "--out", str(out), str(source)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.glob("*.png")] == ["______escape.png"]
    assert not list(tmp_path.parent.glob("escape*")) and not list(tmp_path.glob("escape*"))


def test_a_repeated_panel_is_drawn_once_and_marked():
    repeated = panel("timeseries", "Per service", (0, 0, 12, 8), "up", repeat="service")
    picture = render_dashboard(model(repeated), SyntheticData())
    assert [(p.title, p.repeated_by) for p in picture.panels] == [("Per service", "service")]


def test_synthetic_counters_rise_their_rates_are_positive_and_quantiles_sit_in_the_buckets():
    from dashkit import Catalog, Metric
    from dashkit.grafana.model import iter_targets

    catalog = Catalog("t", [Metric.counter("jobs_total", ["queue"]),
                            Metric.histogram("latency_seconds", ["route"], buckets=(0.01, 0.1, 1, 5))],
                      label_values={"queue": ["mail", "sms"]})
    dashboard = model(
        panel("timeseries", "Raw", (0, 0, 8, 8), "jobs_total"),
        panel("timeseries", "Rate", (8, 0, 8, 8), "sum by (queue) (rate(jobs_total[5m]))"),
        panel("timeseries", "p95", (16, 0, 8, 8), "histogram_quantile(0.95, sum by (le) "
              "(rate(latency_seconds_bucket[5m])))", fieldConfig={"defaults": {"unit": "s"}}))
    source = SyntheticData({"t": catalog})
    raw, rate, p95 = (source.series(dashboard, ref) for ref in iter_targets(dashboard))
    assert all(list(s.values) == sorted(s.values) for s in raw)
    assert {s.labels["queue"] for s in rate} == {"mail", "sms"}
    assert all(v > 0 for s in rate for v in s.values)
    assert all(0.01 <= v <= 5 for s in p95 for v in s.values)


def test_the_serve_page_answers_hostile_requests_with_a_404_never_a_file_outside(tmp_path):
    """dashkit serve's HTTP side on loopback, without a browser: only the preview folder's
    pictures are served; paths that climb out, odd names and a bad ``since`` are answered."""
    import http.client
    import threading
    from http.server import ThreadingHTTPServer

    from dashkit.preview.serve import PageState, _handler

    out = tmp_path / "preview"
    out.mkdir()
    (out / "d.png").write_bytes(b"\x89PNG picture")
    (tmp_path / "secret.png").write_bytes(b"secret")
    live = PageState(out)
    live.publish("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(live))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(path: str) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            connection.request("GET", path)
            answer = connection.getresponse()
            return answer.status, answer.read()

        assert get("/d.png") == (200, b"\x89PNG picture")
        for path in ("/../secret.png", "/%2e%2e/secret.png", "/..%2Fsecret.png", "//etc/passwd",
                     "/preview/../secret.png", "/d.png/..", "/nothing.png", "/index.html"):
            status, body = get(path)
            assert status == 404 and b"secret" not in body, path
        assert get("/events?since=abc") == (200, b"data: 1\n\n")  # read as 0: reload, no crash
        assert b"d.png" in get("/")[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_bad_time_range_is_one_line():
    result = CliRunner().invoke(main, ["preview", "--dashboards", str(DASHBOARDS), "--time", "abc"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --time 'abc': give FROM,TO, e.g. now-6h,now"]
