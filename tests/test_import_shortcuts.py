"""The import's shortcuts, each held to the full path it stands in for: the same output, on the
corpus and on hand-made dashboards that reach the cases a shortcut could get wrong.

- The first pass is not rendered (``generator.first_pass``): its notes and the dashboard it
  builds from its calls are those of the rendered pass's module, run.
"""
from __future__ import annotations

import json

import pytest
from conftest import SHARED

from dashkit.grafana.normalise import Loaded, load_json
from dashkit.importer.codecheck import run_module
from dashkit.importer.generator import first_pass, generate_pass
from dashkit.sdk.compiler import compile_dashboard

CORPUS = sorted((SHARED / "corpus").glob("*.json"))

#: Notes from every part of a pass (migration, grid, settings, links, a derived uid), a shared
#: datasource, a repeated selector, a passthrough panel, a row, and a dashboard-level extra.
HAND = {"title": "Hand", "refresh": 5, "editable": "yes", "graphTooltip": 1.5,
        "weekStart": "monday", "liveNow": True, "tags": ["a"],
        "links": [{"title": "L", "tags": "one", "bogus": 1}],
        "time": {"from": "now-1h", "to": "now", "note": "kept"},
        "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(job)",
                                 "datasource": {"type": "prometheus", "uid": "p"}}]},
        "annotations": {"list": [{"name": "deploys", "expr": "changes(x[5m])",
                                  "datasource": {"type": "prometheus", "uid": "p"}}]},
        "panels": [
            {"type": "timeseries", "title": "A", "gridPos": {"x": 0, "y": 3, "w": 12, "h": 8},
             "datasource": {"type": "prometheus", "uid": "p"},
             "targets": [{"expr": f'rate(x{{job="$job", instance="$i"}}[{n}m])'}
                         for n in range(3)]},
            {"type": "row", "title": "R", "collapsed": True, "gridPos": {"y": 20},
             "panels": [{"type": "stat", "title": "S", "unit": "s",
                         "datasource": {"type": "prometheus", "uid": "q"},
                         "targets": [{"expr": 'up{job="$job", instance="$i"}'}]},
                        {"type": "some-plugin-panel", "title": "P", "options": {"x": 1}}]}]}


def _loaded() -> list[Loaded]:
    found = [item for path in CORPUS for item in load_json(path.name, path.read_bytes())]
    return [*found, *load_json("hand.json", json.dumps(HAND))]


@pytest.mark.parametrize("loaded", _loaded(), ids=lambda loaded: loaded.source)
def test_the_first_pass_is_the_rendered_pass(loaded):
    notes, build = first_pass(loaded)
    rendered = generate_pass(loaded, "module")
    assert notes == rendered.notes
    dashboard = run_module(rendered.source)["dashboard"]
    assert compile_dashboard(build(), strict=False) == compile_dashboard(dashboard, strict=False)


def test_the_hand_dashboard_reaches_the_notes():
    """HAND's notes come from the settings, the links, the grid and the derived uid."""
    notes = first_pass(load_json("hand.json", json.dumps(HAND))[0])[0]
    assert len(notes) >= 5, notes
