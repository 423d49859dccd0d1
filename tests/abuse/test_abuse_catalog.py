"""Abuse: ``dashkit catalog`` over answers a real Prometheus can give: a bucket bound of NaN,
help text beyond the Basic Multilingual Plane, and OpenMetrics exporters (Python's and Java's
clients), whose metadata names the family rather than the samples a query names."""
from __future__ import annotations

from typing import Any

from dashkit.query import discovery
from dashkit.query.catalog import MetricType

API = {"job": "api", "instance": "api:80"}


def load(source: str) -> dict[str, Any]:
    """The written module run as the build runs it; its OWN catalog by metric name."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "catalog.py", "exec"), namespace)  # noqa: S102 (the module under test)
    return {m.name: m for m in namespace["OWN"]}


def test_a_nan_bucket_bound_is_left_out_and_the_module_builds():
    metadata = {"latency_seconds": [{"type": "histogram", "help": "Latency", "unit": ""}]}
    series = [*({"__name__": "latency_seconds_bucket", **API, "le": le}
                for le in ("0.5", "NaN", "+Inf", "-Inf", "nan")),
              {"__name__": "latency_seconds_sum", **API}, {"__name__": "latency_seconds_count", **API}]
    source = discovery.module_source(discovery.fold(metadata, series), name="api", origin="test")
    assert "nan" not in source.lower() and "inf" not in source.lower()
    assert load(source)["latency_seconds"].buckets == (0.5,)


def test_help_with_an_emoji_stays_one_character_in_the_module():
    help_text = "Rides \U0001f697 requested, \u00e9t\u00e9 \"quoted\" \\ backslash"
    metadata = {"rides_total": [{"type": "counter", "help": help_text, "unit": ""}]}
    source = discovery.module_source(
        discovery.fold(metadata, [{"__name__": "rides_total", **API}]), name="api", origin="test")
    assert "\U0001f697" in source and "\\ud83d" not in source
    assert load(source)["rides_total"].help == help_text


def by_type(metadata: dict[str, Any], series: list[dict[str, str]]) -> dict[str, MetricType]:
    return {m.name: m.type for m in discovery.fold(metadata, series).metrics}


def test_openmetrics_families_are_written_with_the_names_queries_use():
    """Prometheus keys an OpenMetrics target's metadata by family (``http_requests``) while the
    samples are ``http_requests_total``, ``build_info``; ``_created`` series are timestamps."""
    metadata = {
        "http_requests": [{"type": "counter", "help": "Requests served", "unit": ""}],
        "http_request_duration_seconds": [{"type": "histogram", "help": "Latency", "unit": "seconds"}],
        "rpc_seconds": [{"type": "summary", "help": "RPC", "unit": "seconds"}],
        "build": [{"type": "info", "help": "Build", "unit": ""}],
        "queue_depth": [{"type": "gauge", "help": "Jobs waiting", "unit": ""}],
    }
    series = [
        {"__name__": "http_requests_total", **API, "route": "/"},
        {"__name__": "http_requests_created", **API, "route": "/"},
        *({"__name__": "http_request_duration_seconds_bucket", **API, "le": le}
          for le in ("0.1", "+Inf")),
        {"__name__": "http_request_duration_seconds_sum", **API},
        {"__name__": "http_request_duration_seconds_count", **API},
        {"__name__": "http_request_duration_seconds_created", **API},
        {"__name__": "rpc_seconds", **API, "quantile": "0.5"},
        {"__name__": "rpc_seconds_count", **API}, {"__name__": "rpc_seconds_created", **API},
        {"__name__": "build_info", **API, "version": "1.2.3"},
        {"__name__": "queue_depth", **API},
    ]
    assert by_type(metadata, series) == {
        "http_requests_total": MetricType.COUNTER,
        "http_request_duration_seconds": MetricType.HISTOGRAM,
        "rpc_seconds": MetricType.SUMMARY,
        "build_info": MetricType.INFO,
        "queue_depth": MetricType.GAUGE,
    }


def test_created_series_in_the_text_format_are_left_out_too():
    """prometheus_client's text format types ``http_requests_created`` a gauge of its own."""
    metadata = {"http_requests_total": [{"type": "counter", "help": "Requests", "unit": ""}],
                "http_requests_created": [{"type": "gauge", "help": "Requests", "unit": ""}],
                "jobs_created": [{"type": "gauge", "help": "Jobs created so far", "unit": ""}]}
    series = [{"__name__": "http_requests_total", **API}, {"__name__": "http_requests_created", **API},
              {"__name__": "jobs_created", **API}]  # a gauge of its own: no family beside it
    assert by_type(metadata, series) == {"http_requests_total": MetricType.COUNTER,
                                         "jobs_created": MetricType.GAUGE}
