"""Catalogs read off a live Prometheus: ``dashkit catalog`` writes the metrics a team's services
really expose as a catalog module, so their dashboards are checked within minutes of starting.

Types, help and units come from the metadata API; label names from the series themselves.
Histogram and summary series fold into their family. Metrics of the exporters dashkit knows
(node, postgres and redis exporters, Prometheus itself, prom-client) are left to the built-in
catalogs, which list the names every generation of those exporters exposes.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import attrs

from dashkit.errors import DashkitError
from dashkit.fileio import replace_file
from dashkit.query import exporter_catalogs
from dashkit.query.catalog import TARGET_LABELS, Catalog, Metric, MetricType
from dashkit.sanitise import printable
from dashkit.text import counted, python_string

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
#: Series Prometheus writes itself for every target and rule: the built-in PROMETHEUS catalog's.
SYNTHETIC = re.compile(r"(up|scrape_[a-z_]+|ALERTS|ALERTS_FOR_STATE)\Z")
#: The first line of every module ``dashkit catalog`` writes: what it may overwrite.
MARKER = "# Written by `dashkit catalog`"
#: The longest line the written module has, as in the project's own modules.
LINE = 99
#: Help texts longer than this are cut: a catalog is read by people.
MAX_HELP = 200

#: Grafana units for OpenMetrics unit names, and for the naming conventions' name suffixes when
#: the metadata has no unit (Prometheus 2.x fills it in only for OpenMetrics targets).
UNITS = {"seconds": "s", "milliseconds": "ms", "bytes": "bytes", "ratio": "percentunit",
         "percent": "percent", "celsius": "celsius", "volts": "volt", "joules": "joule",
         "hertz": "hertz", "meters": "lengthm", "usd": "currencyUSD"}
#: Metadata types and how the catalog records them ("unknown" and friends read as gauges).
TYPES = {"counter": MetricType.COUNTER, "gauge": MetricType.GAUGE,
         "histogram": MetricType.HISTOGRAM, "gaugehistogram": MetricType.HISTOGRAM,
         "summary": MetricType.SUMMARY, "info": MetricType.INFO, "stateset": MetricType.GAUGE,
         "unknown": MetricType.GAUGE}
#: Series a family of each type exposes, by name suffix (a counter's family may lack ``_total``
#: under OpenMetrics; an info family may lack ``_info``).
FAMILY_SUFFIXES = {MetricType.HISTOGRAM: ("_bucket", "_sum", "_count"),
                   MetricType.SUMMARY: ("", "_sum", "_count"),
                   MetricType.COUNTER: ("", "_total"), MetricType.INFO: ("", "_info"),
                   MetricType.GAUGE: ("",)}
#: Families that OpenMetrics exporters give a ``_created`` series (when it started counting):
#: a timestamp beside the family, not a metric (Prometheus types it a gauge in the text format).
CREATED_BESIDE = (MetricType.COUNTER, MetricType.HISTOGRAM, MetricType.SUMMARY)
#: Under OpenMetrics the metadata names the family; queries name its samples: the counter
#: ``http_requests`` is queried as ``http_requests_total``, the info ``build`` as ``build_info``.
SAMPLE_SUFFIX = {MetricType.COUNTER: "_total", MetricType.INFO: "_info"}
#: Labels a family's own series carry that the catalog does not list as the metric's labels.
FAMILY_LABELS = {MetricType.HISTOGRAM: {"le"}, MetricType.SUMMARY: {"quantile"}}
#: Built-in catalogs recognised by their metrics, and how the written module names them.
EXPORTERS = (("catalogs.NODE_EXPORTER", exporter_catalogs.NODE_EXPORTER),
             ("catalogs.POSTGRES_EXPORTER", exporter_catalogs.POSTGRES_EXPORTER),
             ("catalogs.REDIS_EXPORTER", exporter_catalogs.REDIS_EXPORTER))
#: prom-client is recognised by this metric, whatever prefix the service gave it.
PROM_CLIENT_SIGNATURE = "nodejs_heap_size_total_bytes"


class MetricSource(Protocol):
    """What discovery reads from Prometheus (``PrometheusClient`` is one)."""
    def metadata(self) -> Mapping[str, Any]: ...
    def series(self, match: str) -> list[Any]: ...


@attrs.frozen
class Discovery:
    """What a Prometheus exposes, as catalog metrics and the built-in catalogs that cover the rest."""
    metrics: tuple[Metric, ...]
    #: Python expressions of the built-in catalogs used ("catalogs.NODE_EXPORTER", ...).
    builtins: tuple[str, ...]
    #: Jobs of recognised exporters, and how many of their metrics the built-in catalogs omit.
    left_to_builtins: Mapping[str, int]
    #: Names that are not valid metric or label names, left out.
    skipped: tuple[str, ...] = ()

    def catalog(self, name: str) -> Catalog:
        return Catalog(name, self.metrics)


def discover(source: MetricSource, match: str = '{__name__=~".+"}') -> Discovery:
    """Read metadata and series from ``source`` and fold them into a :class:`Discovery`."""
    return fold(source.metadata(), source.series(match))


def fold(metadata: Mapping[str, Any], series: Iterable[Any]) -> Discovery:
    """The catalog that ``metadata`` (the metadata API's answer) and ``series`` (label sets from
    the series API) describe. Either may be hostile: entries of the wrong shape are ignored."""
    skipped: set[str] = set()
    by_name: dict[str, list[dict[str, str]]] = {}
    for labels in series:
        if not isinstance(labels, dict) or not isinstance(labels.get("__name__"), str):
            continue
        name = labels["__name__"]
        clean = {k: str(v) for k, v in labels.items() if isinstance(k, str) and k != "__name__"}
        bad = [k for k in clean if not LABEL_NAME.match(k)]
        if not METRIC_NAME.match(name) or bad:
            skipped.add(printable(name)[:80])
            continue
        by_name.setdefault(name, []).append(clean)

    builtins, covered, exporter_jobs = _recognise(by_name)
    families = _families(metadata, by_name)
    metrics: list[Metric] = []
    left_out: dict[str, int] = {}
    for family, (metric_type, info, names) in sorted(families.items()):
        if any(n in covered or SYNTHETIC.match(n) for n in names):
            continue
        samples = [labels for n in names for labels in by_name[n]]
        jobs = {labels.get("job", "") for labels in samples}
        if jobs and jobs <= exporter_jobs:
            for job in jobs:
                left_out[job] = left_out.get(job, 0) + 1
            continue
        metrics.append(_metric(family, metric_type, info, samples))
    return Discovery(tuple(metrics), tuple(builtins), dict(sorted(left_out.items())),
                     tuple(sorted(skipped)))


def _recognise(by_name: Mapping[str, list[dict[str, str]]]) -> tuple[list[str], set[str], set[str]]:
    """The built-in catalogs that apply, the series they cover, and the jobs that are exporters."""
    builtins: list[str] = []
    covered: set[str] = set()
    exporter_jobs: set[str] = set()
    for prefix in sorted({n[:-len(PROM_CLIENT_SIGNATURE)] for n in by_name
                          if n.endswith(PROM_CLIENT_SIGNATURE)}):
        builtins.append(f"catalogs.prom_client({_literal(prefix)})")
        covered |= _series_names(exporter_catalogs.prom_client(prefix))
    own_prometheus = {n for n in by_name if n.startswith("prometheus_")}
    for expression, catalog in (*EXPORTERS, ("catalogs.PROMETHEUS", exporter_catalogs.PROMETHEUS)):
        names = _series_names(catalog)
        present = {n for n in names & set(by_name) if not SYNTHETIC.match(n)}
        if catalog is exporter_catalogs.PROMETHEUS:
            present |= own_prometheus  # up and ALERTS exist on every Prometheus: always used
        elif not present:
            continue
        builtins.append(expression)
        covered |= names
        exporter_jobs |= {labels.get("job", "") for n in present for labels in by_name[n]}
    exporter_jobs.discard("")
    return builtins, covered, exporter_jobs


def _series_names(catalog: Catalog) -> set[str]:
    return {name for metric in catalog for name in metric.series()}


def _families(metadata: Mapping[str, Any], by_name: Mapping[str, list[dict[str, str]]]
              ) -> dict[str, tuple[MetricType, Mapping[str, str], list[str]]]:
    """Each family with its type, its metadata and the series names it claims; series no
    metadata claims get a type from their name (recording rules, targets without metadata)."""
    families: dict[str, tuple[MetricType, Mapping[str, str], list[str]]] = {}
    claimed: set[str] = set()
    for family in sorted(k for k in metadata if isinstance(k, str) and METRIC_NAME.match(k)):
        info = _first_entry(metadata[family])
        metric_type = TYPES.get(str(info.get("type", "unknown")), MetricType.GAUGE)
        names = [family + s for s in FAMILY_SUFFIXES[metric_type]
                 if family + s in by_name and family + s not in claimed]
        if names:
            suffix = SAMPLE_SUFFIX.get(metric_type, "")
            queried = family + suffix if suffix and family + suffix in names else family
            families[queried] = (metric_type, info, names)
            claimed.update(names)
    created = {family.removesuffix("_total") + "_created" for family, (kind, _, _)
               in families.items() if kind in CREATED_BESIDE}
    for name in created & set(families):
        claimed.difference_update(families.pop(name)[2])
    claimed |= created
    for name in sorted(set(by_name) - claimed):
        if name in claimed:
            continue
        base = name.removesuffix("_bucket")
        if name != base and all("le" in labels for labels in by_name[name]):
            names = [n for n in (name, base + "_sum", base + "_count") if n in by_name]
            families[base] = (MetricType.HISTOGRAM, {}, names)
        else:
            counter = name.endswith("_total")
            families[name] = (MetricType.COUNTER if counter else MetricType.GAUGE, {}, [name])
            names = [name]
        claimed.update(names)
    return families


def _first_entry(entries: Any) -> Mapping[str, str]:
    """One metadata entry of a family (targets may disagree: the first in a stable order wins)."""
    if not isinstance(entries, list):
        return {}
    usable = [{k: str(v) for k, v in e.items() if isinstance(k, str)}
              for e in entries if isinstance(e, dict)]
    return sorted(usable, key=lambda e: sorted(e.items()))[0] if usable else {}


def _metric(family: str, metric_type: MetricType, info: Mapping[str, str],
            samples: list[dict[str, str]]) -> Metric:
    own = set(FAMILY_LABELS.get(metric_type, set()))
    labels = {k for labels in samples for k in labels} - own - TARGET_LABELS
    buckets: tuple[float, ...] = ()
    if metric_type is MetricType.HISTOGRAM:
        buckets = tuple(sorted({float(s["le"]) for s in samples
                                if _finite(s.get("le", "+Inf"))}))
    help_text = printable(info.get("help", ""))
    if len(help_text) > MAX_HELP:
        help_text = help_text[:MAX_HELP - 1] + "…"
    return Metric(family, metric_type, frozenset(labels), help_text, _unit(family, info),
                  buckets, scraped=any("job" in s for s in samples))


def _finite(text: str) -> bool:
    """A bucket bound to write: not +Inf, and not NaN (``buckets=(0.5, nan)`` is no Python)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _unit(family: str, info: Mapping[str, str]) -> str:
    declared = info.get("unit", "")
    if declared in UNITS:
        return UNITS[declared]
    stem = family.removesuffix("_total")
    return next((unit for suffix, unit in UNITS.items() if stem.endswith("_" + suffix)), "")


def module_source(discovery: Discovery, *, name: str, origin: str) -> str:
    """The catalog module: ``CATALOG`` is the discovered metrics plus the built-in catalogs.
    ``origin`` (where it was read from) is written as a comment, on one line."""
    lines = [MARKER, f"# from {printable(origin)[:300]}",
             "# Run it again to refresh; edit by hand to keep it yours (then it is only replaced",
             "# with --force).",
             '"""The metrics the services expose, with their labels, read off Prometheus: every '
             'query is',
             'checked against them, so a misspelt metric or label fails the build."""',
             "from __future__ import annotations", "",
             "from dashkit import Catalog, Metric, catalogs", ""]
    if discovery.left_to_builtins:
        lines.append("# Left to the built-in catalogs (they list the names every release of the")
        lines.append("# exporter exposes):")
        lines += [f"#   {counted(n, 'more metric')} of job {_literal(job)}"
                  for job, n in discovery.left_to_builtins.items()]
    lines.append(f"OWN = Catalog({_literal(name)}, [")
    lines += [_call(metric) for metric in discovery.metrics]
    lines.append("])")
    lines.append("")
    parts = ["OWN", *discovery.builtins]
    single = "CATALOG = " + " + ".join(parts)
    lines.append(single if len(single) <= LINE else _wrapped("CATALOG = (", parts, ")", " + "))
    return "\n".join(lines) + "\n"


def _literal(value: str | list[str]) -> str:
    """A string or list of strings as a Python literal, by the one function that writes input
    as code (an emoji stays one character, not two surrogates as JSON escapes it)."""
    if isinstance(value, str):
        return python_string(value)
    return "[" + ", ".join(python_string(v) for v in value) + "]"


def _call(metric: Metric) -> str:
    """One catalog entry, on one line where it fits and an argument a line where it does not."""
    args = [_literal(metric.name), _literal(sorted(metric.labels))]
    if metric.help or metric.unit:
        args.append(_literal(metric.help))
    if metric.unit and metric.type is not MetricType.INFO:
        args.append(_literal(metric.unit))
    if metric.buckets:
        bounds = ", ".join(f"{b:g}" for b in metric.buckets)
        args.append(f"buckets=({bounds}{',' if len(metric.buckets) == 1 else ''})")
    if not metric.scraped and metric.type is MetricType.GAUGE:
        args.append("scraped=False")
    return _wrapped(f"    Metric.{metric.type.value}(", args, "),")


def _wrapped(opening: str, items: list[str], closing: str, separator: str = ", ") -> str:
    """``opening``, the items and ``closing``, packed into lines of at most LINE characters with
    the continuation lines aligned after the opening, as the project's modules are written."""
    indent = " " * len(opening)
    lines = [opening + items[0]]
    for item in items[1:]:
        if len(lines[-1] + separator + item) < LINE:
            lines[-1] += separator + item
        else:
            lines[-1] += separator.rstrip()
            lines.append(indent + item)
    return "\n".join(lines) + closing


def write_module(path: Path, source: str, *, force: bool = False) -> None:
    """Write the module, replacing only a file this command wrote (or any with ``force``)."""
    if path.is_dir():
        raise DashkitError(f"{path}: is a folder; give the catalog module's file name")
    if path.exists() and not force:
        with open(path, encoding="utf-8", errors="replace") as handle:
            first = handle.readline().rstrip("\n")
        if first != MARKER:
            raise DashkitError(f"{path}: exists and was not written by dashkit catalog; "
                               "give another --out, or --force to replace it")
    if not path.parent.is_dir():
        raise DashkitError(f"{path.parent}: no such folder")
    replace_file(path, source)
