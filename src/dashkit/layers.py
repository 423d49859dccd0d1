"""The layer map: each layer of ``src/dashkit``, what it is for and the layers it may import.

The one place this is written: ``tests/test_architecture.py`` holds the import graph to it (and
it to the graph: a layer it lets import another must do so), and ``tests/test_layer_map.py``
holds the package docstrings, docs/project/architecture.md and the README to it. Data only.
"""
from __future__ import annotations

from typing import NamedTuple


class Layer(NamedTuple):
    """A layer's one-line purpose and the layers it imports (besides itself and the foundation)."""

    purpose: str
    imports: tuple[str, ...] = ()


#: Modules every layer may import; they import no layer, only each other (without a cycle).
FOUNDATION: dict[str, str] = {
    "errors": "one error type that knows where it happened, so every failure prints as one line",
    "text": "plain-text tables, and text from input written as a Python string literal",
    "sanitise": "text from input made safe to print, and the run's secrets never shown",
    "fileio": "files written whole or not at all, and YAML read within limits",
    "layers": "this map",
}

#: From the bottom up: a layer imports only layers listed before it, and only those it names.
LAYERS: dict[str, Layer] = {
    "grafana": Layer("facts about Grafana and its JSON model: limits, the model walker, loading, "
                     "migrating and comparing JSON, the v2 schema, the grid's compaction"),
    "query": Layer("the query languages: PromQL and LogQL builders, their analysis and macro "
                   "expansion, and the metric catalogs queries are checked against"),
    "sdk": Layer("what engineers write dashboards with: datasources, layout, panels, variables, "
                 "composites, alerts, Dashboard, and the compiler to Grafana JSON",
                 ("grafana", "query")),
    "lint": Layer("lint rules over Grafana JSON models, the exclusions file, running lint over "
                  "JSON files, the report", ("grafana", "query", "sdk")),
    "project": Layer("from a dashboards folder to provisioning files: the project loader, the build "
                     "pipeline (compile, lint, write atomically), provisioning YAML, rule files, "
                     "alertmanager.yml, the scaffold", ("grafana", "query", "sdk", "lint")),
    "clients": Layer("HTTP clients of Grafana, Prometheus and Loki over one bounded HTTP base"),
    "check": Layer("running every query of a dashboard against live datasources, and the report",
                   ("grafana", "query", "sdk", "clients")),
    "publishing": Layer("publishing compiled dashboards through Grafana's HTTP API",
                        ("grafana", "project", "clients")),
    "importer": Layer("Grafana JSON to dashkit Python modules, with the generated code checked "
                      "before it runs", ("grafana", "sdk", "lint", "project")),
    "preview": Layer("offline previews: each dashboard drawn as Grafana lays it out, from a live "
                     "Prometheus or synthetic data, and served with live reload",
                     ("grafana", "query", "sdk", "project", "clients", "check")),
    "pull": Layer("edits made in Grafana's editor written back into the Python that built them",
                  ("grafana", "sdk", "project", "clients", "publishing", "importer")),
    "cli": Layer("the thin command line: parses arguments, calls the library, prints",
                 ("grafana", "query", "lint", "project", "clients", "check", "publishing",
                  "importer", "preview", "pull")),
    "__main__": Layer("python -m dashkit: the same command line as dashkit, where the scripts "
                      "folder is not on PATH", ("cli",)),
}
